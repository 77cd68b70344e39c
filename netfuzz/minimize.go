package netfuzz

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// MinStats says how a finding was minimised.
type MinStats struct {
	// FromMessages and ToMessages count the inputs sent on the session
	// (history and the last), FromBytes and ToBytes their bytes.
	FromMessages int `json:"from_messages"`
	ToMessages   int `json:"to_messages"`
	FromBytes    int `json:"from_bytes"`
	ToBytes      int `json:"to_bytes"`
	// Tries counts the replays spent.
	Tries int `json:"tries"`
	// Reproduced says the finding reproduced before minimising; a finding
	// that does not is kept as it is.
	Reproduced bool `json:"reproduced"`
	// CutShort says a replay was cut short by the time bound (or the
	// end of the context) and its candidate not taken.
	CutShort bool   `json:"cut_short,omitempty"`
	Note     string `json:"note,omitempty"`
}

func (m *MinStats) String() string {
	s := fmt.Sprintf("%d -> %d messages, %d -> %d bytes in %d replays", m.FromMessages, m.ToMessages, m.FromBytes, m.ToBytes, m.Tries)
	if m.Note != "" {
		s += " (" + m.Note + ")"
	}
	return s
}

// ReproducerKey is what findings are deduplicated by: the kind, what the
// DUT did (its ALERT, or the outcome), and a hash of every input's bytes.
func ReproducerKey(fd *Finding) string {
	h := sha256.New()
	for _, in := range fd.History {
		h.Write([]byte(in.Hex + "|"))
	}
	h.Write([]byte(fd.Input.Hex))
	got := fd.Input.Observed.Outcome
	if a := fd.Input.Observed.Alert; a != nil {
		got = a.Name
	}
	return fmt.Sprintf("%s|%s|%s|%x", fd.Kind, fd.SessionPhase, got, h.Sum(nil)[:8])
}

func totalBytes(fd *Finding) int {
	n := len(fd.Input.Hex) / 2
	for _, in := range fd.History {
		n += len(in.Hex) / 2
	}
	return n
}

func clone(fd *Finding) *Finding {
	b, _ := json.Marshal(fd)
	var out Finding
	json.Unmarshal(b, &out)
	out.File = fd.File
	return &out
}

// Minimize replays fd against cfg's DUT (as Replay chooses it) and
// shrinks it while it still reproduces: fewer messages (the session's
// earlier inputs dropped), fewer mutations, fewer bytes (chunks of the
// last input cut, its header Length following). It returns the smallest
// finding that reproduced, with Minimized set; a finding that does not
// reproduce comes back as it is, saying so. A crash is minimised only on
// a DUT the fuzzer starts (restarted after each try).
//
// cfg.MinimizeTime bounds it, the replay under way included: one that
// the bound cuts short is not taken (MinStats.CutShort). When ctx ends,
// it stops at once and the error is ErrInterrupted.
func Minimize(ctx context.Context, cfg Config, fd *Finding) (*Finding, error) {
	c, err := findingDUT(ctx, cfg, fd)
	if err == nil {
		defer c.d.close()
	}
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: minimisation not begun: %w", ErrInterrupted, context.Cause(ctx))
	}
	if err != nil {
		return nil, err
	}
	out := minimizeOn(ctx, c, fd)
	if ctx.Err() != nil {
		return nil, fmt.Errorf("%w: minimisation stopped after %d replays: %w", ErrInterrupted, out.Minimized.Tries, context.Cause(ctx))
	}
	return out, nil
}

type minimizer struct {
	ctx      context.Context // ends at the deadline
	c        *conn
	want     *Finding
	tries    int
	deadline time.Time
	cut      error // why a replay was cut short
}

func (m *minimizer) budget() bool {
	return m.ctx.Err() == nil && m.tries < m.c.cfg.MinimizeTries && time.Now().Before(m.deadline)
}

// ok replays cand; when it reproduces the finding, cand takes the
// replay's expectation, observation and transcript.
func (m *minimizer) ok(cand *Finding) bool {
	if !m.budget() {
		return false
	}
	m.tries++
	res, err := replayOn(m.ctx, m.c, cand)
	if errors.Is(err, ErrInterrupted) {
		m.cut = err
		return false
	}
	if res != nil && res.Got == KindCrash && m.c.d.restarts {
		m.c.d.restart(m.ctx, m.c.cfg.Revive)
	}
	if err != nil || !res.Reproduced {
		return false
	}
	// The same outcome as the original finding, not only the same kind.
	a, b := m.want.Input.Observed, res.Input.Observed
	if a.Outcome != b.Outcome || (a.Alert == nil) != (b.Alert == nil) || a.Alert != nil && !a.Alert.Same(b.Alert) {
		return false
	}
	cand.Input.Expected, cand.Input.Observed = res.Input.Expected, res.Input.Observed
	if res.Finding != nil {
		cand.Transcript, cand.Summary, cand.Detail = res.Finding.Transcript, res.Finding.Summary, res.Finding.Detail
	}
	cand.Signature = signature(cand.Kind, &cand.Input)
	return true
}

func minimizeOn(ctx context.Context, c *conn, fd *Finding) *Finding {
	st := &MinStats{FromMessages: len(fd.History) + 1, FromBytes: totalBytes(fd)}
	out := clone(fd)
	defer func() {
		st.ToMessages, st.ToBytes = len(out.History)+1, totalBytes(out)
		out.Minimized = st
		out.Reproducer = ReproducerKey(out)
	}()
	if fd.Kind == KindCrash && !c.d.restarts {
		st.Note = "a crash is minimised only on a DUT the fuzzer starts (the in-process reference, --dut-cmd), which it restarts after each try"
		return out
	}
	deadline := time.Now().Add(c.cfg.MinimizeTime)
	mctx, cancel := context.WithDeadlineCause(ctx, deadline,
		fmt.Errorf("the minimiser's time bound %s passed: %w", c.cfg.MinimizeTime, context.DeadlineExceeded))
	defer cancel()
	m := &minimizer{ctx: mctx, c: c, want: fd, deadline: deadline}
	defer func() {
		st.Tries = m.tries
		if m.cut != nil {
			st.CutShort = true
			if st.Note == "" {
				st.Note = "stopped: " + m.cut.Error()
			}
		}
	}()
	if !m.ok(out) {
		st.Note = "did not reproduce: not minimised"
		if m.cut != nil || mctx.Err() != nil {
			st.Note = fmt.Sprintf("not minimised: cut short before it reproduced (%v)", context.Cause(mctx))
		}
		return out
	}
	st.Reproduced = true
	// Fewer messages: the whole history at once, then one input at a time.
	if len(out.History) > 0 {
		cand := clone(out)
		cand.History, cand.Truncated = nil, 0
		if m.ok(cand) {
			out = cand
		}
		for i := 0; i < len(out.History) && m.budget(); {
			cand := clone(out)
			cand.History = slices.Delete(cand.History, i, i+1)
			if m.ok(cand) {
				out = cand
			} else {
				i++
			}
		}
	}
	// Fewer mutations, when the seed and its field map say how.
	if seed, err := hex.DecodeString(out.Input.SeedHex); err == nil && len(out.Input.Mutations) > 1 {
		if _, fm, err := omp.DecodeFields(seed); err == nil {
			for i := 0; i < len(out.Input.Mutations) && len(out.Input.Mutations) > 1 && m.budget(); {
				muts := slices.Delete(slices.Clone(out.Input.Mutations), i, i+1)
				b, err := mutators.Apply(seed, fm, muts...)
				if err != nil {
					i++
					continue
				}
				b, pad := Complete(b)
				cand := clone(out)
				cand.Input.Mutations, cand.Input.Described, cand.Input.Hex, cand.Input.Padding = muts, mutators.Describe(muts), hex.EncodeToString(b), pad
				if len(b) <= len(out.Input.Hex)/2 && m.ok(cand) {
					out = cand
				} else {
					i++
				}
			}
		}
	}
	// Fewer bytes: cut chunks of the last input after its header, larger
	// ones first; a header Length that counted the whole input follows.
	b, _ := hex.DecodeString(out.Input.Hex)
	cut := false
	for chunk := (len(b) - omp.HeaderLen) / 2; chunk >= 1 && m.budget(); chunk /= 2 {
		for off := len(b) - chunk; off >= omp.HeaderLen && m.budget(); off -= chunk {
			nb := append(slices.Clone(b[:off]), b[off+chunk:]...)
			if n, ok := omp.HeaderLength(b); ok && n == len(b) {
				omp.PutLength(nb)
			}
			nb, _ = Complete(nb)
			if len(nb) >= len(b) {
				continue
			}
			cand := clone(out)
			cand.Input.Hex = hex.EncodeToString(nb)
			if m.ok(cand) {
				out, b, cut = cand, nb, true
			}
		}
	}
	if cut {
		out.Input.Mutations, out.Input.Padding = nil, 0
		out.Input.Described = fmt.Sprintf("minimised to %d bytes from: %s", len(b), orNone(fd.Input.Described))
	}
	return out
}

// minimizeAll minimises the run's findings with its own DUT and keeps
// one per minimised reproducer and outcome; the saved files follow.
func (f *fuzzer) minimizeAll(ctx context.Context) {
	seen := map[string]bool{}
	var kept []*Finding
	for _, fd := range f.rep.Findings {
		if ctx.Err() != nil {
			kept = append(kept, fd)
			continue
		}
		mf := minimizeOn(ctx, f.c, fd)
		mf.File = ""
		if seen[mf.Reproducer] {
			if fd.File != "" {
				os.Remove(fd.File)
			}
			f.rep.Duplicates++
			continue
		}
		seen[mf.Reproducer] = true
		if f.cfg.OutDir != "" {
			// The original's file goes once the minimised one is written
			// (under the same name when its input did not change), and
			// stays when it cannot be.
			if err := mf.Save(f.cfg.OutDir); err != nil {
				f.rep.SaveErrors = append(f.rep.SaveErrors, err.Error())
				kept = append(kept, fd)
				continue
			}
			if fd.File != "" && fd.File != mf.File {
				os.Remove(fd.File)
			}
		}
		kept = append(kept, mf)
	}
	f.mu.Lock()
	f.rep.Findings = kept
	f.mu.Unlock()
}
