package netfuzz

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// longHelloFinding is a hang whose session sent n valid HELLOs first: on
// a DUT that goes silent once the session is up, each costs a full wait
// for a sign of life (about 0.6 s with testConfig), so a replay of it
// runs for n times that.
func longHelloFinding(t *testing.T, n int) *Finding {
	t.Helper()
	hello := hex.EncodeToString(testdut.Encode(t, &omp.Hello{}))
	in := Input{Phase: mutators.PhaseEstablished, Seed: "hand-made", Hex: hello}
	f := &Finding{Kind: KindHang, SessionPhase: mutators.PhaseEstablished, Input: in,
		History: make([]Input, n)}
	for i := range f.History {
		f.History[i] = in
		f.History[i].Iteration = i + 1
	}
	f.Input.Iteration = n + 1
	f.Input.Observed = Observation{Outcome: OutSilence}
	f.Summary = summary(f.Kind, &f.Input, "")
	return f
}

// within runs work and waits for it up to a second after stopAt (the
// moment the work should stop); past that it fails the test, after
// killing the DUT so that the work ends and its goroutine with it.
func within(t *testing.T, d *testDUT, stopAt time.Time, work func() error) error {
	t.Helper()
	const limit = time.Second
	done := make(chan error, 1)
	go func() { done <- work() }()
	for {
		select {
		case err := <-done:
			if late := time.Since(stopAt); late > limit {
				t.Errorf("returned %s after it should have stopped (want at most %s)", late.Round(time.Millisecond), limit)
			}
			return err
		case <-time.After(50 * time.Millisecond):
			if time.Since(stopAt) > limit+3*time.Second {
				d.die()
				err := <-done
				t.Fatalf("still running %s after it should have stopped (ended by killing the DUT: %v)", time.Since(stopAt).Round(time.Millisecond), err)
			}
		}
	}
}

// canceledIn is a context canceled (as by Ctrl-C) after d, and that
// moment.
func canceledIn(t *testing.T, d time.Duration) (context.Context, time.Time) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	at := time.Now().Add(d)
	time.AfterFunc(time.Until(at), cancel)
	return ctx, at
}

// slowReplay is a mute test DUT, its config, and a finding whose replay
// on it takes minutes.
func slowReplay(t *testing.T) (*testDUT, Config, *Finding) {
	t.Helper()
	d := startTestDUT(t, behaveMute)
	return d, testConfig(d.addr(), 0), longHelloFinding(t, 2000)
}

// A replay stops at once when its context ends (Ctrl-C), and says it was
// cut short rather than giving a verdict.
func TestReplayStopsWhenCanceled(t *testing.T) {
	d, cfg, f := slowReplay(t)
	ctx, cancelAt := canceledIn(t, 2*time.Second) // in the history: calibration takes about 1 s
	var res *ReplayResult
	err := within(t, d, cancelAt, func() (err error) {
		res, err = Replay(ctx, cfg, f)
		return err
	})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("replay canceled: result %v, error %v: want ErrInterrupted, context.Canceled", res, err)
	}
	if res != nil {
		t.Errorf("a result for a replay cut short: %s", res)
	}
	t.Log(err)
}

// Config.Duration (fuzz --replay --duration) bounds a replay.
func TestReplayDurationBound(t *testing.T) {
	d, cfg, f := slowReplay(t)
	cfg.Duration = 2 * time.Second
	err := within(t, d, time.Now().Add(cfg.Duration), func() error {
		_, err := Replay(context.Background(), cfg, f)
		return err
	})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "time bound 2s") {
		t.Fatalf("replay past its bound: error %v: want ErrInterrupted, context.DeadlineExceeded, the bound", err)
	}
	t.Log(err)
}

// Config.MinimizeTime (fuzz minimize --time) bounds a minimisation, the
// replay under way included; its context's end stops it with an error.
func TestMinimizeBounds(t *testing.T) {
	d, cfg, f := slowReplay(t)
	cfg.MinimizeTime = 2 * time.Second
	var m *Finding
	err := within(t, d, time.Now().Add(cfg.MinimizeTime), func() (err error) {
		m, err = Minimize(context.Background(), cfg, f)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	st := m.Minimized
	if !st.CutShort || st.Reproduced || !strings.Contains(st.Note, "cut short") || len(m.History) != len(f.History) {
		t.Errorf("minimised past its bound: %+v, %d history inputs", st, len(m.History))
	}
	t.Log(st)

	cfg.MinimizeTime = time.Hour
	ctx, cancelAt := canceledIn(t, 2*time.Second)
	err = within(t, d, cancelAt, func() (err error) {
		m, err = Minimize(ctx, cfg, f)
		return err
	})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) || m != nil {
		t.Fatalf("minimise canceled: %v, error %v: want ErrInterrupted, context.Canceled", m, err)
	}
	t.Log(err)
}

// Once minimising is interrupted, Merge merges the findings left as they
// are, without starting a minimisation for each.
func TestMergeStopsMinimizingWhenInterrupted(t *testing.T) {
	root := t.TempDir()
	in, out := root+"/in", root+"/out"
	hello := testdut.Encode(t, &omp.Hello{})
	for i := range 3 {
		b := append(append([]byte(nil), hello...), byte(i))
		if err := handFinding(KindMismatch, i+1, b, Observation{Outcome: OutClose}, nil).Save(in); err != nil {
			t.Fatal(err)
		}
	}
	calls := 0
	rep, err := Merge(out, []string{in}, MergeOptions{Minimize: func(*Finding) (*Finding, error) {
		calls++
		return nil, ErrInterrupted
	}})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 1 || rep.Kept != 3 || rep.Minimized != 0 || len(rep.Errors) != 1 {
		t.Errorf("%d minimisations after an interruption, report %+v", calls, rep)
	}
}

// A finding whose history is longer than a run ever records is refused
// when it is loaded, before any replay.
func TestLoadRefusesAnOverlongHistory(t *testing.T) {
	path := filepath.Join(t.TempDir(), "long.json")
	b, err := json.Marshal(longHelloFinding(t, maxHistory+1))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(path); err == nil || !strings.Contains(err.Error(), "history of 65 inputs") {
		t.Errorf("Load: %v", err)
	}
}
