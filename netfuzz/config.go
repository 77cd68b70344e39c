// Package netfuzz is a structure-aware network fuzzer for OMP speakers.
//
// Each iteration takes a valid message (a fixture, a message built for
// the session's phase, or the fake peer's own HANDSHAKE), applies 1..k
// random mutations (mutators.Random, drawn from a seeded stream, so every
// input is reproducible), sends it to the DUT from a fake peer (peers/fake)
// and watches what comes back: an ALERT, a close, or silence. What must
// come back is derived from the bytes: the codec (omp.Decode of each frame
// the DUT frames) gives the ALERT; for frames that decode, the state
// machine of docs/fsm.md says whether the session's state allows them.
//
// Findings, each saved as JSON with the run seed, the mutations, the exact
// bytes, the earlier inputs of the session and its transcript, so that
// Replay reproduces them:
//
//   - crash: after the input a fresh session no longer establishes within
//     Config.Revive (the DUT died or went deaf);
//   - hang: no answer, and no HELLO for longer than the negotiated hold time;
//   - mismatch: an ALERT other than the codec's (or a close without one);
//   - accepted: no ALERT, session up, for bytes the codec rejects.
//
// A message the codec accepts and the DUT refuses (a Domain ID the DUT
// does not serve, an UPDATE its RIB rejects) is not a finding: the codec
// knows the layout, not the DUT's configuration. Such outcomes are counted
// (Report.Outcomes), as are answers that disagree with the state machine
// model only. A HEADER ALERT for bytes the codec accepts is a mismatch.
//
// Established sessions are reused while the DUT accepts what it is sent.
// When the DUT negotiated REFRESH, every input is followed by a
// REFRESH_REQUEST (the probe): its End-of-RIB tells, without waiting,
// that the DUT took the input without an ALERT.
//
// Network: loopback only. Every wait has a deadline and every goroutine
// (fake peers, the in-process reference, the progress printer) is stopped
// before Run returns.
package netfuzz

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
)

// MaxWorkers bounds Config.Workers.
const MaxWorkers = 64

// MaxMutations bounds Config.MaxMutations (--max-mutations): Mutate
// re-applies every mutation kept at each draw, k squared in all.
const MaxMutations = 64

// Config is a fuzzing run.
type Config struct {
	// Target is the DUT, host:port on loopback. Empty starts the
	// reference speaker in-process.
	Target string
	// DUT, if set, starts the DUT listening on Target (dut.Command: a
	// local program), and starts it again after a crash; nil reaches
	// Target as it is.
	DUT dut.Factory
	// Role is the DUT's role; 0 learns it from its HANDSHAKE's IDENTITY
	// (the in-process reference: controller).
	Role omp.Role
	// Seed seeds the run: the same seed, corpus and DUT behaviour draw the
	// same inputs.
	Seed uint64
	// Iterations and Duration bound the run; it stops at whichever comes
	// first. Zero is no bound; with both zero, 1000 iterations. Duration
	// bounds a Replay too.
	Iterations int
	Duration   time.Duration
	// MaxMutations is k: each input gets 1..k mutations (default 3,
	// at most the package's MaxMutations).
	MaxMutations int
	// Phase restricts the inputs to one phase; 0 mixes them, with
	// OpeningPercent (default 20) of opening-phase inputs.
	Phase          mutators.Phase
	OpeningPercent int
	// OutDir receives the findings as JSON; empty saves none.
	OutDir string
	// MaxSaved bounds the findings kept and saved per signature (default
	// 3); the others are counted.
	MaxSaved int
	// Answer bounds the wait for an ALERT or the probe's answer (default
	// 1s). Settle is how long silence means acceptance when there is no
	// probe (default 200ms).
	Answer time.Duration
	Settle time.Duration
	// Revive bounds the opening of a fresh session (default 3s): a DUT
	// that does not establish one within it has crashed.
	Revive time.Duration
	// TimeUnit is one second of Hold Time on the wire, as the DUT counts
	// it (default 1s; the in-process reference runs with 10ms).
	TimeUnit time.Duration
	// HoldTime is the fake peer's HANDSHAKE Hold Time (default 9, or 60
	// with the in-process reference). The negotiated hold time bounds the
	// wait that tells a hang from a DUT that is alive.
	HoldTime uint16
	// NoProbe turns the REFRESH_REQUEST probe off.
	NoProbe bool
	// Progress, if set, gets a progress line every ProgressEvery
	// (default 1s) and at the end.
	Progress      io.Writer
	ProgressEvery time.Duration
	// Corpus replaces DefaultCorpus.
	Corpus []Seed
	// OnInput, if set, is called with each input once judged.
	OnInput func(Input)
	// OnFinding, if set, is called with each finding kept.
	OnFinding func(*Finding)
	// Logger receives debug logs; nil discards them.
	Logger *slog.Logger

	// Shard and Shards split the seed space (shard.go): shard i of n
	// (1 <= i <= n) draws the inputs of iterations i, i+n, i+2n, ...
	// of the run seed, so n machines with the same seed fuzz one DUT
	// without drawing the same input twice. Zero: 1 of 1.
	Shard, Shards int
	// Minimize minimises every finding kept after the run (minimize.go)
	// and keeps one finding per minimised reproducer and outcome;
	// MinimizeTries bounds the replays spent on one finding (default 48)
	// and MinimizeTime the time (default 30s).
	Minimize      bool
	MinimizeTries int
	MinimizeTime  time.Duration

	// Workers is how many inputs are in flight at once (default 1), each
	// worker on sessions of its own (worker.go): worker w of W (from 0)
	// sends the shard's inputs n = w+1, w+1+W, ... in order. An input's
	// bytes are a function of the seed and its iteration; the session it
	// is sent on, of the seed, the iteration and Workers: the same seed
	// and Workers send the same inputs on the same sessions.
	Workers int
	// DialAhead makes each worker open its next established session
	// while its current input is judged.
	DialAhead bool
	// Faults are deliberate faults (docs/faults.md) the in-process
	// reference is started with: a fuzzer that works finds them.
	Faults []reference.Fault
}

func (c Config) withDefaults() (Config, error) {
	if c.Iterations < 0 || c.Duration < 0 {
		return c, errors.New("netfuzz: negative iterations or duration")
	}
	if c.Iterations == 0 && c.Duration == 0 {
		c.Iterations = 1000
	}
	defaults.Positive(&c.MaxMutations, 3)
	if c.MaxMutations > MaxMutations {
		return c, fmt.Errorf("netfuzz: %d mutations per input: at most %d", c.MaxMutations, MaxMutations)
	}
	defaults.Positive(&c.OpeningPercent, 20)
	if c.OpeningPercent > 100 {
		c.OpeningPercent = 100
	}
	defaults.Positive(&c.MaxSaved, 3)
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Answer, time.Second)
	def(&c.Settle, 200*time.Millisecond)
	def(&c.Revive, 3*time.Second)
	def(&c.ProgressEvery, time.Second)
	if c.Target == "" {
		def(&c.TimeUnit, 10*time.Millisecond)
		if c.HoldTime == 0 {
			c.HoldTime = omp.DefaultHoldTime
		}
	} else {
		def(&c.TimeUnit, time.Second)
		if c.HoldTime == 0 {
			c.HoldTime = 9
		}
		if err := CheckLoopback(c.Target); err != nil {
			return c, err
		}
		if host, port, _ := net.SplitHostPort(c.Target); host == "localhost" {
			c.Target = net.JoinHostPort("127.0.0.1", port)
		}
	}
	if c.HoldTime == 1 || c.HoldTime == 2 {
		return c, fmt.Errorf("netfuzz: hold time %d: must be 0 or at least 3", c.HoldTime)
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Shards == 0 && c.Shard == 0 {
		c.Shard, c.Shards = 1, 1
	}
	if c.Shards < 1 || c.Shard < 1 || c.Shard > c.Shards {
		return c, fmt.Errorf("netfuzz: shard %d/%d: want 1 <= i <= n", c.Shard, c.Shards)
	}
	defaults.Positive(&c.Workers, 1)
	if c.Workers > MaxWorkers {
		return c, fmt.Errorf("netfuzz: %d workers: at most %d", c.Workers, MaxWorkers)
	}
	if c.DUT != nil && c.Target == "" {
		return c, errors.New("netfuzz: a DUT to start needs the target it listens on")
	}
	if len(c.Faults) > 0 && c.Target != "" {
		return c, errors.New("netfuzz: faults are for the in-process reference: no target with them")
	}
	defaults.Positive(&c.MinimizeTries, 48)
	def(&c.MinimizeTime, 30*time.Second)
	return c, nil
}

// CheckLoopback accepts host:port on a loopback address (127.0.0.0/8,
// ::1, or localhost) only.
func CheckLoopback(target string) error {
	host, port, err := net.SplitHostPort(target)
	if err != nil {
		return fmt.Errorf("netfuzz: target %q: want host:port", target)
	}
	if port == "" {
		return fmt.Errorf("netfuzz: target %q: no port", target)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.Unmap().IsLoopback() {
		return fmt.Errorf("netfuzz: target %q: the fuzzer only talks to loopback addresses (127.0.0.0/8, ::1)", target)
	}
	return nil
}
