package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/ompconform/ompconform/internal/shard"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"io"
	"sort"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/netfuzz"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/reports"
)

const fuzzUsage = `usage: ompconform fuzz [flags]
       ompconform fuzz --replay FILE [flags]
       ompconform fuzz minimize [flags] FINDING
       ompconform fuzz promote [--out FILE] [--id ID] FINDING
       ompconform fuzz merge [flags] OUT IN...

Fuzzes a DUT over the network (package netfuzz): each input is a valid
message (a fixture, a message built for the session's phase, or the fake
peer's own HANDSHAKE) with 1..K random mutations, drawn from the run seed,
sent on a fresh connection in place of the HANDSHAKE or on an established
session. The codec derives the ALERT each input must get; the fuzzer
reports:

  crash     after an input a fresh session no longer establishes
  hang      no answer and no HELLO for longer than the hold time
  mismatch  another ALERT than the codec's, or a close without one
  accepted  no ALERT, session up, for bytes the codec rejects

Refusals of bytes the codec accepts (the DUT's Domain ID, its RIB) are
counted, not reported. Each finding is saved as JSON in --out with the
seed, mutations, exact bytes, the session's earlier inputs and its
transcript; --replay sends it again.

Without --target it starts the reference speaker in-process (--role,
default controller). Loopback targets only.

flags:
  --target HOST:PORT    the DUT, on 127.0.0.0/8 or ::1 (default: the
                        in-process reference)
  --role ROLE           the DUT's role: controller, edge or hub (default:
                        its IDENTITY capability)
  --dut-cmd 'COMMAND'   start the DUT as a local program (words split as a
                        shell would, no shell run): wait up to --dut-wait
                        for --target to accept connections, start it again
                        after a crash, stop it at the end
  --dut-wait D          how long --dut-cmd waits for the DUT's port, at
                        each start (default 30s)
  --iterations N        stop after N inputs (default 1000; 0: no bound)
  --duration D          stop after D (default 1m; 0: no bound); the run
                        stops at whichever bound comes first
  --seed N              the run seed (default: from the clock, printed)
  --max-mutations K     1..K mutations per input (default 3, at most 64)
  --phase P             opening, established or both (default both)
  --out DIR             where findings are saved (default ompconform-findings),
                        and under DIR/corpus the first input of each outcome
                        class
  --max-saved N         findings saved per signature (default 3)
  --answer D            how long to wait for an ALERT (default 1s)
  --settle D            silence that means acceptance when the DUT does not
                        answer REFRESH_REQUEST (default 200ms)
  --revive D            a fresh session must establish within D (default 3s)
  --time-unit D         one Hold Time second as the DUT counts it (default
                        1s; 10ms for the in-process reference)
  --hold-time N         the fake peer's Hold Time (default 9; 60 in-process)
  --no-probe            do not follow inputs with a REFRESH_REQUEST
  --fail-on-mismatch    exit 1 on mismatches and accepted inputs too
  --quiet               no progress line
  --replay FILE         send a saved finding again and say whether it
                        reproduces (one found on the in-process reference:
                        on a fresh one, in the finding's role and with the
                        faults it was found with)
  --shard I/N           draw only the I-th of N slices of the seed's inputs
                        (iterations I, I+N, ...): N machines with one --seed
                        fuzz one DUT without drawing an input twice
  --minimize            after the run, minimise each finding (fewer messages,
                        fewer bytes, while it reproduces) and keep one per
                        minimised reproducer and outcome
  --workers N           inputs in flight at once, each worker on sessions of
                        its own (default 8): worker w sends inputs w+1,
                        w+1+N, ... so the same --seed and --workers send the
                        same inputs on the same sessions
  --dial-ahead          open each worker's next session while its input is
                        judged (default true; --dial-ahead=false to not)
  --fault NAME          give the in-process reference this deliberate fault
                        (docs/faults.md; repeatable): see the fuzzer find it;
                        each finding records its faults (with --replay,
                        these replace the finding's)

"fuzz minimize" shrinks a saved finding; "fuzz promote" turns one into a
scenario file (docs/scenarios.md); "fuzz merge" combines the --out folders
of several runs (shards), findings deduplicated by reproducer and outcome;
"ompconform help fuzz minimize" (promote, merge) lists a subcommand's
flags. docs/fuzzing.md walks through it all.

exit status: 0 no crash or hang (with --fail-on-mismatch: no finding);
1 a crash or hang was found (with --fail-on-mismatch: any finding), or
--replay reproduced the finding; 2 usage error, --out cannot be written
(checked before the first input), the DUT could not be reached, or a
finding could not be saved (each error on standard error); 130
interrupted (Ctrl-C or SIGTERM), after the summary of what it found
`

// defaultWorkers is --workers: fixed, not the machine's core count, so
// that a seed sends the same inputs on the same sessions everywhere.
const defaultWorkers = 8

func init() {
	Register(&Command{Name: "fuzz", Summary: "fuzz a DUT over the network with mutated messages (default: the reference)", Usage: fuzzUsage, Run: runFuzz,
		Subs: map[string]string{"minimize": fuzzMinimizeUsage, "minimise": fuzzMinimizeUsage, "promote": fuzzPromoteUsage, "merge": fuzzMergeUsage}})
}

type fuzzFlags struct {
	target, role, phase, out, replay string
	dutCmd                           string
	iterations, maxMuts, maxSaved    int
	holdTime                         uint
	seed                             uint64
	seedSet                          bool
	duration, answer, settle         time.Duration
	revive, timeUnit, dutWait        time.Duration
	noProbe, failOnMismatch, quiet   bool
}

func runFuzz(env *Env, args []string) int {
	if code, ok := fuzzSub(env, args); ok {
		return code
	}
	var f fuzzFlags
	cmd := newCommand(env, "fuzz", func() string { return fuzzUsage })
	cmd.StringVar(&f.target, "target", "", "DUT address")
	cmd.StringVar(&f.role, "role", "", "DUT role")
	cmd.StringVar(&f.dutCmd, "dut-cmd", "", "start the DUT as this local program (with --target, where it listens)")
	cmd.DurationVar(&f.dutWait, "dut-wait", dut.DefaultWait, "how long --dut-cmd waits for the DUT's port")
	cmd.IntVar(&f.iterations, "iterations", 1000, "inputs")
	cmd.DurationVar(&f.duration, "duration", time.Minute, "time bound")
	cmd.Func("seed", "run seed", func(s string) error {
		_, err := fmt.Sscan(s, &f.seed)
		f.seedSet = true
		return err
	})
	cmd.IntVar(&f.maxMuts, "max-mutations", 3, "mutations per input")
	cmd.StringVar(&f.phase, "phase", "both", "phase")
	cmd.StringVar(&f.out, "out", "ompconform-findings", "findings directory")
	cmd.IntVar(&f.maxSaved, "max-saved", 3, "findings per signature")
	cmd.DurationVar(&f.answer, "answer", time.Second, "ALERT wait")
	cmd.DurationVar(&f.settle, "settle", 200*time.Millisecond, "acceptance wait")
	cmd.DurationVar(&f.revive, "revive", 3*time.Second, "session deadline")
	cmd.DurationVar(&f.timeUnit, "time-unit", 0, "hold time unit")
	cmd.UintVar(&f.holdTime, "hold-time", 0, "fake peer hold time")
	cmd.BoolVar(&f.noProbe, "no-probe", false, "no REFRESH_REQUEST probe")
	cmd.BoolVar(&f.failOnMismatch, "fail-on-mismatch", false, "mismatches fail")
	cmd.BoolVar(&f.quiet, "quiet", false, "no progress")
	cmd.StringVar(&f.replay, "replay", "", "finding to replay")
	shardSpec := cmd.String("shard", "", "I/N: this machine's slice of the seed space")
	minimize := cmd.Bool("minimize", false, "minimise and deduplicate the findings after the run")
	workers := cmd.Int("workers", defaultWorkers, "inputs in flight at once")
	ahead := cmd.Bool("dial-ahead", true, "open each worker's next session while an input is judged")
	var faults multiFlag
	cmd.Var(&faults, "fault", "a fault of the in-process reference (repeatable)")
	if exit, ok := cmd.parseFlags(args); !ok {
		return exit
	}
	fail := cmd.fail
	cfg, err := f.config()
	if err != nil {
		return fail("%v", err)
	}
	if *shardSpec != "" {
		if cfg.Shard, cfg.Shards, err = shard.Parse(*shardSpec); err != nil {
			return fail("--shard: %v", err)
		}
	}
	cfg.Minimize = *minimize
	if *workers < 1 || *workers > netfuzz.MaxWorkers {
		return fail("--workers %d: want 1..%d", *workers, netfuzz.MaxWorkers)
	}
	cfg.Workers, cfg.DialAhead = *workers, *ahead
	if cfg.Faults, err = fuzzFaults(faults, f.target); err != nil {
		return fail("%v", err)
	}
	ctx, stop := interruptible()
	defer stop()
	if f.replay != "" {
		return replayFinding(ctx, env, cfg, f.replay)
	}
	if cfg.OutDir != "" {
		// Before the first input: a run that cannot save its findings
		// would lose each one it makes.
		if err := netfuzz.PrepareOutDir(cfg.OutDir); err != nil {
			return fail("--out: %v", err)
		}
	}
	if !f.quiet {
		cfg.Progress = env.Stdout
	}
	fmt.Fprintf(env.Stdout, "ompconform fuzz: seed %d, %d workers, findings to %s\n", cfg.Seed, cfg.Workers, cfg.OutDir)
	rep, err := netfuzz.Run(ctx, cfg)
	if err != nil && ctx.Err() != nil {
		fmt.Fprintf(env.Stderr, "ompconform fuzz: interrupted before the first input (%v)\n", err)
		return ExitInterrupted
	}
	if err != nil {
		return fail("%v", err)
	}
	code := fuzzSummary(env.Stdout, env.Stderr, rep, f.failOnMismatch)
	if ctx.Err() != nil {
		// As run: an interrupted run exits 130, whatever it found (its
		// findings are saved and listed above).
		fmt.Fprintln(env.Stdout, "interrupted (Ctrl-C or SIGTERM)")
		return ExitInterrupted
	}
	return code
}

// fuzzFaults checks the --fault names, which are for the in-process
// reference only (no --target).
func fuzzFaults(names []string, target string) ([]reference.Fault, error) {
	var out []reference.Fault
	for _, n := range names {
		if target != "" {
			return nil, errors.New("--fault is for the in-process reference: not with --target")
		}
		if _, ok := reference.LookupFault(n); !ok {
			return nil, fmt.Errorf("--fault %q: no such fault (ompconform reference --list-faults)", n)
		}
		out = append(out, reference.Fault(n))
	}
	return out, nil
}

func (f *fuzzFlags) config() (netfuzz.Config, error) {
	cfg := netfuzz.Config{
		Target: f.target, Iterations: f.iterations, Duration: f.duration, Seed: f.seed,
		MaxMutations: f.maxMuts, OutDir: f.out, MaxSaved: f.maxSaved, Answer: f.answer, Settle: f.settle,
		Revive: f.revive, TimeUnit: f.timeUnit, NoProbe: f.noProbe,
	}
	if !f.seedSet {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	switch {
	case f.replay == "" && f.iterations == 0 && f.duration == 0:
		return cfg, errors.New("--iterations 0 and --duration 0: give the run a bound")
	case f.iterations < 0 || f.duration < 0:
		return cfg, errors.New("--iterations and --duration cannot be negative")
	case f.maxMuts < 1 || f.maxMuts > netfuzz.MaxMutations:
		return cfg, fmt.Errorf("--max-mutations %d: want 1..%d", f.maxMuts, netfuzz.MaxMutations)
	case f.holdTime > 0xFFFF || f.holdTime == 1 || f.holdTime == 2:
		return cfg, fmt.Errorf("--hold-time %d: want 0 or 3..65535", f.holdTime)
	}
	cfg.HoldTime = uint16(f.holdTime)
	if f.role != "" {
		r, err := omp.ParseRole(f.role)
		if err != nil {
			return cfg, err
		}
		cfg.Role = r
	}
	switch f.phase {
	case "both":
	case "opening":
		cfg.Phase = mutators.PhaseOpening
	case "established":
		cfg.Phase = mutators.PhaseEstablished
	default:
		return cfg, fmt.Errorf("--phase %q: want opening, established or both", f.phase)
	}
	if f.target != "" {
		if err := netfuzz.CheckLoopback(f.target); err != nil {
			return cfg, err
		}
	}
	if f.dutCmd != "" {
		if f.target == "" {
			return cfg, errors.New("--dut-cmd needs --target, the address the program listens on")
		}
		argv, err := splitWords(f.dutCmd)
		if err != nil {
			return cfg, fmt.Errorf("--dut-cmd: %w", err)
		}
		if f.dutWait <= 0 {
			return cfg, errors.New("--dut-wait must be positive")
		}
		cfg.DUT = dut.Command(argv, dut.Target{Addr: f.target}, f.dutWait)
	}
	return cfg, nil
}

// fuzzSummary prints the run's summary on w and its errors (findings
// not saved) on ew, and returns the exit status: a run that lost
// findings fails (ExitUsage), whatever it found.
func fuzzSummary(w, ew io.Writer, rep *netfuzz.Report, failOnMismatch bool) int {
	p := reports.Printable // the DUT's, its adapter's and its findings' words
	fmt.Fprintf(w, "\n%s: stopped (%s) after %d inputs in %s, %.1f exec/s, %d sessions, seed %d, probe %v\n",
		p(rep.DUT), rep.Stopped, rep.Iterations, rep.Elapsed.Round(time.Millisecond), rep.ExecPerSec(), rep.Sessions, rep.RunSeed, rep.Probe)
	printCounts(w, "outcomes", rep.Outcomes)
	printCounts(w, "refusals of bytes the codec accepts", rep.Refusals)
	printCounts(w, "findings by signature", rep.Signatures)
	if rep.Duplicates > 0 {
		fmt.Fprintf(w, "%d findings dropped after minimisation: the same minimised reproducer and outcome as one kept\n", rep.Duplicates)
	}
	for _, f := range rep.Findings {
		where := ""
		if f.File != "" {
			where = "\n    " + p(f.File)
		}
		if f.Minimized != nil {
			where += "\n    minimised: " + p(f.Minimized.String())
		}
		fmt.Fprintf(w, "%s%s\n", p(f.Summary), where)
	}
	for _, e := range rep.SaveErrors {
		fmt.Fprintf(ew, "ompconform fuzz: error: %s\n", p(e))
	}
	total := 0
	for _, k := range netfuzz.Kinds() {
		total += rep.Counts[k]
	}
	if more := total - len(rep.Findings) - rep.Duplicates; more > 0 {
		fmt.Fprintf(w, "%d more findings not kept: the first of each signature are (the counts above include them all)\n", more)
	}
	code := ExitOK
	switch {
	case rep.Serious() > 0:
		fmt.Fprintf(w, "FAILED: %d crashes, %d hangs\n", rep.Counts[netfuzz.KindCrash], rep.Counts[netfuzz.KindHang])
		code = ExitFailure
	case failOnMismatch && total > 0:
		fmt.Fprintf(w, "FAILED: %d mismatches, %d accepted\n", rep.Counts[netfuzz.KindMismatch], rep.Counts[netfuzz.KindAccepted])
		code = ExitFailure
	case len(rep.SaveErrors) == 0:
		fmt.Fprintf(w, "passed: no crash or hang (%d mismatches, %d accepted)\n", rep.Counts[netfuzz.KindMismatch], rep.Counts[netfuzz.KindAccepted])
	}
	if n := len(rep.SaveErrors); n > 0 {
		fmt.Fprintf(w, "FAILED: %d errors (on standard error): findings not saved, or no session with the DUT\n", n)
		return ExitUsage
	}
	return code
}

func printCounts(w io.Writer, title string, m map[string]int) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(w, "%s:\n", title)
	for _, k := range keys {
		fmt.Fprintf(w, "  %6d  %s\n", m[k], reports.Printable(k))
	}
}

func replayFinding(ctx context.Context, env *Env, cfg netfuzz.Config, path string) int {
	fd, err := netfuzz.Load(path)
	if err != nil {
		fmt.Fprintf(env.Stderr, "ompconform fuzz: %v\n", err)
		return ExitUsage
	}
	cfg.OutDir = "" // a replay saves nothing
	// The finding file's words, printed escaped.
	fmt.Fprintf(env.Stdout, "replaying %s: %s\n", reports.Printable(path), reports.Printable(fd.Summary))
	res, err := netfuzz.Replay(ctx, cfg, fd)
	if err != nil {
		fmt.Fprintf(env.Stderr, "ompconform fuzz: %v\n", err)
		if errors.Is(err, netfuzz.ErrInterrupted) || ctx.Err() != nil {
			return ExitInterrupted
		}
		return ExitUsage
	}
	fmt.Fprintf(env.Stdout, "%s: %s\n", reports.Printable(res.DUT), reports.Printable(res.String()))
	if res.Reproduced {
		return ExitFailure
	}
	return ExitOK
}
