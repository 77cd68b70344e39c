package netfuzz

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// Report is the result of a run.
type Report struct {
	DUT     string
	RunSeed uint64
	// Iterations counts inputs sent; Sessions the sessions opened.
	Iterations int
	Sessions   int
	Elapsed    time.Duration
	// Counts are findings by kind (every one, kept or not); Findings the
	// ones kept (MaxSaved per signature).
	Counts   map[Kind]int
	Findings []*Finding
	// Signatures counts findings by signature.
	Signatures map[string]int
	// Outcomes counts the inputs that are not findings, by how they went.
	Outcomes map[string]int
	// Refusals counts, by ALERT, the DUT's answers to bytes the codec
	// accepts (Outcomes "semantic", "earlier-frame", "fsm-differs").
	Refusals map[string]int
	// Probe says the REFRESH_REQUEST probe was in use.
	Probe bool
	// Stopped says why the run ended: "iterations", "duration",
	// "canceled", "DUT dead".
	Stopped string
	// SaveErrors are findings (or corpus files) that could not be
	// written, and why no session with the DUT opened when none did: a
	// run with any did not keep all it found.
	SaveErrors []string
	// Duplicates counts findings dropped after minimisation: their
	// minimised reproducer and outcome were another finding's.
	Duplicates int
}

// ExecPerSec is iterations per second.
func (r *Report) ExecPerSec() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Iterations) / r.Elapsed.Seconds()
}

// Bench is what ReportBench needs of a *testing.B.
type Bench interface {
	Helper()
	Errorf(format string, args ...any)
	ReportMetric(n float64, unit string)
}

// ReportBench reports a benchmark's run: its rates (inputs/s,
// sessions/s) as metrics, and a crash or hang as an error.
func (r *Report) ReportBench(b Bench) {
	b.Helper()
	if r.Serious() > 0 {
		b.Errorf("crashes or hangs: %v", r.Counts)
	}
	b.ReportMetric(float64(r.Iterations)/r.Elapsed.Seconds(), "inputs/s")
	b.ReportMetric(float64(r.Sessions)/r.Elapsed.Seconds(), "sessions/s")
}

// Serious is how many crashes and hangs were found.
func (r *Report) Serious() int { return r.Counts[KindCrash] + r.Counts[KindHang] }

// Line is the progress line: iterations, exec/s, findings by kind.
func (r *Report) Line() string {
	var b strings.Builder
	fmt.Fprintf(&b, "fuzz: %6.1fs %7d iterations %7.1f exec/s %6d sessions | findings:", r.Elapsed.Seconds(), r.Iterations, r.ExecPerSec(), r.Sessions)
	for _, k := range Kinds() {
		fmt.Fprintf(&b, " %s %d", k, r.Counts[k])
	}
	keys := make([]string, 0, len(r.Outcomes))
	for k := range r.Outcomes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	b.WriteString(" |")
	for _, k := range keys {
		fmt.Fprintf(&b, " %s %d", k, r.Outcomes[k])
	}
	return b.String()
}

// maxKept bounds the findings a run keeps and saves, whatever their
// signatures.
const maxKept = 500

// fuzzer is one run.
type fuzzer struct {
	cfg     Config
	c       *conn // the run's own: calibration, crash replays, minimisation
	opening []Seed
	estab   []Seed
	start   time.Time

	mu  sync.Mutex // guards rep
	rep *Report

	cbMu sync.Mutex // serialises OnInput and OnFinding

	classes map[string]bool // the corpus's outcome classes (f.mu)

	deadMu  sync.Mutex
	deadErr error // why a worker found the DUT dead, this epoch
	cancel  context.CancelFunc
}

// Run fuzzes the DUT of cfg until a bound is reached or ctx ends.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if cfg.OutDir != "" {
		if err := PrepareOutDir(cfg.OutDir); err != nil {
			return nil, err
		}
	}
	corpus := cfg.Corpus
	if corpus == nil {
		if corpus, err = DefaultCorpus(); err != nil {
			return nil, err
		}
	}
	d, err := startDUT(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer d.close()
	f := &fuzzer{cfg: cfg, c: newConn(cfg, d), start: time.Now(),
		rep: &Report{DUT: d.describe(), RunSeed: cfg.Seed, Counts: map[Kind]int{}, Signatures: map[string]int{}, Outcomes: map[string]int{}, Refusals: map[string]int{}}}
	for _, s := range corpus {
		defaults.Positive(&s.Weight, 1)
		if s.Phase == mutators.PhaseOpening {
			f.opening = append(f.opening, s)
		} else {
			f.estab = append(f.estab, s)
		}
	}
	stopProgress := f.progress()
	if f.calibrate(ctx) {
		f.loop(ctx)
	}
	stopProgress()
	if cfg.Minimize {
		f.minimizeAll(ctx)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rep.Probe = f.c.probe() != nil
	f.rep.Elapsed = time.Since(f.start)
	return f.rep, nil
}

// calibrate opens the run's first established session, which learns
// whether the DUT sends End-of-RIB and answers the probe, before the
// workers start; false when no session opens.
func (f *fuzzer) calibrate(ctx context.Context) bool {
	if f.cfg.Phase == mutators.PhaseOpening || len(f.estab) == 0 {
		return true
	}
	s, err := f.c.open(ctx, mutators.PhaseEstablished)
	if err != nil {
		if ctx.Err() != nil {
			f.stop("canceled")
			return false
		}
		f.mu.Lock()
		f.rep.SaveErrors = append(f.rep.SaveErrors, "no session with the DUT: "+err.Error())
		f.mu.Unlock()
		f.stop("DUT dead")
		return false
	}
	f.mu.Lock()
	f.rep.Sessions++
	f.mu.Unlock()
	s.close()
	return true
}

// progress starts the progress printer; the function it returns stops it
// and prints the last line.
func (f *fuzzer) progress() func() {
	if f.cfg.Progress == nil {
		return func() {}
	}
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(f.cfg.ProgressEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				io.WriteString(f.cfg.Progress, f.line()+"\n")
			}
		}
	}()
	return func() {
		close(done)
		wg.Wait()
		io.WriteString(f.cfg.Progress, f.line()+"\n")
	}
}

func (f *fuzzer) line() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rep.Elapsed = time.Since(f.start)
	return f.rep.Line()
}

// finding is a finding about the last input of s.
func (f *fuzzer) finding(k Kind, s *sess, detail string) *Finding {
	in := s.inputs[len(s.inputs)-1]
	fd := &Finding{
		Kind: k, Time: time.Now(), Target: f.c.d.addr, InProcess: f.c.d.inProcess, Faults: f.c.d.faults, Role: f.c.d.role.String(),
		SessionPhase: s.phase, History: append([]Input(nil), s.inputs[:len(s.inputs)-1]...), Truncated: s.truncated,
		Input: in, Detail: detail, Transcript: entries(s.tr),
	}
	fd.Signature = signature(k, &in)
	fd.Summary = summary(k, &in, detail)
	fd.Reproducer = ReproducerKey(fd)
	if f.cfg.Shards > 1 {
		fd.Shard = fmt.Sprintf("%d/%d", f.cfg.Shard, f.cfg.Shards)
	}
	return fd
}

// record files a finding about the last input of s.
func (f *fuzzer) record(k Kind, s *sess, detail string) {
	fd := f.finding(k, s, detail)
	in := fd.Input
	f.mu.Lock()
	f.rep.Counts[k]++
	f.rep.Signatures[fd.Signature]++
	keep := f.rep.Signatures[fd.Signature] <= f.cfg.MaxSaved && len(f.rep.Findings) < maxKept
	f.mu.Unlock()
	f.cfg.Logger.Info("finding", "kind", string(k), "iteration", in.Iteration, "summary", fd.Summary)
	if !keep {
		return
	}
	if f.cfg.OutDir != "" {
		if err := fd.Save(f.cfg.OutDir); err != nil {
			f.mu.Lock()
			f.rep.SaveErrors = append(f.rep.SaveErrors, err.Error())
			f.mu.Unlock()
		}
	}
	f.mu.Lock()
	f.rep.Findings = append(f.rep.Findings, fd)
	f.mu.Unlock()
	if f.cfg.OnFinding != nil {
		f.cbMu.Lock()
		f.cfg.OnFinding(fd)
		f.cbMu.Unlock()
	}
	if fd.File != "" && !f.cfg.Minimize {
		// Saved: the file has the transcript; the run keeps up to
		// maxKept findings in memory, each without it (minimisation,
		// after the run, rewrites the file from the finding).
		f.mu.Lock()
		fd.Transcript = nil
		f.mu.Unlock()
	}
}

func summary(k Kind, in *Input, detail string) string {
	what := fmt.Sprintf("%s input %d (%s; %s)", in.Phase, in.Iteration, in.Seed, orNone(in.Described))
	switch k {
	case KindCrash:
		return fmt.Sprintf("crash: after %s no session opens: %s", what, detail)
	case KindHang:
		return fmt.Sprintf("hang: %s: expected %s; %s", what, in.Expected, in.Observed)
	case KindAccepted:
		return fmt.Sprintf("accepted: %s: expected %s; the DUT took it (%s)", what, in.Expected, in.Observed)
	}
	return fmt.Sprintf("mismatch: %s: expected %s; received %s", what, in.Expected, in.Observed)
}

func orNone(s string) string {
	if s == "" {
		return "unmutated"
	}
	return s
}

// draw picks a seed for the phase and mutates it; c gives the fake
// peer's own HANDSHAKE for the opening phase.
func (f *fuzzer) draw(ctx context.Context, rng *rand.Rand, iter int, phase mutators.Phase, c *conn) Input {
	seeds := f.estab
	if phase == mutators.PhaseOpening {
		own, err := SeedOf("session:handshake", mutators.PhaseOpening, c.openingHandshake(iter))
		if err == nil {
			own.Weight = 3 * len(f.opening)
			if own.Weight == 0 {
				own.Weight = 1
			}
			seeds = append([]Seed{own}, f.opening...)
		} else {
			seeds = f.opening
		}
	}
	seed := pick(rng, seeds)
	muts, wire := Mutate(ctx, rng, seed.Wire, seed.Fields, 1+rng.IntN(f.cfg.MaxMutations))
	wire, pad := Complete(wire)
	return Input{
		Iteration: iter, Phase: phase, RunSeed: f.cfg.Seed, Seed: seed.Name, SeedHex: hex.EncodeToString(seed.Wire),
		Mutations: muts, Described: mutators.Describe(muts), Hex: hex.EncodeToString(wire), Padding: pad,
	}
}

func pick(rng *rand.Rand, seeds []Seed) Seed {
	total := 0
	for _, s := range seeds {
		total += max(s.Weight, 1)
	}
	n := rng.IntN(total)
	for _, s := range seeds {
		n -= max(s.Weight, 1)
		if n < 0 {
			return s
		}
	}
	return seeds[len(seeds)-1]
}

// Mutate draws up to k random mutations of wire (mutators.Random, each
// resolved against the original wire and field map) and applies those
// that combine (mutators.Apply refuses overlapping ones). It returns the
// mutations kept and the result; with none kept, wire itself. k is
// capped at MaxMutations (each draw re-applies every mutation kept, so
// the work grows as k squared), and Mutate stops drawing when ctx ends
// (the run's --duration, Ctrl-C), returning what it has kept so far.
func Mutate(ctx context.Context, rng *rand.Rand, wire []byte, fm omp.FieldMap, k int) ([]mutators.Mutation, []byte) {
	var muts []mutators.Mutation
	out := wire
	for range min(k, MaxMutations) {
		if ctx.Err() != nil {
			break
		}
		m, _, err := mutators.Random(rng, wire, fm)
		if err != nil {
			continue
		}
		try := append(append([]mutators.Mutation(nil), muts...), m)
		b, err := mutators.Apply(wire, fm, try...)
		if err != nil || len(b) > 0xFFFF {
			continue
		}
		muts, out = try, b
	}
	return muts, out
}
