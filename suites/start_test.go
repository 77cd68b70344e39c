package suites

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/suites/catalog"
)

// A mistyped OMPCONFORM_TARGET is never tested as the in-process
// reference: without a port it is refused, and with nothing there Start
// fails at once, naming the variable and the address.
func TestUnreachableTargetFailsTheSetup(t *testing.T) {
	isolate(t)
	t.Setenv("OMPCONFORM_TARGET", "localhost")
	tb := &recordTB{TB: t}
	FromEnv(tb)
	if !strings.Contains(tb.fatal, `OMPCONFORM_TARGET="localhost": want host:port`) {
		t.Errorf("OMPCONFORM_TARGET=localhost: %q, want it refused", tb.fatal)
	}

	dead := testdut.FreeAddr(t)
	t.Setenv("OMPCONFORM_TARGET", dead)
	tb = &recordTB{TB: t}
	s := FromEnv(tb)
	if tb.fatal != "" || s.DUT != dead || s.Baseline != nil {
		t.Fatalf("FromEnv: %q, DUT %q, baseline %v", tb.fatal, s.DUT, s.Baseline)
	}
	begin := time.Now()
	st, err := Start(context.Background(), s, 1, 1)
	if st != nil || err == nil || !strings.HasPrefix(err.Error(), "OMPCONFORM_TARGET="+dead+": ") || !strings.Contains(err.Error(), "check the address") {
		t.Errorf("Start on %s: %v, want an error naming OMPCONFORM_TARGET", dead, err)
	}
	if d := time.Since(begin); d > 10*time.Second {
		t.Errorf("took %v to say so", d)
	}
}

// The banner says what is tested, in which role and from where.
func TestBanner(t *testing.T) {
	isolate(t)
	t.Setenv("OMPCONFORM_TARGET", "")
	t.Setenv("OMPCONFORM_ROLE", "edge")
	s := FromEnv(t)
	st, err := Start(context.Background(), s, 2, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	b := Banner(s, st.Head(), 3)
	for _, want := range []string{"target: the in-process reference (OMPCONFORM_TARGET unset", "reference (in-process, edge) at 127.0.0.1:",
		"role: edge (OMPCONFORM_ROLE)", "gate: strict", "3 ginkgo processes", "HANDSHAKE (Version 1"} {
		if !strings.Contains(b, want) {
			t.Errorf("banner %q lacks %q", b, want)
		}
	}
	if st.Head().Role != catalog.Edge {
		t.Errorf("role %s", st.Head().Role)
	}
}

// recordTB records the first Fatalf instead of stopping the test.
type recordTB struct {
	testing.TB
	fatal string
}

func (r *recordTB) Helper() {}

func (r *recordTB) Fatalf(format string, args ...any) {
	if r.fatal == "" {
		r.fatal = fmt.Sprintf(format, args...)
	}
}

// isolate clears, for t, every OMPCONFORM_ variable the user set.
func isolate(t *testing.T) {
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); strings.HasPrefix(k, "OMPCONFORM_") {
			t.Setenv(k, "")
		}
	}
}

// A relative path in a variable is taken from the module's root, where
// the README's commands run, not from the package folder the suite runs
// in; an absolute one is kept.
func TestEnvPathFromTheModuleRoot(t *testing.T) {
	t.Setenv("OMPCONFORM_REPORT_DIR", "out/gk")
	root, _ := filepath.Abs("..")
	if got := envPath("OMPCONFORM_REPORT_DIR"); got != filepath.Join(root, "out/gk") {
		t.Errorf("relative: %s, want %s", got, filepath.Join(root, "out/gk"))
	}
	t.Setenv("OMPCONFORM_REPORT_DIR", "/tmp/x")
	if got := envPath("OMPCONFORM_REPORT_DIR"); got != "/tmp/x" {
		t.Errorf("absolute: %s", got)
	}
}
