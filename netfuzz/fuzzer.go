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
	// SaveErrors are findings that could not be written.
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
	c       *conn
	opening []Seed
	estab   []Seed
	start   time.Time

	mu  sync.Mutex // guards rep for the progress printer
	rep *Report

	live *sess // the established session being reused
	last *sess // the session of the last iteration, blamed for a crash
}

// Run fuzzes the DUT of cfg until a bound is reached or ctx ends.
func Run(ctx context.Context, cfg Config) (*Report, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
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
	f := &fuzzer{cfg: cfg, c: &conn{cfg: cfg, d: d}, start: time.Now(),
		rep: &Report{DUT: d.describe(), RunSeed: cfg.Seed, Counts: map[Kind]int{}, Signatures: map[string]int{}, Outcomes: map[string]int{}, Refusals: map[string]int{}}}
	for _, s := range corpus {
		if s.Weight <= 0 {
			s.Weight = 1
		}
		if s.Phase == PhaseOpening {
			f.opening = append(f.opening, s)
		} else {
			f.estab = append(f.estab, s)
		}
	}
	stopProgress := f.progress()
	f.loop(ctx)
	if f.live != nil {
		f.live.close()
	}
	stopProgress()
	if cfg.Minimize {
		f.minimizeAll(ctx)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rep.Probe = f.c.probe
	f.rep.Elapsed = time.Since(f.start)
	return f.rep, nil
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

func (f *fuzzer) loop(ctx context.Context) {
	var deadline time.Time
	if f.cfg.Duration > 0 {
		deadline = f.start.Add(f.cfg.Duration)
	}
	for n := 1; ; n++ {
		iter := f.cfg.iteration(n) // this shard's n-th input
		switch {
		case ctx.Err() != nil:
			f.stop("canceled")
			return
		case f.cfg.Iterations > 0 && n > f.cfg.Iterations:
			f.stop("iterations")
			return
		case !deadline.IsZero() && time.Now().After(deadline):
			f.stop("duration")
			return
		}
		if !f.iterate(ctx, iter) {
			f.stop("DUT dead")
			return
		}
	}
}

func (f *fuzzer) stop(why string) {
	f.mu.Lock()
	f.rep.Stopped = why
	f.mu.Unlock()
}

func (f *fuzzer) count(stat string) {
	f.mu.Lock()
	f.rep.Outcomes[stat]++
	f.mu.Unlock()
}

// iterate runs iteration iter; false when the DUT is dead for good.
func (f *fuzzer) iterate(ctx context.Context, iter int) bool {
	rng := rand.New(rand.NewPCG(f.cfg.Seed, uint64(iter)))
	phase := f.cfg.Phase
	if phase == 0 {
		phase = PhaseEstablished
		if len(f.opening) > 0 && rng.IntN(100) < f.cfg.OpeningPercent {
			phase = PhaseOpening
		}
	}
	if f.live != nil {
		f.live.p.Drain()
	}
	var s *sess
	if phase == PhaseEstablished && f.live != nil {
		s = f.live
	} else {
		var err error
		if s, err = f.openSession(ctx, phase); err != nil {
			if ctx.Err() != nil {
				return true // the loop sees it
			}
			return f.crashed(ctx, err)
		}
	}
	in := f.draw(rng, iter, phase, s)
	var probe []byte
	if f.c.probe {
		probe = f.c.probeBytes
	}
	v := f.c.try(ctx, s, &in, probe)
	if f.cfg.OnInput != nil {
		f.cfg.OnInput(in)
	}
	f.last = s
	f.mu.Lock()
	f.rep.Iterations++
	f.mu.Unlock()

	ended := in.Observed.Outcome == OutAlert || in.Observed.Outcome == OutClose
	if v.kind == KindMismatch && in.Observed.Outcome == OutClose {
		// A close without the ALERT: did the DUT die? Check at once,
		// with the session the next iteration would open anyway.
		s.close()
		if f.live == s {
			f.live = nil
		}
		ns, err := f.openSession(ctx, PhaseEstablished)
		if err != nil && ctx.Err() == nil {
			return f.crashed(ctx, err)
		}
		f.live = ns
	}
	if v.kind != "" {
		f.record(v.kind, s, "")
	} else {
		f.count(v.stat)
		if a := in.Observed.Alert; a != nil && v.stat != StatAgreeAlert && v.stat != StatAgreeFSM && v.stat != StatAgreeData {
			f.mu.Lock()
			f.rep.Refusals[in.Phase.String()+" "+a.Name]++
			f.mu.Unlock()
		}
	}
	// The session goes when it ended, when what the DUT did leaves its
	// state unknown, and after maxHistory inputs (its transcript grows).
	if ended || phase == PhaseOpening || v.kind != "" || in.Expected.Refresh || v.stat == StatUnconfirmed || len(s.inputs) >= maxHistory {
		if !s.ended {
			s.close()
		}
		if f.live == s {
			f.live = nil
		}
	} else if phase == PhaseEstablished {
		f.live = s
	}
	return true
}

func (f *fuzzer) openSession(ctx context.Context, phase Phase) (*sess, error) {
	s, err := f.c.open(ctx, phase)
	if err == nil {
		f.mu.Lock()
		f.rep.Sessions++
		f.mu.Unlock()
	}
	return s, err
}

// crashed records a crash against the last session that ended, and
// restarts an in-process DUT; false when the DUT stays dead.
func (f *fuzzer) crashed(ctx context.Context, err error) bool {
	s := f.last
	if f.live != nil {
		f.live.close()
		f.live = nil
	}
	if s == nil || len(s.inputs) == 0 {
		// No input to blame: the DUT was never fuzzed on a session.
		f.mu.Lock()
		f.rep.SaveErrors = append(f.rep.SaveErrors, "no session with the DUT: "+err.Error())
		f.mu.Unlock()
		return false
	}
	f.record(KindCrash, s, err.Error())
	f.last = nil
	return f.c.d.restart(ctx, f.cfg.Revive)
}

// record files a finding about the last input of s.
func (f *fuzzer) record(k Kind, s *sess, detail string) {
	in := s.inputs[len(s.inputs)-1]
	fd := &Finding{
		Kind: k, Time: time.Now(), Target: f.c.d.addr, InProcess: f.c.d.inProcess, Role: f.c.d.role.String(),
		SessionPhase: s.phase, History: append([]Input(nil), s.inputs[:len(s.inputs)-1]...), Truncated: s.truncated,
		Input: in, Detail: detail, Transcript: entries(s.tr),
	}
	fd.Signature = signature(k, &in)
	fd.Summary = summary(k, &in, detail)
	fd.Reproducer = ReproducerKey(fd)
	if f.cfg.Shards > 1 {
		fd.Shard = fmt.Sprintf("%d/%d", f.cfg.Shard, f.cfg.Shards)
	}
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
		f.cfg.OnFinding(fd)
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

// draw picks a seed for the phase and mutates it.
func (f *fuzzer) draw(rng *rand.Rand, iter int, phase Phase, s *sess) Input {
	seeds := f.estab
	if phase == PhaseOpening {
		own, err := SeedOf("session:handshake", PhaseOpening, s.p.Handshake())
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
	muts, wire := Mutate(rng, seed.Wire, seed.Fields, 1+rng.IntN(f.cfg.MaxMutations))
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
// mutations kept and the result; with none kept, wire itself.
func Mutate(rng *rand.Rand, wire []byte, fm omp.FieldMap, k int) ([]mutators.Mutation, []byte) {
	var muts []mutators.Mutation
	out := wire
	for range k {
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
