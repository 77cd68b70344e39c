package runner

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/filein"
)

// LoadBaseline reads a regular file only (filein): /dev/zero is refused
// at once, not read forever.
func TestLoadBaselineRefusesDevices(t *testing.T) {
	if _, err := os.Stat("/dev/zero"); err != nil {
		t.Skip(err)
	}
	if _, err := LoadBaseline("/dev/zero"); !errors.Is(err, filein.ErrNotRegular) {
		t.Errorf("LoadBaseline(/dev/zero): %v", err)
	}
}

// A baseline file over MaxBaselineFile is refused, naming the limit (a
// 15 MiB file took 800 MB to read), and a baseline's error lists at most
// maxBaselineErrors bad entries, counting the rest (every bad entry of
// that file made a 19 MB error).
func TestBaselineBounded(t *testing.T) {
	f := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(f, []byte("- id: HDR-002\n  reason: known\n"+strings.Repeat("\n", MaxBaselineFile)), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadBaseline(f); !errors.Is(err, filein.ErrTooLarge) || !strings.Contains(err.Error(), "1 MiB") {
		t.Errorf("LoadBaseline of a file over 1 MiB: %v", err)
	}
	var b strings.Builder
	for i := range 1000 {
		fmt.Fprintf(&b, "- {id: NOPE-%d, reason: r}\n", i)
	}
	_, err := ReadBaseline(strings.NewReader(b.String()))
	if err == nil || strings.Count(err.Error(), "no case") != maxBaselineErrors || !strings.HasSuffix(err.Error(), "; and 980 more") {
		t.Errorf("1000 bad entries: %.300s... (%d bytes)", err, len(err.Error()))
	}
}
