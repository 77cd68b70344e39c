// Package suites is the ginkgo face of the conformance catalogue: the
// spec file (suites_test.go) generates one spec per case of
// suites/catalog, labelled with its ID, section, message type, level,
// basis, roles and "timer", so that `go tool ginkgo --label-filter 'MUST
// && UPDATE'` selects cases, `--focus` and `-p` work as they do for any
// suite, and `--junit-report` writes JUnit. Each spec runs its case
// (runner.Started.RunCase, with the liveness check after it); each ginkgo
// process starts (or reaches) and probes the DUT once, before its first
// spec. The same declarations feed `ompconform run`: one source of truth.
//
// The DUT and the run come from the environment (the README lists them
// too):
//
//	OMPCONFORM_TARGET           host:port of the DUT; unset: the in-process reference
//	                            (one per ginkgo process). A target that opens no session
//	                            fails the suite's setup, saying so
//	OMPCONFORM_ROLE             controller, edge or hub (default: the DUT's IDENTITY;
//	                            controller for the reference)
//	OMPCONFORM_FORCE_ROLE       "1": test as OMPCONFORM_ROLE even if the DUT's IDENTITY
//	                            announces another role (otherwise the setup fails)
//	OMPCONFORM_TLS_CA           PEM CA bundle (TLS on)
//	OMPCONFORM_TLS_CERT, _KEY   PEM client certificate and key (TLS on)
//	OMPCONFORM_TLS_SERVER_NAME  name to verify in the DUT's certificate
//	OMPCONFORM_TLS_INSECURE     "1": do not verify the DUT's certificate
//	OMPCONFORM_TIMEOUT          answer wait, a Go duration (default 3s)
//	OMPCONFORM_GATE             "lenient": only a MUST case's FAIL or ERROR fails its spec
//	                            (default strict: every FAIL, NON-STRICT and ERROR does)
//	OMPCONFORM_BASELINE         YAML file of expected failures (runner.Baseline); without
//	                            OMPCONFORM_TARGET, the reference's own baseline
//	OMPCONFORM_REPORT_DIR       also write report.{html,json,md,xml} and pcap/ there, for
//	                            the cases every ginkgo process ran
//
// A relative path in these variables is taken from the module's root (the
// folder of go.mod, where the README's commands run), not from the
// package folder ginkgo and go test run the suite in.
//
// How many cases run at once is ginkgo's: one at a time per process,
// `-p` (a process per core) or `--procs N` processes.
//
// This package holds the matchers specs are written with, which read like
// the draft: Expect(result).To(HaveAlerted(omp.ErrHeader,
// omp.SubErrHeaderLength)).
package suites

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/internal/tlsfile"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// Settings are the run settings the environment gives.
type Settings struct {
	Factory   dut.Factory
	Env       catalog.Env
	Lenient   bool   // the lenient gate (catalog.Grade.Gates)
	Reports   string // directory for reports, "" for none
	DUT       string // the DUT in words
	Target    string // OMPCONFORM_TARGET: host:port, "" for the in-process reference
	Role      catalog.Role
	ForceRole bool
	Baseline  runner.Baseline
}

// FromEnv reads the settings from the OMPCONFORM_ variables; tb reports a
// variable that does not parse.
func FromEnv(tb testing.TB) Settings {
	tb.Helper()
	s := Settings{Lenient: os.Getenv("OMPCONFORM_GATE") == "lenient", Reports: envPath("OMPCONFORM_REPORT_DIR"),
		ForceRole: os.Getenv("OMPCONFORM_FORCE_ROLE") == "1"}
	if v := os.Getenv("OMPCONFORM_PARALLEL"); v != "" {
		tb.Logf("OMPCONFORM_PARALLEL=%s is not used: each case runs in its own spec; ginkgo's -p or --procs N runs them in parallel", v)
	}
	if v := os.Getenv("OMPCONFORM_TIMEOUT"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			tb.Fatalf("OMPCONFORM_TIMEOUT=%q: %v", v, err)
		}
		s.Env.Answer = d
	}
	if v := os.Getenv("OMPCONFORM_ROLE"); v != "" {
		r, err := catalog.ParseRole(v)
		if err != nil {
			tb.Fatalf("OMPCONFORM_ROLE: %v", err)
		}
		s.Role = r
	}
	if v := os.Getenv("OMPCONFORM_GATE"); v != "" && v != "strict" && v != "lenient" {
		tb.Fatalf("OMPCONFORM_GATE=%q: want strict or lenient", v)
	}
	s.Target = os.Getenv("OMPCONFORM_TARGET")
	if s.Target != "" {
		if _, port, err := net.SplitHostPort(s.Target); err != nil || port == "" {
			tb.Fatalf("OMPCONFORM_TARGET=%q: want host:port (unset it to test the in-process reference)", s.Target)
		}
	}
	if v := envPath("OMPCONFORM_BASELINE"); v != "" {
		b, err := loadBaseline(v)
		if err != nil {
			tb.Fatalf("OMPCONFORM_BASELINE: %v", err)
		}
		s.Baseline = b
	} else if s.Target == "" {
		s.Baseline = runner.ReferenceBaseline()
	}
	if s.Target == "" {
		s.Factory, s.DUT = dut.Reference(s.Role, nil), "the in-process reference"
		return s
	}
	cfg, err := tlsFromEnv()
	if err != nil {
		tb.Fatalf("TLS settings: %v", err)
	}
	s.Factory, s.DUT = dut.Remote(dut.Target{Addr: s.Target, TLS: cfg, Role: s.Role}), s.Target
	return s
}

func tlsFromEnv() (*tls.Config, error) {
	ca, cert, key := envPath("OMPCONFORM_TLS_CA"), envPath("OMPCONFORM_TLS_CERT"), envPath("OMPCONFORM_TLS_KEY")
	name, insecure := os.Getenv("OMPCONFORM_TLS_SERVER_NAME"), os.Getenv("OMPCONFORM_TLS_INSECURE") == "1"
	if ca == "" && cert == "" && name == "" && !insecure {
		return nil, nil
	}
	c := &tls.Config{ServerName: name, InsecureSkipVerify: insecure, MinVersion: tls.VersionTLS12}
	if ca != "" {
		pool, err := tlsfile.CertPool(ca)
		if err != nil {
			return nil, err
		}
		c.RootCAs = pool
	}
	if cert != "" || key != "" {
		kp, err := tlsfile.KeyPair(cert, key)
		if err != nil {
			return nil, err
		}
		c.Certificates = []tls.Certificate{kp}
	}
	return c, nil
}

// envPath is the path variable name holds; a relative one is taken from
// the module's root, the first folder up from here that holds go.mod
// (ginkgo and go test run a suite in its package's folder), or from here
// when there is none (a test binary run on its own).
func envPath(name string) string {
	v := os.Getenv(name)
	if v == "" || filepath.IsAbs(v) {
		return v
	}
	dir, err := os.Getwd()
	for err == nil {
		if _, serr := os.Stat(filepath.Join(dir, "go.mod")); serr == nil {
			return filepath.Join(dir, v)
		}
		up := filepath.Dir(dir)
		if up == dir {
			break
		}
		dir = up
	}
	return v
}

// loadBaseline is runner.LoadBaseline reading the file bounded (package
// filein): a regular file of at most runner.MaxBaselineFile.
func loadBaseline(path string) (runner.Baseline, error) {
	b, err := filein.Read(path, runner.MaxBaselineFile)
	if err != nil {
		return nil, err
	}
	bl, err := runner.ReadBaseline(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return bl, nil
}
