package netfuzz

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// BenchmarkRunInProcess fuzzes the in-process reference (the speaker in
// the benchmark's own process, on 127.0.0.1) and reports inputs and
// sessions per second, by workers; cmd/ompconform's BenchmarkFuzzDaemon
// does the same against the daemon as a process of its own:
//
//	go test -run '^$' -bench RunInProcess -benchtime 6000x ./netfuzz/
func BenchmarkRunInProcess(b *testing.B) {
	for _, w := range []int{1, 4, 8} {
		b.Run(fmt.Sprintf("workers=%d", w), func(b *testing.B) {
			cfg := Config{Seed: 7, Iterations: b.N, Duration: time.Minute, Workers: w, DialAhead: true}
			rep, err := Run(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			rep.ReportBench(b)
		})
	}
}
