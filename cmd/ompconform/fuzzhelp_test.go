package main

import (
	"flag"
	"io"
	"regexp"
	"strings"
	"testing"
)

// "ompconform help fuzz SUB", where a subcommand's usage errors point,
// prints that subcommand's own usage, as "fuzz SUB --help" does; its
// synopsis and its flags section name every flag it takes.
func TestFuzzSubcommandHelp(t *testing.T) {
	env := &Env{Stdout: io.Discard, Stderr: io.Discard}
	for _, tc := range []struct {
		sub, name, usage string
		flags            *flag.FlagSet
	}{
		{"minimize", "minimize", fuzzMinimizeUsage, func() *flag.FlagSet { c, _ := newFuzzMinimize(env); return c.FlagSet }()},
		{"minimise", "minimize", fuzzMinimizeUsage, nil},
		{"promote", "promote", fuzzPromoteUsage, func() *flag.FlagSet { c, _, _ := newFuzzPromote(env); return c.FlagSet }()},
		{"merge", "merge", fuzzMergeUsage, func() *flag.FlagSet { c, _ := newFuzzMerge(env); return c.FlagSet }()},
	} {
		code, out, errs := runCmd(t, nil, "help", "fuzz", tc.sub)
		if code != ExitOK || out != tc.usage || !strings.HasPrefix(out, "usage: ompconform fuzz "+tc.name+" ") {
			t.Errorf("help fuzz %s: code %d, stderr %q, output:\n%s", tc.sub, code, errs, out)
		}
		if code, _, errs := runCmd(t, nil, "fuzz", tc.sub, "--help"); code != ExitOK || errs != tc.usage {
			t.Errorf("fuzz %s --help: code %d:\n%s", tc.sub, code, errs)
		}
		// A usage error points to help fuzz SUB.
		if _, _, errs := runCmd(t, nil, "fuzz", tc.sub, "--no-such-flag"); !strings.Contains(errs, `"ompconform help fuzz `+tc.name+`"`) {
			t.Errorf("fuzz %s --no-such-flag: %s", tc.sub, errs)
		}
		if tc.flags == nil {
			continue
		}
		synopsis, rest, _ := strings.Cut(tc.usage, "\n\n")
		_, section, ok := strings.Cut(rest, "\nflags:\n")
		if !ok {
			t.Errorf("fuzz %s: no flags section:\n%s", tc.sub, tc.usage)
		}
		tc.flags.VisitAll(func(f *flag.Flag) {
			if !strings.Contains(synopsis, "--"+f.Name) {
				t.Errorf("fuzz %s: --%s not in the synopsis:\n%s", tc.sub, f.Name, synopsis)
			}
			if !regexp.MustCompile(`(?m)^ +--` + f.Name + `\b`).MatchString(section) {
				t.Errorf("fuzz %s: --%s not in the flags section", tc.sub, f.Name)
			}
		})
	}
	// The main fuzz help still comes for "help fuzz".
	if code, out, _ := runCmd(t, nil, "help", "fuzz"); code != ExitOK || out != fuzzUsage {
		t.Errorf("help fuzz: code %d", code)
	}
}
