package testdut

import (
	"os"
	"path/filepath"
	"testing"
)

// A LinkTrap is a symbolic link planted where a program writes a file of
// its own naming (a report in its folder, a capture, a finding), pointing
// at a victim: Check tells whether the program replaced the link, as it
// must, or wrote through it.
type LinkTrap struct {
	Path, Victim string
	dangling     bool
}

// victimBytes is what a victim file holds.
const victimBytes = "precious"

// PlantLink makes path (its folder too) a symbolic link to a victim in
// a folder of the test's own: a file holding victimBytes, or, dangling,
// a name that does not exist.
func PlantLink(t testing.TB, path string, dangling bool) LinkTrap {
	t.Helper()
	l := LinkTrap{Path: path, Victim: filepath.Join(t.TempDir(), "victim"), dangling: dangling}
	if !dangling {
		if err := os.WriteFile(l.Victim, []byte(victimBytes), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	os.Remove(path)
	if err := os.Symlink(l.Victim, path); err != nil {
		t.Fatal(err)
	}
	return l
}

// Check fails t unless the victim is as planted (a dangling link's not
// made) and Path is now a regular file.
func (l LinkTrap) Check(t testing.TB) {
	t.Helper()
	b, err := os.ReadFile(l.Victim)
	switch {
	case l.dangling && err == nil:
		t.Errorf("%s: the dangling link's target %s was made", l.Path, l.Victim)
	case !l.dangling && string(b) != victimBytes:
		t.Errorf("%s: written through the link: its target holds %.40q", l.Path, b)
	}
	if fi, err := os.Lstat(l.Path); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("%s: %v, not a regular file", l.Path, err)
	}
}
