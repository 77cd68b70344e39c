package fileout

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
)

// Write writes the file, and its error names the path once, whether
// the file could not be created or written.
func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.txt")
	if err := Write(path, func(w io.Writer) error { _, err := io.WriteString(w, "report"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "report" {
		t.Errorf("file %q, %v", b, err)
	}
	bad := errors.New("no space")
	if err := Write(path, func(io.Writer) error { return bad }); !errors.Is(err, bad) || strings.Count(err.Error(), path) != 1 {
		t.Errorf("a failed write: %v", err)
	}
	missing := filepath.Join(dir, "no", "r.txt")
	called := false
	if err := Write(missing, func(io.Writer) error { called = true; return nil }); err == nil || called || strings.Count(err.Error(), missing) != 1 {
		t.Errorf("a file that cannot be created: %v (written: %v)", err, called)
	}
}

// WriteParents makes the missing folders of the path first; a folder
// that cannot be made is an error naming the path, and write is not
// called.
func TestWriteParents(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "a", "b", "r.txt")
	if err := WriteParents(path, func(w io.Writer) error { _, err := io.WriteString(w, "report"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, err := os.ReadFile(path); err != nil || string(b) != "report" {
		t.Errorf("file %q, %v", b, err)
	}
	// An existing folder is fine, and the file is truncated.
	if err := WriteParents(path, func(w io.Writer) error { _, err := io.WriteString(w, "x"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != "x" {
		t.Errorf("rewritten file %q", b)
	}
	// A file in the way of a folder.
	blocked := filepath.Join(dir, "a", "b", "r.txt", "c", "r.txt")
	called := false
	if err := WriteParents(blocked, func(io.Writer) error { called = true; return nil }); err == nil || called || strings.Count(err.Error(), blocked) != 1 {
		t.Errorf("a folder that cannot be made: %v (written: %v)", err, called)
	}
}

// WriteIn replaces a link planted at the file's name, dangling or not,
// and a FIFO, by a regular file: the link's target is untouched (a
// report folder's report.html -> /some/victim overwrote the victim).
// Write, for a path the user names, still writes through a link.
func TestWriteInReplacesLinks(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out")
	write := func(w io.Writer) error { _, err := io.WriteString(w, "report"); return err }
	path := filepath.Join(out, "report.html")
	for _, dangling := range []bool{false, true} {
		trap := testdut.PlantLink(t, path, dangling)
		if err := WriteIn(path, write); err != nil {
			t.Fatal(err)
		}
		trap.Check(t)
		if b, _ := os.ReadFile(path); string(b) != "report" {
			t.Errorf("link (dangling %v): the file holds %q", dangling, b)
		}
	}
	if err := WriteInParents(filepath.Join(out, "pcap", "x.pcapng"), write); err != nil {
		t.Fatal(err)
	}
	// Write, for a path the user gives, writes through a link.
	link := testdut.PlantLink(t, filepath.Join(dir, "link"), false)
	if err := Write(link.Path, write); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(link.Victim); string(b) != "report" {
		t.Errorf("Write through a link: the target holds %q", b)
	}
}
