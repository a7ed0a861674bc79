package failpoint

import (
	"errors"
	"testing"
)

func TestInject(t *testing.T) {
	defer Reset()
	if err := Inject("a"); err != nil {
		t.Fatal(err)
	}
	boom := errors.New("boom")
	Enable("a", func() error { return boom })
	Enable("a", func() error { return boom }) // replacing counts once
	if err := Inject("a"); err != boom {
		t.Fatalf("Inject = %v", err)
	}
	if err := Inject("b"); err != nil || Hits("b") != 1 || Hits("a") != 1 {
		t.Fatalf("b: %v, hits a=%d b=%d", err, Hits("a"), Hits("b"))
	}
	Disable("a")
	if armed.Load() != 0 {
		t.Fatalf("armed = %d after Disable", armed.Load())
	}
	if err := Inject("a"); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkInjectDisabled(b *testing.B) {
	for b.Loop() {
		_ = Inject("store/commit/after-append")
	}
}
