package main

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/peers/reference"
)

// run --listen against `ompconform reference -role edge -connect` (the
// same daemon, in-process): the edge dials the harness, every case
// passes, the one that needs a second peer is UNSUPPORTED.
func TestRunListenAgainstADialingEdge(t *testing.T) {
	addr := testdut.FreeAddr(t)
	stdout := runAgainstDialingEdge(t, addr, nil, []string{"HDR-002", "HS-001", "HS-022", "UPD-013"})
	for _, want := range []string{"PASS        HDR-002", "PASS        HS-001", "UNSUPPORTED HS-022", "PASS        UPD-013", "dialling in to " + addr, "gate: passed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

// runAgainstDialingEdge runs `run --listen addr` with runArgs against
// `ompconform reference -role edge -connect addr` with refArgs, both in
// process; the run must exit 0, and its output is returned.
func runAgainstDialingEdge(t *testing.T, addr string, refArgs, runArgs []string) string {
	t.Helper()
	stop := startReference(t, append([]string{"-role", "edge", "-system-ip", "192.0.2.9", "-site-id", "9", "-domain-id", "1",
		"-connect", addr, "-connect-retry", "20ms", "-connect-retry-max", "100ms", "-state-api", "", "-log-level", "error"}, refArgs...)...)
	defer stop()
	code, stdout, stderr := runCmd(t, nil, append([]string{"run", "--listen", addr, "--accept-timeout", "5s", "--timeout", "1s"}, runArgs...)...)
	if code != ExitOK {
		t.Fatalf("run: code %d\n%s\n%s\nreference: %s", code, stdout, stderr, stop())
	}
	return stdout
}

// startReference runs `ompconform reference` with args in process, until
// stop or the test's end. stop waits for it to return and gives what it
// wrote to stderr.
func startReference(t *testing.T, args ...string) (stop func() string) {
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	var refErr bytes.Buffer
	wg.Add(1)
	go func() {
		defer wg.Done()
		reference.Run(ctx, args, io.Discard, &refErr)
	}()
	stop = sync.OnceValue(func() string {
		cancel()
		wg.Wait() // refErr is the daemon's until it has returned
		return refErr.String()
	})
	t.Cleanup(func() { stop() })
	return stop
}

// --listen takes a loopback IP:PORT only, and over TLS the harness's
// certificate; a DUT that
// never dials stops the run with one line and exit 2.
func TestRunListenFlags(t *testing.T) {
	for _, args := range [][]string{
		{"--listen", "10.0.0.1:12346"},
		{"--listen", "localhost:12346"},
		{"--listen", "127.0.0.1:0", "--accept-timeout", "0s"},
		{"--listen", "127.0.0.1:0", "--tls-insecure"},
	} {
		if code, _, errs := runCmd(t, nil, append(append([]string{"run"}, args...), "HDR-002")...); code != ExitUsage {
			t.Errorf("%q: code %d, stderr %q", args, code, errs)
		}
	}
	if _, out, _ := runCmd(t, nil, "help", "run"); !strings.Contains(out, "--listen IP:PORT") {
		t.Errorf("help run lacks --listen:\n%s", out)
	}
	code, stdout, stderr := runCmd(t, nil, "run", "--listen", "127.0.0.1:0", "--accept-timeout", "200ms", "HDR-002", "HDR-021")
	if code != ExitUsage || !strings.HasPrefix(stdout, "listening on 127.0.0.1:") || strings.Count(stdout, "\n") != 1 ||
		strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, "did not open a session") {
		t.Errorf("a DUT that never dials: code %d, stdout %q, stderr %q; want exit 2, the address it waited on and one line", code, stdout, stderr)
	}
}

// run --listen over mutual TLS: the reference edge dials in with its
// certificate and verifies the harness's; the cases pass.
func TestRunListenOverTLS(t *testing.T) {
	addr := testdut.FreeAddr(t)
	pki, dir := testdut.NewPKI(), t.TempDir()
	cert, key, ca := pki.WriteFiles(t, dir, "harness")
	edgeCert, edgeKey, _ := pki.WriteFiles(t, dir, "edge")
	stdout := runAgainstDialingEdge(t, addr, []string{"-tls-cert", edgeCert, "-tls-key", edgeKey, "-tls-ca", ca},
		[]string{"--tls-cert", cert, "--tls-key", key, "--tls-ca", ca, "HDR-002", "HS-001", "UPD-013"})
	for _, want := range []string{"PASS        HDR-002", "PASS        HS-001", "PASS        UPD-013", "gate: passed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

// run --target IP:PORT over mutual TLS without --tls-server-name: the
// name verified is the target's host, an IP address, against the
// certificate's IP SANs (Go's TLS refuses a config with neither).
func TestRunTargetIPOverTLS(t *testing.T) {
	addr := testdut.FreeAddr(t)
	pki, dir := testdut.NewPKI(), t.TempDir()
	cert, key, ca := pki.WriteFiles(t, dir, "harness")
	dutCert, dutKey, _ := pki.WriteFiles(t, dir, "dut")
	startReference(t, "-role", "controller", "-system-ip", "10.0.0.1", "-domain-id", "1", "-listen", addr,
		"-tls-cert", dutCert, "-tls-key", dutKey, "-tls-ca", ca, "-state-api", "", "-log-level", "error")
	waitListening(t, addr)
	code, stdout, stderr := runCmd(t, nil, "run", "--target", addr, "--timeout", "1s", "--tls-cert", cert, "--tls-key", key, "--tls-ca", ca, "HDR-002", "HS-001")
	if code != ExitOK || !strings.Contains(stdout, "gate: passed") {
		t.Errorf("run: code %d\n%s\n%s", code, stdout, stderr)
	}
}

// waitListening waits, a few seconds at most, until addr takes a TCP
// connection.
func waitListening(t *testing.T, addr string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s does not listen: %v", addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// run --listen with --dut-control (no --target): the DUT dials in, and
// its operator is still the harness's to call, so a case that needs one
// runs instead of being UNSUPPORTED.
func TestRunListenWithControl(t *testing.T) {
	addr, api := testdut.FreeAddr(t), testdut.FreeAddr(t)
	stdout := runAgainstDialingEdge(t, addr, []string{"-state-api", api}, []string{"--dut-control", "http://" + api, "OPR-001"})
	if strings.Contains(stdout, "UNSUPPORTED") || !strings.Contains(stdout, "OPR-001") {
		t.Errorf("the operator case did not run:\n%s", stdout)
	}
}
