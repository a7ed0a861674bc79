package vfstest

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
	"testing"
)

func write(t *testing.T, f *FS, name, data string, sync bool) {
	t.Helper()
	h, err := f.OpenFile(name, os.O_RDWR|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := h.Write([]byte(data)); err != nil {
		t.Fatal(err)
	}
	if sync {
		if err := h.Sync(); err != nil {
			t.Fatal(err)
		}
	}
	h.Close()
}

func read(f *FS, name string) string {
	b, err := f.ReadFile(name)
	if err != nil {
		return "<" + err.Error() + ">"
	}
	return string(b)
}

func TestPowerCutKeepsOnlyWhatWasSynced(t *testing.T) {
	f := New()
	f.MkdirAll("/d", 0o755)
	write(t, f, "/d/a", "synced", true)
	if got := read(f.Restart(nil), "/d/a"); got != "<open /d/a: file does not exist>" {
		t.Fatalf("a name never made durable by SyncDir survived: %q", got)
	}
	f = New()
	f.MkdirAll("/d", 0o755)
	write(t, f, "/d/a", "synced", true)
	if err := f.SyncDir("/d"); err != nil {
		t.Fatal(err)
	}
	write(t, f, "/d/a", "+lost", false)
	if got := read(f, "/d/a"); got != "synced+lost" {
		t.Fatalf("before the cut reads see %q", got)
	}
	// A rename without a directory fsync is lost.
	write(t, f, "/d/tmp", "new", true)
	if err := f.Rename("/d/tmp", "/d/a"); err != nil {
		t.Fatal(err)
	}
	g := f.Restart(nil)
	if got := read(g, "/d/a"); got != "synced" {
		t.Fatalf("after the cut /d/a = %q", got)
	}
	if _, err := f.ReadFile("/d/a"); !errors.Is(err, syscall.EIO) {
		t.Fatalf("the old FS still answers after the cut: %v", err)
	}
}

func TestFailedFsyncLosesTheDirtyPages(t *testing.T) {
	f := New()
	write(t, f, "/a", "one", true)
	f.SyncDir("/")
	f.Inject(Fault{Op: OpSync, Path: "/a", Times: 1, Err: syscall.EIO})
	h, _ := f.OpenFile("/a", os.O_RDWR|os.O_APPEND, 0)
	h.Write([]byte("two"))
	if err := h.Sync(); !errors.Is(err, syscall.EIO) {
		t.Fatalf("Sync = %v", err)
	}
	h.Write([]byte("three"))
	if err := h.Sync(); err != nil {
		t.Fatalf("second Sync = %v", err)
	}
	if got := read(f.Restart(nil), "/a"); got != "one\x00\x00\x00three" {
		t.Fatalf("after the cut /a = %q: the pages of the failed fsync must be gone", got)
	}
}

func TestFaults(t *testing.T) {
	f := New()
	f.Inject(Fault{Op: OpWrite, Path: "x", Skip: 1, Times: 1, Err: syscall.ENOSPC, Partial: true})
	h, _ := f.OpenFile("/x", os.O_RDWR|os.O_CREATE, 0o600)
	if _, err := h.Write([]byte("ok")); err != nil {
		t.Fatal(err)
	}
	if n, err := h.Write([]byte("abcd")); n != 2 || !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("Write = %d, %v", n, err)
	}
	if _, err := h.Write([]byte("!")); err != nil {
		t.Fatal(err)
	}
	if got := read(f, "/x"); got != "okab!" {
		t.Fatalf("/x = %q", got)
	}
	f.CutPowerAt(1)
	if _, err := h.Write([]byte("?")); !errors.Is(err, syscall.EIO) {
		t.Fatalf("write after the cut = %v", err)
	}
	if _, err := f.Stat("/x"); !errors.Is(err, syscall.EIO) || errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("stat after the cut = %v", err)
	}
}
