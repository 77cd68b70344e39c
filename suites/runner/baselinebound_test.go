package runner

import (
	"errors"
	"os"
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
