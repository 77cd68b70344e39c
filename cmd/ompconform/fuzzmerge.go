package main

import (
	"fmt"
	"time"

	"github.com/ompconform/ompconform/netfuzz"
	"github.com/ompconform/ompconform/reports"
)

const fuzzMergeUsage = `usage: ompconform fuzz merge [--minimize [--target HOST:PORT] [--tries N] [--time D]]
                            OUT IN...

Combines the output folders of several "ompconform fuzz" runs (the --out
of each shard, from several machines) into OUT:

  findings  the JSON files at the top of each folder, kept once per
            reproducer and outcome (the kind, what the DUT did, a hash of
            every input's bytes); of several, the minimised one, then the
            smallest
  corpora   every file below a folder of an IN (its corpus/: one input per
            outcome class, raw OMP messages; or a native or go-fuzz corpus
            put there), copied to the same folder under OUT once per
            content

Findings already in OUT take part, so a merge can be repeated as shards
come in. Runs made with --minimize share reproducers for findings of one
cause; --minimize here minimises the findings that were not, first.

flags:
  --minimize           minimise each finding not yet minimised before
                       comparing (replays: --target, else the finding's own
                       DUT, or a fresh in-process reference)
  --target HOST:PORT   the DUT to minimise on
  --tries N            replays per finding at most (default 48)
  --time D             time per finding at most (default 30s)

exit status: 0 merged; 2 usage error, or a folder could not be read or
written
`

// fuzzMergeFlags are the flags of "fuzz merge".
type fuzzMergeFlags struct {
	minimize bool
	replayFlags
}

func newFuzzMerge(env *Env) (*command, *fuzzMergeFlags) {
	var f fuzzMergeFlags
	cmd := newCommand(env, "fuzz merge", func() string { return fuzzMergeUsage })
	cmd.BoolVar(&f.minimize, "minimize", false, "minimise findings first")
	f.define(cmd, 48, 30*time.Second) // per finding
	return cmd, &f
}

func runFuzzMerge(env *Env, args []string) int {
	cmd, f := newFuzzMerge(env)
	pos, exit, ok := cmd.parse(args)
	if !ok {
		return exit
	}
	fail := cmd.fail
	if len(pos) < 2 {
		return fail("want OUT and at least one IN folder")
	}
	cfg, err := f.config()
	if err != nil {
		return fail("%v", err)
	}
	var opt netfuzz.MergeOptions
	ctx, stop := interruptible()
	defer stop()
	if f.minimize {
		opt.Minimize = func(fd *netfuzz.Finding) (*netfuzz.Finding, error) {
			return netfuzz.Minimize(ctx, cfg, fd)
		}
	}
	rep, err := netfuzz.Merge(pos[0], pos[1:], opt)
	if err != nil {
		return fail("%v", err)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(env.Stderr, "skipped: %s\n", reports.Printable(s))
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(env.Stderr, "not minimised: %s\n", reports.Printable(e))
	}
	if f.minimize {
		fmt.Fprintf(env.Stdout, "%d findings minimised, %d did not reproduce (kept as they were)\n", rep.Minimized, rep.NotReproduced)
	}
	fmt.Fprintf(env.Stdout, "merged %d folders into %s: %s\n", len(pos)-1, pos[0], rep)
	return ExitOK
}
