package netfuzz

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/peers/reference"
)

// faultFinding fuzzes the in-process reference with fault (seed 1, 4
// workers) until its first finding of kind k, saved in a folder of the
// test's, and returns that file.
func faultFinding(t *testing.T, fault reference.Fault, k Kind) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	file := ""
	cfg := Config{Seed: 1, Iterations: 200, Duration: 45 * time.Second, Workers: 4, DialAhead: true, Faults: []reference.Fault{fault},
		Answer: time.Second, Revive: time.Second, OutDir: t.TempDir(), OnFinding: func(f *Finding) {
			if f.Kind == k && file == "" {
				file = f.File
				cancel()
			}
		}}
	if _, err := Run(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	if file == "" {
		t.Fatalf("no %s finding with fault %s", k, fault)
	}
	return file
}

// A finding made on the in-process reference with a fault records the
// fault, and Replay and Minimize start the reference with it again
// when given no target and no faults: the finding reproduces as found.
// A finding without the field (saved before it) means no faults.
func TestFindingKeepsItsFaults(t *testing.T) {
	file := faultFinding(t, "header-marker-unchecked", KindMismatch)
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var raw map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		t.Fatal(err)
	}
	if fs, _ := raw["faults"].([]any); len(fs) != 1 || fs[0] != "header-marker-unchecked" {
		t.Fatalf("the finding's faults: %v", raw["faults"])
	}
	fd, err := Load(file)
	if err != nil {
		t.Fatal(err)
	}
	res := replay(t, Config{}, fd)
	if !res.Reproduced || !strings.Contains(res.DUT, "header-marker-unchecked") {
		t.Fatalf("replay on %s: %s", res.DUT, res)
	}
	if res.Finding == nil || len(res.Finding.Faults) != 1 {
		t.Errorf("the replay's finding lost the faults: %+v", res.Finding)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	m, err := Minimize(ctx, Config{MinimizeTries: 8, MinimizeTime: 20 * time.Second}, fd)
	if err != nil {
		t.Fatal(err)
	}
	if !m.Minimized.Reproduced || len(m.Faults) != 1 {
		t.Fatalf("minimised: %s, faults %v", m.Minimized, m.Faults)
	}
	// The same finding without its faults (an old file): the correct
	// reference, which does not reproduce it.
	delete(raw, "faults")
	b, _ = json.Marshal(raw)
	old := filepath.Join(t.TempDir(), "old.json")
	if err := os.WriteFile(old, b, 0o644); err != nil {
		t.Fatal(err)
	}
	ofd, err := Load(old)
	if err != nil {
		t.Fatal(err)
	}
	if res := replay(t, Config{}, ofd); res.Reproduced || len(ofd.Faults) != 0 {
		t.Errorf("a finding without faults, replayed on %s: %s", res.DUT, res)
	}
}
