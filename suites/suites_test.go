package suites_test

import (
	"fmt"
	"sync"
	"testing"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/ompconform/ompconform/suites"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

func TestConformance(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "OMP conformance (draft-sthoria-omp-00)")
}

// Each ginkgo process starts (the in-process reference) or reaches the DUT
// and probes it once; each spec then runs its case on it.
var (
	settings suites.Settings
	dut      *runner.Started
	mu       sync.Mutex
	ran      []runner.Result // for OMPCONFORM_REPORT_DIR
)

func process() (int, int) {
	c, _ := GinkgoConfiguration()
	return GinkgoParallelProcess(), max(c.ParallelTotal, 1)
}

func startDUT(ctx SpecContext) {
	settings = suites.FromEnv(GinkgoTB())
	proc, procs := process()
	var err error
	dut, err = suites.Start(ctx, settings, proc, procs)
	Expect(err).NotTo(HaveOccurred(), "the DUT: no case can run")
	DeferCleanup(dut.Close)
}

// Process 1 goes first: a target that opens no session fails the setup
// once, with what was tried, before any other process starts its own;
// its banner says what the suite tests.
var _ = SynchronizedBeforeSuite(func(ctx SpecContext) []byte {
	startDUT(ctx)
	if settings.Reports != "" {
		Expect(suites.ClearParts(settings.Reports)).To(Succeed())
	}
	_, procs := process()
	banner := suites.Banner(settings, dut.Head(), procs)
	fmt.Fprintln(GinkgoWriter, banner)
	AddReportEntry("ompconform", banner)
	return nil
}, func(ctx SpecContext, _ []byte) {
	if dut == nil {
		startDUT(ctx)
	}
})

// A spec fails exactly when its case fails the gate, as in `ompconform
// run` and every report (suites.Judge).
func runCase(c catalog.Case) func(SpecContext) {
	return func(ctx SpecContext) {
		r := dut.RunCase(ctx, &c)
		rep := &runner.Report{Results: []runner.Result{r}}
		settings.Baseline.Apply(rep)
		r = rep.Results[0]
		if settings.Reports != "" {
			mu.Lock()
			ran = append(ran, r)
			mu.Unlock()
		}
		j := suites.Judge(&r, settings.Lenient)
		for _, e := range j.Entries {
			AddReportEntry(e.Name, e.Value)
		}
		switch {
		case j.Fail != "":
			Fail(j.Fail)
		case j.Skip != "":
			Skip(j.Skip)
		}
	}
}

// One spec per case, named by its ID and title (the draft's words are in
// a failure's message). Timer cases first, so that with several processes
// their waiting overlaps the rest; the cases that act on the whole DUT (a
// restart, a configuration change) last, alone.
var _ = Describe("draft-sthoria-omp-00", func() {
	var timers, ordinary, exclusive []catalog.Case
	for _, c := range catalog.All() {
		switch {
		case c.Exclusive:
			exclusive = append(exclusive, c)
		case c.Timer:
			timers = append(timers, c)
		default:
			ordinary = append(ordinary, c)
		}
	}
	for _, c := range timers {
		It(c.ID+" "+c.Headline(), Label(c.Labels()...), runCase(c))
	}
	for _, c := range ordinary {
		It(c.ID+" "+c.Headline(), Label(c.Labels()...), runCase(c))
	}
	for _, c := range exclusive {
		It(c.ID+" "+c.Headline(), Label(c.Labels()...), Serial, runCase(c))
	}
})

// Reflections the DUT made of a malformed UPDATE after its case's spec
// ended fail the suite (Run fails the sending case); then the reports,
// every process's results merged by process 1.
var _ = SynchronizedAfterSuite(func() {
	if dut == nil {
		return
	}
	for _, u := range dut.Unblamed() {
		AddReportEntry("reflected", u)
	}
	Expect(dut.Unblamed()).To(BeEmpty(), "the DUT accepted and reflected malformed UPDATEs")
	if proc, _ := process(); settings.Reports != "" && proc != 1 {
		Expect(suites.SavePart(settings.Reports, proc, dut.Head(), ran)).To(Succeed())
	}
}, func() {
	if dut == nil || settings.Reports == "" {
		return
	}
	rep, err := suites.MergeParts(settings.Reports, dut.Head(), ran)
	Expect(err).NotTo(HaveOccurred())
	Expect(suites.WriteReports(settings.Reports, rep)).To(Succeed())
	fmt.Fprintf(GinkgoWriter, "reports of %d cases in %s\n", len(rep.Results), settings.Reports)
})
