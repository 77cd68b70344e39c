package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Two fuzz runs of one seed, as shards 1/2 and 2/2, merged: the
// findings and corpora of both in one folder; merging again changes
// nothing; OUT inside an IN, or a missing IN, is a usage error.
func TestFuzzMerge(t *testing.T) {
	root := t.TempDir()
	var dirs []string
	for _, shard := range []string{"1/2", "2/2"} {
		dir := filepath.Join(root, "shard"+shard[:1])
		code, out, errs := runCmd(t, nil, "fuzz", "--iterations", "60", "--seed", "5", "--shard", shard, "--workers", "2", "--out", dir, "--quiet")
		if code != ExitOK {
			t.Fatalf("shard %s: code %d\n%s\n%s", shard, code, out, errs)
		}
		dirs = append(dirs, dir)
	}
	merged := filepath.Join(root, "merged")
	code, out, errs := runCmd(t, nil, append([]string{"fuzz", "merge", merged}, dirs...)...)
	if code != ExitOK || !strings.Contains(out, "merged 2 folders into "+merged) {
		t.Fatalf("code %d\n%s\n%s", code, out, errs)
	}
	t.Log(strings.TrimSpace(out))
	corpus := func() int {
		ents, _ := os.ReadDir(filepath.Join(merged, "corpus"))
		return len(ents)
	}
	n := corpus()
	want := 0
	for _, d := range dirs {
		ents, _ := os.ReadDir(filepath.Join(d, "corpus"))
		want += len(ents)
	}
	if n == 0 || n > want {
		t.Errorf("%d corpus files merged from %d", n, want)
	}
	code, out, _ = runCmd(t, nil, append([]string{"fuzz", "merge", merged}, dirs...)...)
	if code != ExitOK || !strings.Contains(out, "0 copied") || corpus() != n {
		t.Errorf("merging again: code %d, %d corpus files (had %d)\n%s", code, corpus(), n, out)
	}
	for _, bad := range [][]string{
		{"fuzz", "merge", merged},
		{"fuzz", "merge", filepath.Join(dirs[0], "sub"), dirs[0]},
		{"fuzz", "merge", merged, filepath.Join(root, "none")},
		{"fuzz", "merge", "--target", "10.0.0.1:1", merged, dirs[0]},
	} {
		if code, _, errs := runCmd(t, nil, bad...); code != ExitUsage || errs == "" {
			t.Errorf("%q: code %d, stderr %q", bad, code, errs)
		}
	}
}
