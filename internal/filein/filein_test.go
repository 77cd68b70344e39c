package filein

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func write(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestReadRegular(t *testing.T) {
	want := []byte("rule 10 then accept\n")
	p := write(t, "p.txt", want)
	got, err := Read(p, int64(len(want)))
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Read at exactly the limit = %q, %v; want %q", got, err, want)
	}
	link := filepath.Join(t.TempDir(), "link.yaml")
	if err := os.Symlink(p, link); err != nil {
		t.Fatal(err)
	}
	if got, err := Read(link, 0); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("Read through a link to a regular file = %q, %v", got, err)
	}
	if got, err := Read(write(t, "empty", nil), 0); err != nil || len(got) != 0 {
		t.Fatalf("empty file = %q, %v", got, err)
	}
}

func TestReadOverLimit(t *testing.T) {
	p := write(t, "big.yaml", bytes.Repeat([]byte("x"), 1025))
	got, err := Read(p, 1024)
	if !errors.Is(err, ErrTooLarge) || got != nil {
		t.Fatalf("Read over the limit = %d bytes, %v; want nil, ErrTooLarge", len(got), err)
	}
	if msg := err.Error(); !strings.Contains(msg, p) || !strings.Contains(msg, "1 KiB") {
		t.Errorf("error %q should name the path and the limit", msg)
	}
}

func TestReadDefaultLimit(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "sparse"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(Default + 1); err != nil { // sparse: no disk used
		t.Fatal(err)
	}
	f.Close()
	if _, err := Read(f.Name(), 0); !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "16 MiB") {
		t.Fatalf("Read of Default+1 bytes with max 0 = %v; want ErrTooLarge naming 16 MiB", err)
	}
}

func TestReadRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "z.yaml")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{"/dev/zero": "a device", zero: "a device", dir: "a directory"}
	if fifo := filepath.Join(dir, "fifo"); mkfifo(fifo) == nil {
		cases[fifo] = "a FIFO" // would block an open for reading without a writer
	}
	for p, what := range cases {
		got, err := Read(p, 0)
		if !errors.Is(err, ErrNotRegular) || got != nil {
			t.Errorf("Read(%s) = %d bytes, %v; want ErrNotRegular", p, len(got), err)
			continue
		}
		if msg := err.Error(); !strings.Contains(msg, p) || !strings.Contains(msg, what) {
			t.Errorf("Read(%s): error %q should name the path and %q", p, msg, what)
		}
	}
}

func TestReadMissing(t *testing.T) {
	p := filepath.Join(t.TempDir(), "none.yaml")
	if _, err := Read(p, 0); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), p) {
		t.Fatalf("Read of a missing file = %v; want fs.ErrNotExist naming the path", err)
	}
}

// ReadJSON decodes what Read reads; contents that do not decode are
// ErrNotJSON naming the path, and Read's own errors stay Read's.
func TestReadJSON(t *testing.T) {
	var v struct{ Target string }
	if err := ReadJSON(write(t, "r.json", []byte(`{"Target":"dut"}`)), 0, &v); err != nil || v.Target != "dut" {
		t.Fatalf("ReadJSON = %+v, %v", v, err)
	}
	bad := write(t, "bad.json", []byte(`{"Target":`))
	if err := ReadJSON(bad, 0, &v); !errors.Is(err, ErrNotJSON) || !strings.Contains(err.Error(), bad) {
		t.Fatalf("ReadJSON of a cut file = %v; want ErrNotJSON naming %s", err, bad)
	}
	big := write(t, "big.json", []byte(`{"Target":"far too long"}`))
	if err := ReadJSON(big, 4, &v); !errors.Is(err, ErrTooLarge) || errors.Is(err, ErrNotJSON) {
		t.Fatalf("ReadJSON over the limit = %v; want ErrTooLarge only", err)
	}
}
