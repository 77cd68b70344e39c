package suites_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/ompconform/ompconform/suites/catalog"
)

// suite runs this test binary's ginkgo suite alone, in one process, with
// args and env, and returns its JSON report and output.
func suite(t *testing.T, env []string, args ...string) (types.Report, string, error) {
	t.Helper()
	if c, _ := GinkgoConfiguration(); c.ParallelTotal > 1 {
		t.Skip("runs the suite in a process of its own: not in every ginkgo -p process")
	}
	report := filepath.Join(t.TempDir(), "report.json")
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestConformance$", "-ginkgo.no-color", "-ginkgo.json-report=" + report}, args...)...)
	cmd.Env = append(withoutSettings(os.Environ()), env...)
	out, err := cmd.CombinedOutput()
	var reps []types.Report
	b, rerr := os.ReadFile(report)
	if rerr == nil {
		rerr = json.Unmarshal(b, &reps)
	}
	if rerr != nil || len(reps) != 1 {
		t.Fatalf("no JSON report (%v): %v\n%s", rerr, err, out)
	}
	return reps[0], string(out), err
}

// A focused spec runs its case, and only it: the setup only starts and
// probes the DUT, the spec takes the case's time, and the banner says what
// was tested.
func TestFocusedSpecRunsItsCase(t *testing.T) {
	// RFL-011 waits a second for an UPDATE that must not come.
	id := "RFL-011"
	if c, ok := catalog.Lookup(id); !ok || !c.AppliesTo(catalog.Controller) {
		t.Fatalf("%s is no longer a controller case: choose another that waits a second", id)
	}
	rep, out, err := suite(t, []string{"OMPCONFORM_TARGET=", "OMPCONFORM_ROLE=", "OMPCONFORM_REPORT_DIR="}, "-ginkgo.focus=draft-sthoria-omp-00 "+id+" ")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	var setup, spec time.Duration
	var ran []string
	banner := false
	for _, s := range rep.SpecReports {
		switch {
		case s.LeafNodeType == types.NodeTypeSynchronizedBeforeSuite:
			setup = s.RunTime
			for _, e := range s.ReportEntries {
				banner = banner || strings.Contains(e.StringRepresentation(), "target: the in-process reference")
			}
		case s.LeafNodeType == types.NodeTypeIt && s.State != types.SpecStateSkipped:
			ran = append(ran, s.LeafNodeText)
			spec = s.RunTime
		}
	}
	if len(ran) != 1 || !strings.HasPrefix(ran[0], id+" ") {
		t.Fatalf("specs run: %q, want only %s", ran, id)
	}
	if spec <= setup || spec < 900*time.Millisecond {
		t.Errorf("%s took %v, the setup %v: the spec did not run its case", id, spec, setup)
	}
	if !banner {
		t.Errorf("the setup has no banner report entry naming the target:\n%s", out)
	}
}

// A target with nothing listening fails the setup, naming it; no spec
// runs.
func TestDeadTargetFailsTheSuite(t *testing.T) {
	rep, out, err := suite(t, []string{"OMPCONFORM_TARGET=127.0.0.1:1", "OMPCONFORM_ROLE=", "OMPCONFORM_BASELINE="}, "-ginkgo.focus=HDR-002 ")
	if err == nil {
		t.Fatalf("the suite passed against nothing:\n%s", out)
	}
	if !strings.Contains(out, "OMPCONFORM_TARGET=127.0.0.1:1: ") || !strings.Contains(out, "check the address") {
		t.Errorf("output does not say the target opened no session:\n%s", out)
	}
	for _, s := range rep.SpecReports {
		if s.LeafNodeType == types.NodeTypeIt && s.State == types.SpecStatePassed {
			t.Errorf("%s passed", s.LeafNodeText)
		}
	}
}

// withoutSettings is env without the OMPCONFORM_ variables: the unit
// tests of this package set their own, whatever the user set for the
// suite (TestConformance) run beside them.
func withoutSettings(env []string) []string {
	return slices.DeleteFunc(slices.Clone(env), func(kv string) bool { return strings.HasPrefix(kv, "OMPCONFORM_") })
}
