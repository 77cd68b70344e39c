//go:build unix

package suites

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ompconform/ompconform/suites/runner"
)

// OMPCONFORM_BASELINE is read bounded (internal/filein): a file over
// runner.MaxBaselineFile, or a device, is an error naming it; a real one loads.
func TestLoadBaselineBounded(t *testing.T) {
	dir := t.TempDir()
	ok := filepath.Join(dir, "ok.yaml")
	os.WriteFile(ok, []byte("- id: HDR-002\n  reason: known\n"), 0o644)
	if b, err := loadBaseline(ok); err != nil || len(b) != 1 {
		t.Fatalf("a baseline: %v, %d entries", err, len(b))
	}
	big := filepath.Join(dir, "big.yaml")
	os.WriteFile(big, []byte("- id: HDR-002\n  reason: known\n"+strings.Repeat("\n", runner.MaxBaselineFile)), 0o644)
	for p, want := range map[string]string{big: "over the limit of 1 MiB", "/dev/zero": "not a regular file"} {
		if _, err := loadBaseline(p); err == nil || !strings.Contains(err.Error(), p) || !strings.Contains(err.Error(), want) {
			t.Errorf("loadBaseline(%s): %v, want %q", p, err, want)
		}
	}
}

// A part of the report that is not a regular file (a FIFO would block the
// merge for ever) is an error naming it.
func TestMergePartsRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, partsDir), 0o755)
	fifo := filepath.Join(dir, partsDir, "process-2.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFO:", err)
	}
	done := make(chan error, 1)
	go func() {
		_, err := MergeParts(dir, runner.Report{}, nil)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), fifo) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("a FIFO part: %v", err)
		}
	case <-time.After(5 * time.Second):
		// Unblock the reader, so the goroutine ends.
		if f, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
			f.Close()
		}
		<-done
		t.Error("MergeParts waited on a FIFO")
	}
}
