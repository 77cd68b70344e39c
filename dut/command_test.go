package dut

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
)

// TestHelperListen is the DUT program of TestCommandCloseWithADaemonChild:
// this test binary, run again, listens where it is told and waits to be
// killed.
func TestHelperListen(t *testing.T) {
	addr := os.Getenv("OMPCONFORM_TEST_LISTEN")
	if addr == "" {
		t.Skip("the DUT program of TestCommandCloseWithADaemonChild")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	time.Sleep(time.Minute)
}

// A program that leaves a child of its own session behind (a daemon that
// forks and calls setsid), holding the output pipes, is stopped all the
// same: Close returns once the program is gone, not when the child is.
func TestCommandCloseWithADaemonChild(t *testing.T) {
	addr := testdut.FreeAddr(t)
	t.Setenv("OMPCONFORM_TEST_LISTEN", addr)
	pidFile := filepath.Join(t.TempDir(), "child.pid")
	argv := []string{"sh", "-c", `setsid sleep 30 & echo $! > "$1"; exec "$0" -test.run='^TestHelperListen$'`, os.Args[0], pidFile}
	t.Cleanup(func() { // the child outlives the program: stop it too
		if b, err := os.ReadFile(pidFile); err == nil {
			if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
				syscall.Kill(pid, syscall.SIGKILL)
			}
		}
	})
	d, err := Command(argv, Target{Addr: addr}, 10*time.Second)(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	done := make(chan struct{})
	go func() { d.Close(); close(done) }()
	select {
	case <-done:
		t.Logf("Close took %s", time.Since(start))
	case <-time.After(20 * time.Second):
		t.Fatal("Close still waits after 20 s: the background child holds it")
	}
}

// A program that exits before its port opens is reported with its exit
// status, and one that never opens it with the wait it was given.
func TestCommandStartFailures(t *testing.T) {
	addr := testdut.FreeAddr(t)
	_, err := Command([]string{"false"}, Target{Addr: addr}, 5*time.Second)(context.Background())
	if err == nil || !strings.Contains(err.Error(), "ended (exit status 1)") || !strings.Contains(err.Error(), "(no output)") {
		t.Errorf("false: %v", err)
	}
	start := time.Now()
	_, err = Command([]string{"sleep", "30"}, Target{Addr: addr}, 300*time.Millisecond)(context.Background())
	if err == nil || !strings.Contains(err.Error(), "within 300ms") || time.Since(start) > 10*time.Second {
		t.Errorf("sleep 30, waited %s: %v", time.Since(start), err)
	}
}
