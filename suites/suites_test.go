package suites_test

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
	"github.com/onsi/gomega/types"

	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "OMP conformance (draft-sthoria-omp-00)")
}

var (
	settings suites.Settings
	results  = map[string]*runner.Result{}
)

// The cases the label filter selects run once, in the first ginkgo
// process, through the runner (in parallel, timer cases overlapping); each
// spec then judges its case's result. Other processes get the results as
// JSON.
var _ = SynchronizedBeforeSuite(func() []byte {
	tb := GinkgoTB()
	settings = suites.FromEnv(tb)
	cases, err := catalog.Select(catalog.All(), GinkgoLabelFilter(), nil)
	Expect(err).NotTo(HaveOccurred())
	tb.Logf("running %d cases against %s", len(cases), settings.DUT)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	rep, err := runner.Run(ctx, runner.Config{Factory: settings.Factory, Parallel: settings.Parallel, Env: settings.Env, LenientGate: settings.Lenient}, cases)
	Expect(err).NotTo(HaveOccurred(), "the DUT did not start")
	settings.Baseline.Apply(rep)
	if settings.Reports != "" {
		writeReports(tb, settings.Reports, rep)
	}
	b, err := json.Marshal(rep.Results)
	Expect(err).NotTo(HaveOccurred())
	return b
}, func(b []byte) {
	settings = suites.FromEnv(GinkgoTB())
	var rs []runner.Result
	Expect(json.Unmarshal(b, &rs)).To(Succeed())
	for i := range rs {
		results[rs[i].ID] = &rs[i]
	}
})

func writeReports(tb testing.TB, dir string, rep *runner.Report) {
	tb.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		tb.Fatal(err)
	}
	for name, w := range map[string]func(io.Writer, *runner.Report, reports.Options) error{
		"report.html": reports.WriteHTML, "report.json": reports.WriteJSON, "report.md": reports.WriteMarkdown, "report.xml": reports.WriteJUnit,
	} {
		f, err := os.Create(filepath.Join(dir, name))
		if err != nil {
			tb.Fatal(err)
		}
		if err := w(f, rep, reports.Options{}); err != nil {
			tb.Fatal(err)
		}
		f.Close()
	}
	if err := reports.WritePcaps(filepath.Join(dir, "pcap"), rep, reports.Options{}); err != nil {
		tb.Fatal(err)
	}
}

// matcherFor phrases a case's requirement as a matcher: an ALERT case
// reads Expect(r).To(HaveAlerted(code, subcode)), and so on.
func matcherFor(c *catalog.Case) types.GomegaMatcher {
	exps := c.Expectations()
	if len(exps) == 1 {
		switch catalog.KindOf(exps[0]) {
		case catalog.KindAlert:
			return suites.HaveAlertedOneOf(exps[0].Alerts()...)
		case catalog.KindAccept:
			return suites.HaveAccepted()
		case catalog.KindClose:
			return suites.HaveClosed()
		}
	}
	return suites.Conform(false)
}

var _ = Describe("draft-sthoria-omp-00", func() {
	for _, c := range catalog.All() {
		It(c.ID+" "+c.Requirement, Label(c.Labels()...), func() {
			r, ok := results[c.ID]
			Expect(ok).To(BeTrue(), "%s was selected by the label filter but did not run", c.ID)
			// A spec fails exactly when its case fails the gate, as in
			// `ompconform run` and every report.
			for _, m := range r.Measured {
				AddReportEntry(m.Name, m.String())
			}
			gates := r.Gating(settings.Lenient)
			switch {
			case r.BaselinePassed:
				Fail("the baseline expects " + c.ID + " to fail, and it passed: remove the entry (" + r.Baseline + ")")
			case r.Baseline != "" && !gates && r.Grade != catalog.Pass:
				Skip("expected failure (baseline): " + r.Baseline + "\n" + r.Grade.String() + ": " + r.Received)
			case r.Grade == catalog.Skipped, r.Grade == catalog.Unsupported:
				Skip(r.Grade.String() + ": " + r.Reason + " " + r.Received)
			case r.Grade == catalog.Error:
				Fail("ERROR (a setup or harness problem, or a DUT that would not open the session): " + r.Reason)
			case !gates && r.Grade != catalog.Pass:
				AddReportEntry(r.Grade.String(), r.Expected+" / "+r.Received+" ("+r.Reason+")")
				return
			}
			Expect(r).To(matcherFor(&c))
		})
	}
})
