package cliflags

import (
	"bytes"
	"flag"
	"strings"
	"testing"
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
