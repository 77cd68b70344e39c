package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decode -f and standard input are read bounded (internal/filein): a
// device is refused, naming it; a file or an input of 16 MiB and more is
// an error naming the limit, never read on.
func TestDecodeInputBounded(t *testing.T) {
	pad := strings.Repeat("\n", 16<<20) // blank lines, past the limit with the message
	var good string
	for _, f := range loadFixtures(t) {
		if len(splitMessages(f.Bytes)) == 1 {
			good = f.Hex
			break
		}
	}
	if code, _, errs := runCmd(t, nil, "decode", good); code != ExitOK {
		t.Fatalf("a fixture: exit %d %s", code, errs)
	}
	big := filepath.Join(t.TempDir(), "big.hex")
	if err := os.WriteFile(big, []byte(good+"\n"+pad), 0o644); err != nil {
		t.Fatal(err)
	}
	zero := filepath.Join(t.TempDir(), "z.hex")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name  string
		stdin string
		args  []string
		want  []string
	}{
		{"big file", "", []string{"decode", "-f", big}, []string{big, "over the limit of 16 MiB"}},
		{"device", "", []string{"decode", "--raw", "-f", zero}, []string{zero, "not a regular file"}},
		{"big stdin", good + "\n" + pad, []string{"decode", "-"}, []string{"standard input", "over the limit of 16 MiB"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, _, errs := runCmd(t, strings.NewReader(c.stdin), c.args...)
			if code == ExitOK {
				t.Errorf("exit 0")
			}
			for _, w := range c.want {
				if !strings.Contains(errs, w) {
					t.Errorf("stderr %.200q, want %q", errs, w)
				}
			}
		})
	}
}

// run's --tls-ca, --tls-cert and --tls-key are read bounded too.
func TestRunTLSFilesBounded(t *testing.T) {
	big := filepath.Join(t.TempDir(), "big.pem")
	if err := os.WriteFile(big, []byte(strings.Repeat("\n", 16<<20+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, f := range map[string]*runFlags{
		"ca":       {ca: big},
		"cert":     {cert: big, key: big},
		"ca-dev":   {ca: "/dev/zero"},
		"cert-dev": {cert: "/dev/zero", key: "/dev/zero"},
	} {
		t.Run(name, func(t *testing.T) {
			want := "over the limit of 16 MiB"
			if strings.HasSuffix(name, "-dev") {
				want = "not a regular file"
			}
			if _, err := f.tlsConfig(); err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("tlsConfig: %v, want %q", err, want)
			}
		})
	}
}
