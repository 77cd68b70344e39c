package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/netfuzz"
)

// startDaemon starts `ompconform reference` (this test binary playing
// the command) as a controller on a free loopback port, and stops it
// (SIGINT, then kill) when tb ends.
func startDaemon(tb testing.TB, extra ...string) string {
	tb.Helper()
	addr := testdut.FreeAddr(tb)
	args := append([]string{"reference", "--role", "controller", "--system-ip", "192.0.2.9", "--listen", addr, "--state-api", "", "--log-level", "error"}, extra...)
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "OMPCONFORM_TEST_AS_MAIN=1")
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { cmd.Wait(); close(done) }()
	tb.Cleanup(func() {
		cmd.Process.Signal(os.Interrupt)
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	for deadline := time.Now().Add(10 * time.Second); ; {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return addr
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the daemon does not listen on %s: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// BenchmarkFuzzDaemon fuzzes the reference daemon, a process of its
// own, over loopback, and reports inputs and sessions per second:
//
//	go test -run '^$' -bench FuzzDaemon -benchtime 6000x ./cmd/ompconform/
func BenchmarkFuzzDaemon(b *testing.B) {
	for _, w := range []int{1, 4, 8, 16} {
		for _, ah := range []bool{false, true} {
			b.Run(fmt.Sprintf("workers=%d/ahead=%v", w, ah), func(b *testing.B) {
				addr := startDaemon(b)
				cfg := netfuzz.Config{Target: addr, Seed: 7, Iterations: b.N, Duration: time.Minute, Workers: w, DialAhead: ah}
				b.ResetTimer()
				rep, err := netfuzz.Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				rep.ReportBench(b)
			})
		}
	}
}
