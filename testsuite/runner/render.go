package runner

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// maxShown caps how much JSON a failure message quotes: enough to see the
// difference, short enough that one failure stays one readable line.
const maxShown = 600

// clip renders raw JSON compactly on one line, truncated.
func clip(raw []byte) string {
	var buf bytes.Buffer
	if err := json.Compact(&buf, raw); err != nil {
		return truncate(string(raw))
	}
	return truncate(buf.String())
}

// show renders a decoded JSON value compactly, truncated.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return truncate(fmt.Sprint(v))
	}
	return truncate(string(b))
}

func truncate(s string) string {
	if len(s) <= maxShown {
		return s
	}
	return fmt.Sprintf("%s…(%d more bytes)", s[:maxShown], len(s)-maxShown)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
