package runner

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// Started is a DUT started (or reached) and probed once, on which the
// caller runs cases one by one with RunCase, each followed by the
// liveness check that Run does after every case: a DUT that no longer
// opens a fresh session is reported against the case and replaced. It is
// for callers that schedule cases themselves: the ginkgo suite runs each
// case in its own spec, in every process ginkgo -p starts.
type Started struct {
	r     *run
	head  Report
	share Share
	one   sync.Mutex // listen mode: one case at a time

	mu     sync.Mutex
	ran    map[int]string // the Seq of each case run returned, to its case ID
	blamed map[int]bool   // the Seqs RunCase already blamed for a reflection
}

// Share is the part of the case-run numbering (catalog.Env.Seq, from which
// the fake peers' Router IDs, Site IDs, TLOCs and VPNs derive) that one of
// several processes testing the same DUT at once uses, so that their
// identities never collide: process Index (from 1) of Of numbers its case
// runs from the start of the Index-th of Of equal slices of the 16-bit
// space. The zero Share is the whole space. A process that runs more case
// runs than its slice holds (a case, its liveness check and its retries
// take one to four) spills into the next slice.
type Share struct{ Index, Of int }

func (s Share) stride() int {
	if s.Of <= 1 || s.Index < 1 || s.Index > s.Of {
		return 0
	}
	return 0x10000 / s.Of
}

func (s Share) base() int { return (s.Index - 1) * s.stride() }

// Start starts the DUT cfg.Factory gives and learns it on a probe
// session, as Run does before its first case. An error means no case can
// run: the DUT did not start, it did not open a session (a
// *NoSessionError), or it announces another role than the Target's (a
// *RoleError, unless cfg.ForceRole). cfg.Parallel is not used: the caller
// decides what runs at once. Close the Started when done.
func Start(ctx context.Context, cfg Config, sh Share) (*Started, error) {
	if cfg.Factory == nil {
		return nil, errors.New("runner: no DUT factory")
	}
	cfg = cfg.withDefaults()
	r := &run{cfg: cfg, base: envDefaults(cfg.Env), budget: transcript.NewBudget(cfg.TranscriptBytes)}
	r.seq.Store(int64(sh.base()))
	r.seqFrom = int64(sh.base())
	s := &Started{r: r, share: sh, ran: map[int]string{}, blamed: map[int]bool{}}
	if cfg.Listen != "" {
		ln, err := listen(cfg.Listen, cfg.AcceptTimeout, cfg.ListenTLS)
		if err != nil {
			return nil, fmt.Errorf("runner: listen mode: %w", err)
		}
		r.ln = ln
	}
	dut, err := cfg.Factory(ctx)
	if err != nil {
		s.closeListener()
		return nil, fmt.Errorf("runner: start the DUT: %w", err)
	}
	r.dut = &closeOnce{DUT: dut}
	t := dut.Target()
	s.head = Report{Target: r.describeTarget(t), Start: time.Now(), LenientGate: cfg.LenientGate}
	hs, err := r.learn(ctx, t)
	if err != nil {
		s.Close()
		return nil, err
	}
	s.head.Role, s.head.DUT, s.head.Hello = r.base.Role, omp.Describe(hs), hs
	return s, nil
}

// withDefaults fills the zero fields of a Config as Run does.
func (c Config) withDefaults() Config {
	c.Parallel = max(c.Parallel, 1)
	defaults.Positive(&c.CaseTimeout, 2*time.Minute)
	defaults.Positive(&c.ConnectTimeout, 5*time.Second)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	defaults.Positive(&c.AcceptTimeout, DefaultAcceptTimeout)
	defaults.Positive(&c.TranscriptBytes, DefaultTranscriptBytes)
	return c
}

// learn probes the DUT as Run does before its first case (the probe's
// fake peer plays the harness role for the DUT's role; a DUT of unknown
// role is probed as a controller, then as an edge; the DUT's Domain ID is
// learnt from a HANDSHAKE it sent before refusing ours), checks its role
// and sets the run's base Env from its HANDSHAKE.
func (r *run) learn(ctx context.Context, t Target) (*omp.Handshake, error) {
	r.base.Role = t.Role
	if r.ln != nil && t.Role == 0 {
		r.base.Role = catalog.Edge
	}
	hs, err := r.probe(ctx, t)
	if err != nil && hs != nil {
		// The DUT sent its HANDSHAKE and then refused the probe's, which
		// could not yet echo it: once more with what it said (its Domain
		// ID, its families).
		if hs.DomainID != r.base.DomainID() {
			r.notef("the DUT is in Domain ID %d; the fake peers use it", hs.DomainID)
		}
		r.base.DUT = hs
		hs, err = r.probe(ctx, t)
	}
	if err != nil && t.Role == 0 && r.ln == nil {
		r.base.Role = catalog.Edge
		if hs2, err2 := r.probe(ctx, t); err2 == nil {
			hs, err = hs2, nil
		}
	}
	// The role given must be the one the DUT's IDENTITY announces. A DUT
	// of another role may refuse the fake peer's personality (a hub, an
	// edge's): its own HANDSHAKE, if it came first, says what it is.
	if hs != nil && t.Role != 0 && !r.cfg.ForceRole {
		if got := roleOf(hs); got != 0 && got != t.Role {
			return nil, &RoleError{Target: r.describeTarget(t), Given: t.Role, Announced: got}
		}
	}
	if err != nil {
		if t.Role != 0 && strings.Contains(err.Error(), "PERSONALITY_MISMATCH") {
			err = fmt.Errorf("%w (the DUT refused the fake peer, which plays the peer of %s DUT: check --role)", err, aRole(t.Role))
		}
		return nil, &NoSessionError{Target: r.describeTarget(t), Err: err}
	}
	r.base.DUT = hs
	probed := r.base.Role // the role the session that opened was played to
	r.base.Role = t.Role
	if r.base.Role == 0 {
		r.base.Role = roleOf(hs)
	}
	if r.base.Role == 0 {
		r.base.Role = cmp.Or(probed, catalog.Controller)
		r.notef("the DUT's HANDSHAKE names no role (IDENTITY); taken for the role its session opened as: %s", r.base.Role)
	}
	// The probe's HANDSHAKE could not offer the DUT's families, unknown
	// until then: a DUT that ends its initial advertisement with one EOR
	// per negotiated family sent none, and advertised nothing. A second
	// session, opened as every case's is, learns both.
	if len(hs.Families()) > 0 {
		r.probedNoEOR, r.ownRoute = false, nil
		// Tried as the check after a case tries: a DUT may take a moment
		// to accept again after a session.
		if err := r.live(ctx, t, nil); err != nil {
			return nil, &NoSessionError{Target: r.describeTarget(t), Err: fmt.Errorf("a session offering the DUT's own families: %w", err)}
		}
	}
	r.base.NoInitialEOR, r.base.OwnRoute = r.probedNoEOR, r.ownRoute
	if r.probedNoEOR {
		r.notef("the DUT sent no OMP_INFORM_EOR after its initial advertisement: openings do not wait for one")
	}
	return hs, nil
}

// Head is the report of the run so far without its results: the target,
// the DUT's role and HANDSHAKE, the start, the notes.
func (s *Started) Head() Report {
	h := s.head
	s.r.mu.Lock()
	h.Notes = append([]string(nil), s.r.notes...)
	s.r.mu.Unlock()
	h.Duration = time.Since(h.Start)
	return h
}

// RunCase runs one case and the liveness check after it, as Run does,
// and returns its result; a case that does not apply to the DUT's role
// is SKIPPED. A case whose malformed UPDATE the DUT reflected to a case
// run of this Started before it returned is failed for it. RunCase may be
// called from several goroutines at once, except in listen mode, where
// calls take turns.
func (s *Started) RunCase(ctx context.Context, c *catalog.Case) Result {
	if s.r.ln != nil {
		s.one.Lock()
		defer s.one.Unlock()
	}
	rep := Report{Results: []Result{s.r.runCase(ctx, c)}}
	s.r.blameReflected(&rep)
	res := rep.Results[0]
	if res.seq != 0 {
		seq := res.seq & 0xFFFF
		s.r.mu.Lock()
		rf, blamed := s.r.foreign[seq]
		blamed = blamed || rf.excused(c)
		s.r.mu.Unlock()
		s.mu.Lock()
		s.ran[seq], s.blamed[seq] = res.ID, blamed
		s.mu.Unlock()
	}
	return res
}

// Unblamed lists the malformed UPDATEs the DUT accepted and reflected to
// this Started's fake peers whose sending case's result was already
// returned (it ended before the reflection arrived) or was never run
// here (another process's case run, by its Share): the gate fails on
// each, as Run fails the sending case.
func (s *Started) Unblamed() []string {
	s.r.mu.Lock()
	foreign := make(map[int]reflection, len(s.r.foreign))
	for k, v := range s.r.foreign {
		foreign[k] = v
	}
	s.r.mu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for seq, rf := range foreign {
		id, ok := s.ran[seq]
		what := rf.what
		switch {
		case ok && s.blamed[seq]:
			continue
		case ok && rf.excused(caseOf(id)):
			continue
		case !ok && rf.flaw != nil && catalog.AnyMayPassOn(*rf.flaw):
			continue // another process's case, which that process judges
		case ok:
			out = append(out, fmt.Sprintf("%s, after the case ended: %s", id, what))
		case s.share.stride() > 0:
			out = append(out, fmt.Sprintf("case run %d (process %d): %s", seq, seq/s.share.stride()+1, what))
		default:
			out = append(out, fmt.Sprintf("case run %d: %s", seq, what))
		}
	}
	sort.Strings(out)
	return out
}

// Close stops the DUT if the factory started it.
func (s *Started) Close() error {
	s.r.mu.Lock()
	d := s.r.dut
	s.r.mu.Unlock()
	var err error
	if d != nil {
		err = d.Close()
	}
	s.closeListener()
	return err
}

func (s *Started) closeListener() {
	if s.r.ln != nil {
		s.r.ln.close()
	}
}

// caseOf is the case of ID id, nil if there is none.
func caseOf(id string) *catalog.Case {
	c, _ := catalog.Lookup(id)
	return c
}
