//go:build unix

package fileout

import (
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// WriteIn replaces a FIFO planted at the file's name at once, without
// waiting for a reader.
func TestWriteInReplacesFIFO(t *testing.T) {
	path := filepath.Join(t.TempDir(), "finding.json")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skip(err)
	}
	done := make(chan error, 1)
	go func() {
		done <- WriteIn(path, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err })
	}()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		// Unblock the open with a reader, so the goroutine ends.
		if f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0); err == nil {
			defer f.Close()
		}
		<-done
		t.Fatal("WriteIn waited on a FIFO")
	}
	if fi, err := os.Lstat(path); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("%v, %v", fi.Mode(), err)
	}
}
