package reports

import (
	"os"
	"path/filepath"
	"testing"
)

// A link planted in the capture folder at a case's capture name is
// replaced by the capture; its target is untouched.
func TestPcapsReplaceLinks(t *testing.T) {
	rep := report(t)
	root := t.TempDir()
	victim, dir := filepath.Join(root, "victim"), filepath.Join(root, "pcap")
	if err := os.WriteFile(victim, []byte("precious"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var name string
	for _, r := range rep.Results {
		if len(r.Transcript) > 0 {
			name = filepath.Join(dir, pcapName(r.ID))
			break
		}
	}
	if err := os.Symlink(victim, name); err != nil {
		t.Fatal(err)
	}
	if err := WritePcaps(dir, rep, Options{}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(victim); string(b) != "precious" {
		t.Errorf("the victim holds %d bytes", len(b))
	}
	if fi, err := os.Lstat(name); err != nil || !fi.Mode().IsRegular() {
		t.Errorf("%s: %v %v", name, fi.Mode(), err)
	}
}
