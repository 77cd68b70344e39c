package netfuzz

import (
	"context"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
)

// handFinding is a finding of kind k whose input is b, observed as obs.
func handFinding(k Kind, iter int, b []byte, obs Observation, min *MinStats) *Finding {
	f := &Finding{Kind: k, InProcess: true, Role: "controller", SessionPhase: mutators.PhaseEstablished, Minimized: min,
		Input: Input{Iteration: iter, Phase: mutators.PhaseEstablished, Seed: "hand-made", Hex: hex.EncodeToString(b), Observed: obs}}
	f.Summary = summary(k, &f.Input, "")
	f.Reproducer = ReproducerKey(f)
	return f
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func files(t *testing.T, dir string) []string {
	t.Helper()
	var out []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			out = append(out, rel)
		}
		return nil
	})
	return out
}

// Merge keeps one finding per reproducer and outcome (the minimised one
// of two), copies corpus files once per content, folder by folder, and
// can be repeated without change.
func TestMergeFolders(t *testing.T) {
	root := t.TempDir()
	a, b, out := filepath.Join(root, "a"), filepath.Join(root, "b"), filepath.Join(root, "out")
	hello := testdut.Encode(t, &omp.Hello{})
	bad := append([]byte(nil), hello...)
	bad[0] = 0
	wrong := Observation{Outcome: OutAlert, Alert: alertOf(omp.AlertID{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength}, nil)}
	closed := Observation{Outcome: OutClose}
	// The same bytes and answer in both shards, minimised in b only.
	for _, f := range []*Finding{
		handFinding(KindMismatch, 1, bad, wrong, nil),
		handFinding(KindMismatch, 3, hello, closed, nil),
	} {
		if err := f.Save(a); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []*Finding{
		handFinding(KindMismatch, 2, bad, wrong, &MinStats{Reproduced: true, FromMessages: 1, ToMessages: 1}),
		handFinding(KindMismatch, 4, bad, closed, nil), // same bytes, another answer: kept
	} {
		if err := f.Save(b); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(a, CorpusDir, CorpusName(hello)), hello)
	writeFile(t, filepath.Join(b, CorpusDir, CorpusName(hello)), hello) // the same: once
	writeFile(t, filepath.Join(b, CorpusDir, CorpusName(bad)), bad)
	writeFile(t, filepath.Join(a, "testdata", "fuzz", "FuzzX", "seed1"), []byte("go test fuzz v1\n[]byte(\"a\")\n"))
	writeFile(t, filepath.Join(b, "testdata", "fuzz", "FuzzX", "seed1"), []byte("go test fuzz v1\n[]byte(\"b\")\n")) // a name taken by other bytes

	rep, err := Merge(out, []string{a, b}, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if rep.Findings != 4 || rep.Kept != 3 || rep.Duplicates != 1 {
		t.Errorf("findings %d, kept %d, duplicates %d; want 4, 3, 1", rep.Findings, rep.Kept, rep.Duplicates)
	}
	if rep.CorpusFiles != 5 || rep.CorpusKept != 4 || rep.CorpusDuplicates != 1 {
		t.Errorf("corpus %d read, %d kept, %d duplicates; want 5, 4, 1", rep.CorpusFiles, rep.CorpusKept, rep.CorpusDuplicates)
	}
	kept, _ := findingsIn(out, &MergeReport{})
	if len(kept) != 3 {
		t.Fatalf("%d findings in %s: %v", len(kept), out, files(t, out))
	}
	for _, f := range kept {
		if f.Input.Hex == hex.EncodeToString(bad) && f.Input.Observed.Outcome == OutAlert && (f.Minimized == nil || f.Input.Iteration != 2) {
			t.Errorf("kept iteration %d (minimised %v) of the duplicates, want the minimised one, 2", f.Input.Iteration, f.Minimized)
		}
	}
	fx, _ := os.ReadDir(filepath.Join(out, "testdata", "fuzz", "FuzzX"))
	if len(fx) != 2 {
		t.Errorf("FuzzX corpus: %d files, want both seeds", len(fx))
	}
	before := files(t, out)
	again, err := Merge(out, []string{a, b}, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after := files(t, out); len(after) != len(before) || again.Kept != 3 || again.CorpusKept != 0 {
		t.Errorf("a second merge changed the output: %v -> %v (%s)", before, after, again)
	}
	if _, err := Merge(a, []string{a, b}, MergeOptions{}); err == nil {
		t.Error("merging into an input folder accepted")
	}
	if _, err := Merge(out, []string{filepath.Join(root, "none")}, MergeOptions{}); err == nil {
		t.Error("a missing input folder accepted")
	}
}

// Two shards of one seed, fuzzing a reference with a wrong ALERT subcode
// and minimising, find the same causes; merged, the findings are kept
// once per minimised reproducer and the corpora once per content.
func TestMergeShards(t *testing.T) {
	root := t.TempDir()
	var dirs []string
	total := 0
	for i := 1; i <= 2; i++ {
		dir := filepath.Join(root, "shard"+string(rune('0'+i)))
		cfg := Config{Seed: 3, Iterations: 60, Duration: 20 * time.Second, Workers: 2, Shard: i, Shards: 2, OutDir: dir,
			Minimize: true, MinimizeTries: 16, Phase: mutators.PhaseEstablished, Faults: []reference.Fault{"alert-wrong-subcode"}}
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		rep, err := Run(ctx, cfg)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) == 0 {
			t.Fatalf("shard %d: no finding (%v)", i, rep.Counts)
		}
		total += len(rep.Findings)
		dirs = append(dirs, dir)
	}
	out := filepath.Join(root, "merged")
	rep, err := Merge(out, dirs, MergeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	if rep.Findings != total || rep.Kept+rep.Duplicates != total || rep.Kept == 0 {
		t.Errorf("%d findings in the shards: %s", total, rep)
	}
	keys := map[string]bool{}
	kept, _ := findingsIn(out, &MergeReport{})
	for _, f := range kept {
		if keys[f.Reproducer] {
			t.Errorf("reproducer %s kept twice", f.Reproducer)
		}
		keys[f.Reproducer] = true
	}
	if len(kept) != rep.Kept || rep.CorpusKept == 0 {
		t.Errorf("%d findings in the output, %d corpus files", len(kept), rep.CorpusKept)
	}
}

// Merge with Minimize counts a finding that did not reproduce apart from
// the minimised ones: it is kept as it was.
func TestMergeCountsWhatDidNotReproduce(t *testing.T) {
	root := t.TempDir()
	in, out := filepath.Join(root, "in"), filepath.Join(root, "out")
	hello := testdut.Encode(t, &omp.Hello{})
	closed := Observation{Outcome: OutClose}
	for i, f := range []*Finding{handFinding(KindMismatch, 1, hello, closed, nil), handFinding(KindCrash, 2, hello, closed, nil)} {
		f.Input.Iteration = i + 1
		if err := f.Save(in); err != nil {
			t.Fatal(err)
		}
	}
	minimize := func(f *Finding) (*Finding, error) {
		m := *f
		m.Minimized = &MinStats{Reproduced: f.Kind == KindMismatch}
		return &m, nil
	}
	rep, err := Merge(out, []string{in}, MergeOptions{Minimize: minimize})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Minimized != 1 || rep.NotReproduced != 1 {
		t.Errorf("minimised %d, not reproduced %d; want 1 and 1", rep.Minimized, rep.NotReproduced)
	}
}

// A corpus file over the input limit is an error naming it, not read
// whole (a sparse file: no disk used).
func TestMergeCorpusFileBounded(t *testing.T) {
	root := t.TempDir()
	in := filepath.Join(root, "in")
	big := filepath.Join(in, CorpusDir, "big")
	writeFile(t, big, nil)
	if err := os.Truncate(big, filein.Default+1); err != nil {
		t.Fatal(err)
	}
	if _, err := Merge(filepath.Join(root, "out"), []string{in}, MergeOptions{}); !errors.Is(err, filein.ErrTooLarge) {
		t.Errorf("Merge of a corpus file over %d bytes: %v, want filein.ErrTooLarge", filein.Default, err)
	}
}
