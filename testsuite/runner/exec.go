package runner

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// pollInterval is how often a `within` step re-checks.
const pollInterval = 20 * time.Millisecond

// defaultWaitTimeout is the uploadAll/downloadAll timeout when the step
// gives none; the runner always sends one so drivers need no default.
const defaultWaitTimeout = 10 * time.Second

// stopError ends polling at once: retrying cannot change the outcome (an
// action succeeded when it should have failed; its effects are done).
type stopError struct{ err error }

func (e *stopError) Error() string { return e.err.Error() }

// step performs one step; the error says why it failed.
func (r *run) step(st *Step) error {
	if st.Server != "" {
		return poll(st.Within, func() error { return r.serverStep(st) })
	}
	c := r.client(st.Client)
	if st.Do != "" {
		return poll(st.Within, func() error { return r.action(c, st) })
	}
	return r.expect(c, st)
}

// poll retries attempt every pollInterval until it succeeds or within has
// passed (within 0: one attempt). Fatal and stop errors end it at once.
func poll(within time.Duration, attempt func() error) error {
	deadline := time.Now().Add(within)
	for {
		err := attempt()
		if err == nil {
			return nil
		}
		var fatal *fatalError
		var stop *stopError
		if errors.As(err, &fatal) || errors.As(err, &stop) {
			return err
		}
		if !time.Now().Before(deadline) {
			if within > 0 {
				return fmt.Errorf("%v (still so after %v)", err, within)
			}
			return err
		}
		time.Sleep(pollInterval)
	}
}

// action performs a client `do` step. Within a `within`, a failing action
// is retried (a failed step changed nothing); one that succeeded is not.
func (r *run) action(c *client, st *Step) error {
	expectCode := st.ExpectError
	var err error
	switch st.Do {
	case "open":
		err = c.open(c.spec(st, nil))
	case "reopen":
		err = c.reopen(st)
	case "executeClientReset":
		err = c.executeClientReset(st)
	case "close":
		err = c.close()
	case "crash":
		c.crash()
	case "write":
		var ops json.RawMessage
		if ops, err = r.substKeys(st.Raw("ops")); err == nil { // keys.go
			_, err = c.call("write", map[string]any{"ops": ops}, 0)
		}
	case "writeFile":
		err = c.writeFile(st)
	case "subscribe":
		_, err = c.call("subscribe", subscribeFields(st), 0)
	case "waitForSubscriptions":
		timeout := st.Duration("timeout", defaultWaitTimeout)
		if !st.Bool("expect", true) {
			expectCode = "Timeout"
		}
		_, err = c.call(st.Do, map[string]any{"timeout": timeout.String()}, timeout)
	case "uploadAll", "downloadAll":
		timeout := st.Duration("timeout", defaultWaitTimeout)
		if !st.Bool("expect", true) {
			expectCode = "Timeout"
		}
		_, err = c.call(st.Do, map[string]any{"timeout": timeout.String()}, timeout)
	default: // pause, resume: no fields
		_, err = c.call(st.Do, nil, 0)
	}
	if err == nil && expectCode != "" {
		return &stopError{fmt.Errorf("expected error %s, but it succeeded", expectCode)}
	}
	return outcome(err, expectCode, func() string { return "it succeeded" })
}

// outcome judges a step's error against its expectError. succeeded
// describes a success, for the message when an error was expected.
func outcome(err error, expectCode string, succeeded func() string) error {
	var de *DriverError
	if err != nil && !errors.As(err, &de) {
		return err // fatal: the driver itself failed
	}
	switch {
	case expectCode == "" && de == nil:
		return nil
	case expectCode == "":
		return fmt.Errorf("failed with %s: %s", de.Code, de.Message)
	case de == nil:
		return fmt.Errorf("expected error %s, but %s", expectCode, succeeded())
	case de.Code == expectCode:
		return nil
	}
	return fmt.Errorf("expected error %s, got %s: %s", expectCode, de.Code, de.Message)
}
