package netfuzz

import (
	"context"
	"os"
	"strconv"
	"testing"
	"time"
)

func TestScratch(t *testing.T) {
	if os.Getenv("SCRATCH") == "" {
		t.Skip()
	}
	seed := uint64(time.Now().UnixNano())
	ph, _ := strconv.Atoi(os.Getenv("PHASE"))
	k, _ := strconv.Atoi(os.Getenv("K"))
	rep, err := Run(context.Background(), Config{Seed: seed, Iterations: 100000, Duration: 15 * time.Second, OutDir: "/tmp/nf/out", Progress: os.Stdout, ProgressEvery: 10 * time.Second, Phase: Phase(ph), MaxMutations: k})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%s stopped=%s probe=%v", rep.Line(), rep.Stopped, rep.Probe)
	for _, f := range rep.Findings {
		t.Logf("%s", f.Summary)
	}
	for k, v := range rep.Refusals {
		t.Logf("refusal %d %s", v, k)
	}
	for k, v := range rep.Signatures {
		t.Logf("%d %s", v, k)
	}
}

func TestScratchWell(t *testing.T) {
	if os.Getenv("SCRATCH") == "" {
		t.Skip()
	}
	d := startTestDUT(t, behaveWell)
	cfg := testConfig(d.addr(), 20000)
	cfg.Seed = uint64(time.Now().UnixNano())
	cfg.MaxMutations = 5
	cfg.Duration = 30 * time.Second
	cfg.OutDir = "/tmp/nf/well"
	rep := run(t, cfg)
	t.Log(rep.Outcomes)
}
