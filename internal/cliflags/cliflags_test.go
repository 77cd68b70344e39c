package cliflags

import (
	"bytes"
	"flag"
	"strings"
	"testing"
	"time"
)

func TestMisspeltFlag(t *testing.T) {
	var out bytes.Buffer
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.Duration("timeout", 0, "answer wait")
	fs.String("target", "", "the DUT")
	Setup(fs, &out, "run", func() string { return "FULL USAGE\n" })
	if err := fs.Parse([]string{"--timout", "1s"}); err == nil {
		t.Fatal("no error")
	}
	got := out.String()
	if !strings.Contains(got, "--timout") || !strings.Contains(got, "did you mean --timeout?") || strings.Contains(got, "FULL USAGE") || strings.Count(got, "\n") != 2 {
		t.Errorf("misspelt flag:\n%s", got)
	}
	out.Reset()
	if err := fs.Parse([]string{"--help"}); err != flag.ErrHelp || out.String() != "FULL USAGE\n" {
		t.Errorf("--help: %v\n%s", err, out.String())
	}
	out.Reset()
	fs.Parse([]string{"--timeout", "soon"})
	if !strings.Contains(out.String(), "for flag --timeout") {
		t.Errorf("bad value:\n%s", out.String())
	}
	var b bytes.Buffer
	PrintDefaults(&b, fs)
	if !strings.Contains(b.String(), "  --timeout duration") || strings.Contains(b.String(), "\n  -t") {
		t.Errorf("defaults:\n%s", b.String())
	}
}

// Each flag shows its default once: not the zero a usage's own
// "(default 30s)" stands behind, and a number unquoted.
func TestPrintDefaultsOnce(t *testing.T) {
	fs := flag.NewFlagSet("reference", flag.ContinueOnError)
	fs.Duration("connect-retry", 0, "first redial wait (default 1s)")
	fs.Uint("auth-key-id", 0, "authentication Key ID (default 1)")
	fs.Duration("hello", 2*time.Second, "hello interval")
	fs.Uint("hold-time", 60, "hold time offered")
	fs.String("log-level", "info", "debug or info")
	fs.String("ca", "", "CA file")
	var b bytes.Buffer
	PrintDefaults(&b, fs)
	got := b.String()
	for _, want := range []string{
		"first redial wait (default 1s)\n",
		"authentication Key ID (default 1)\n",
		"hello interval (default 2s)\n",
		"hold time offered (default 60)\n",
		`debug or info (default "info")` + "\n",
		"CA file\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("no %q in\n%s", want, got)
		}
	}
}
