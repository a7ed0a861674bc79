package dispatch

import (
	"sync"
	"testing"
	"time"
)

func TestDeliversInEnqueueOrder(t *testing.T) {
	var q Queue
	var got []int
	for i := range 5 {
		q.Enqueue(func() { got = append(got, i) })
	}
	q.Drain()
	for i, v := range got {
		if v != i {
			t.Fatalf("delivered %v, want 0..4 in order", got)
		}
	}
	if len(got) != 5 {
		t.Fatalf("delivered %d callbacks, want 5", len(got))
	}
}

// A callback that emits more events has them delivered after it returns,
// by the loop already running, not recursively inside it.
func TestCallbackEmittingIsNotReentered(t *testing.T) {
	var q Queue
	var trace []string
	q.Enqueue(func() {
		trace = append(trace, "outer start")
		q.Enqueue(func() { trace = append(trace, "inner") })
		q.Drain()
		trace = append(trace, "outer end")
	})
	q.Drain()
	want := []string{"outer start", "outer end", "inner"}
	if len(trace) != 3 || trace[0] != want[0] || trace[1] != want[1] || trace[2] != want[2] {
		t.Fatalf("trace %v, want %v", trace, want)
	}
}

// Wait is a barrier for what was enqueued before it: it reports false
// while a callback is still running on another goroutine and true once it
// has returned.
func TestWaitIsABarrier(t *testing.T) {
	var q Queue
	release, running := make(chan struct{}), make(chan struct{})
	q.Enqueue(func() { close(running); <-release })
	go q.Drain()
	<-running
	if q.Wait(0) {
		t.Fatal("Wait(0) = true while a callback is still running")
	}
	if q.Wait(20 * time.Millisecond) {
		t.Fatal("Wait(20ms) = true while a callback is still running")
	}
	done := make(chan bool)
	go func() { done <- q.Wait(5 * time.Second) }()
	close(release)
	if !<-done {
		t.Fatal("Wait = false after the callback returned")
	}
	if !q.Wait(0) {
		t.Fatal("Wait(0) = false with nothing queued")
	}
}

// Enqueued but not yet drained counts as pending too: that is the window
// between a commit becoming visible and its listeners running.
func TestWaitCountsQueuedNotYetDrained(t *testing.T) {
	var q Queue
	q.Enqueue(func() {})
	if q.Wait(0) {
		t.Fatal("Wait(0) = true with an undelivered callback")
	}
	q.Drain()
	if !q.Wait(0) {
		t.Fatal("Wait(0) = false after Drain")
	}
}

func TestWaitInsideCallbackTimesOut(t *testing.T) {
	var q Queue
	var inner bool
	q.Enqueue(func() { inner = q.Wait(10 * time.Millisecond) })
	q.Drain()
	if inner {
		t.Fatal("Wait inside a callback = true; it waits for itself and must report false")
	}
}

func TestStopReleasesWaiters(t *testing.T) {
	var q Queue
	q.Enqueue(func() { t.Error("a stopped queue delivered") })
	done := make(chan bool)
	go func() { done <- q.Wait(5 * time.Second) }()
	time.Sleep(10 * time.Millisecond)
	q.Stop()
	if !<-done {
		t.Fatal("Wait = false after Stop")
	}
	q.Drain()
}

// A panicking callback goes on to the caller, and the queue still
// delivers the rest on the next Drain.
func TestPanicLeavesQueueUsable(t *testing.T) {
	var q Queue
	var later bool
	q.Enqueue(func() { panic("boom") }, func() { later = true })
	func() {
		defer func() {
			if recover() == nil {
				t.Fatal("the panic did not reach the caller")
			}
		}()
		q.Drain()
	}()
	q.Drain()
	if !later {
		t.Fatal("the callback after the panicking one was never delivered")
	}
	if !q.Wait(0) {
		t.Fatal("Wait(0) = false after everything was delivered")
	}
}

// Emitters on several goroutines: every callback is delivered exactly
// once and Wait afterwards holds.
func TestConcurrentEmitters(t *testing.T) {
	var q Queue
	var mu sync.Mutex
	count := 0
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				q.Enqueue(func() { mu.Lock(); count++; mu.Unlock() })
				q.Drain()
			}
		}()
	}
	wg.Wait()
	if !q.Wait(5 * time.Second) {
		t.Fatal("Wait = false after all emitters drained")
	}
	if count != 1600 {
		t.Fatalf("delivered %d callbacks, want 1600", count)
	}
}
