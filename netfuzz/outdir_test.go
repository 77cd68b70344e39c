package netfuzz

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// Run checks its OutDir before the first input: one that cannot be made
// is an error, with nothing fuzzed; one that can is made, and the check
// leaves no file in it.
func TestRunChecksOutDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	bad := filepath.Join(file, "findings")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	inputs := 0
	rep, err := Run(ctx, Config{Seed: 1, Iterations: 20, OutDir: bad, OnInput: func(Input) { inputs++ }})
	if err == nil || !strings.Contains(err.Error(), bad) || inputs > 0 {
		t.Fatalf("Run with OutDir %s: %v, %d inputs, report %v", bad, err, inputs, rep)
	}
	good := filepath.Join(t.TempDir(), "a", "b")
	if err := PrepareOutDir(good); err != nil {
		t.Fatal(err)
	}
	if es, err := os.ReadDir(good); err != nil || len(es) != 0 {
		t.Errorf("%s after the check: %v, %v", good, es, err)
	}
}
