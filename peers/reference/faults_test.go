package reference

import (
	"context"
	"flag"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

var updateFaultsDoc = flag.Bool("update-faults-doc", false, "rewrite the fault table of docs/faults.md from the registry")

var kebab = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

func TestFaultRegistry(t *testing.T) {
	fs := Faults()
	if len(fs) < 45 {
		t.Errorf("%d faults, want at least 45", len(fs))
	}
	names := map[Fault]bool{}
	areas := map[string]int{}
	for i, f := range fs {
		if !kebab.MatchString(string(f.Name)) {
			t.Errorf("fault %d: name %q is not kebab-case", i, f.Name)
		}
		if names[f.Name] {
			t.Errorf("fault %q twice", f.Name)
		}
		names[f.Name] = true
		if !slices.Contains(FaultAreas(), f.Area) {
			t.Errorf("%s: area %q is not one of %v", f.Name, f.Area, FaultAreas())
		}
		areas[f.Area]++
		if len(f.Roles) == 0 {
			t.Errorf("%s: no roles", f.Name)
		}
		for _, r := range f.Roles {
			if r != omp.RoleController && r != omp.RoleEdge && r != omp.RoleHub {
				t.Errorf("%s: role %d", f.Name, r)
			}
		}
		if len(strings.TrimSpace(f.Summary)) < 20 {
			t.Errorf("%s: summary %q", f.Name, f.Summary)
		}
		got, ok := LookupFault(string(f.Name))
		if !ok || got.Name != f.Name || got.Area != f.Area {
			t.Errorf("LookupFault(%q) = %+v, %v", f.Name, got, ok)
		}
	}
	for _, a := range FaultAreas() {
		if areas[a] == 0 {
			t.Errorf("area %q has no fault", a)
		}
	}
	// Areas in registry order: the order is stable and grouped.
	var order []string
	for _, f := range fs {
		if len(order) == 0 || order[len(order)-1] != f.Area {
			order = append(order, f.Area)
		}
	}
	if !slices.Equal(order, FaultAreas()) {
		t.Errorf("areas in the order %v, want %v", order, FaultAreas())
	}
	if _, ok := LookupFault("no-such-fault"); ok {
		t.Error("LookupFault found no-such-fault")
	}
	// The copies are the caller's.
	fs[0].Roles[0] = 0
	if Faults()[0].Roles[0] == 0 {
		t.Error("Faults shares its Roles with the registry")
	}
}

// The names the conformance work refers to are there.
func TestFaultNamesKept(t *testing.T) {
	for _, n := range []string{"alert-never", "alert-subcode-zero", "alert-wrong-subcode", "alert-no-close", "no-eor",
		"no-withdraw-reflect", "hello-once", "hello-at-hold-time", "query-ignored", "reflect-to-source", "gr-no-sweep",
		"gr-no-mark", "gr-no-expiry", "refresh-ignored", "handshake-domain-mismatch-accepted",
		"policy-more-without-start-accepted", "handshake-duplicate-routerid-accepted", "edge-origin-order-reversed",
		"hold-timer-own-offer", "hold-timer-never-expires"} {
		if _, ok := LookupFault(n); !ok {
			t.Errorf("no fault %q", n)
		}
	}
	// One fault for each of the seven best-path steps, at least.
	for _, n := range []string{"bestpath-invalid-accepted", "bestpath-distance-reversed", "bestpath-preference-reversed",
		"bestpath-tloc-preference-reversed", "edge-origin-order-reversed", "bestpath-router-id-reversed", "bestpath-tiebreak-skipped"} {
		if f, ok := LookupFault(n); !ok || f.Area != "bestpath" {
			t.Errorf("no best-path fault %q", n)
		}
	}
}

func TestStartRejectsUnknownFault(t *testing.T) {
	cfg := testConfig()
	cfg.Faults = []Fault{"alert-never", "no-such-fault"}
	sp, err := Start(context.Background(), cfg)
	if err == nil {
		sp.Close()
		t.Fatal("Start accepted an unknown fault")
	}
	if !strings.Contains(err.Error(), `"no-such-fault"`) || strings.Contains(err.Error(), `"alert-never"`) {
		t.Errorf("error %q does not name the unknown fault alone", err)
	}
	cfg.Routing = nil // the RIB refuses it too
	if _, err := NewRIBRouting(&cfg); err == nil {
		t.Error("NewRIBRouting accepted an unknown fault")
	}
}

func TestFaultsFixedAtRunTime(t *testing.T) {
	cfg := testConfig()
	cfg.Faults = []Fault{"hello-once"}
	sp := startSpeaker(t, cfg)
	if got := sp.Snapshot().Faults; !slices.Equal(got, cfg.Faults) {
		t.Errorf("snapshot faults %v", got)
	}
	cfg.Faults = nil
	if err := sp.Reconfigure(cfg); err == nil || !strings.Contains(err.Error(), "faults") {
		t.Errorf("Reconfigure dropping a fault: %v", err)
	}
}

// Every RIB quirk belongs to one fault, and a speaker on the RIB gets
// the quirks of its faults.
func TestFaultRIBQuirks(t *testing.T) {
	var all rib.Quirks
	for _, m := range ribQuirks {
		if all&m.q != 0 {
			t.Errorf("quirk %b mapped twice", m.q)
		}
		all |= m.q
	}
	if last := rib.QuirkQueryFamilyNoOwn; all != last|(last-1) { // the last is bit 63: Quirks is full
		t.Errorf("quirks %b mapped, want every one up to QuirkQueryFamilyNoOwn", all)
	}
	var set faultSet
	for i := range numFaults {
		set = set.with(i)
	}
	if set.ribQuirks() != all {
		t.Error("the full fault set does not give every quirk")
	}
	if (faultSet{}).ribQuirks() != 0 {
		t.Error("no fault gives quirks")
	}
}

func TestWrongSubcode(t *testing.T) {
	for _, code := range omp.AlertCodes() {
		for _, sub := range code.Subcodes() {
			w := wrongSubcode(code, sub)
			if w == sub || w == omp.SubErrNone || !slices.Contains(code.Subcodes(), w) {
				t.Errorf("%s/%d: wrong subcode %d", code, sub, w)
			}
		}
		if w := wrongSubcode(code, omp.SubErrNone); w != omp.SubErrNone {
			t.Errorf("%s/NONE became %d", code, w)
		}
	}
}

// docs/faults.md holds the registry's table between its markers
// (go test -run TestFaultsDoc -update-faults-doc rewrites it).
func TestFaultsDoc(t *testing.T) {
	const path = "../../docs/faults.md"
	const begin, end = "<!-- faults:begin -->\n", "<!-- faults:end -->"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(b)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i {
		t.Fatalf("%s: no %q ... %q section", path, strings.TrimSpace(begin), end)
	}
	want := doc[:i+len(begin)] + faultsMarkdown() + doc[j:]
	if want == doc {
		return
	}
	if *updateFaultsDoc {
		if err := os.WriteFile(path, []byte(want), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s is out of date with the registry: go test ./peers/reference -run TestFaultsDoc -update-faults-doc", path)
}

// A faultSet holds every fault, apart, in both of its words.
func TestFaultSet(t *testing.T) {
	if !(faultSet{}).empty() || len((faultSet{}).names()) != 0 {
		t.Error("the zero set is not empty")
	}
	var all faultSet
	for i := range numFaults {
		s := faultsOf(i)
		for j := range numFaults {
			if s.has(j) != (i == j) {
				t.Errorf("{%s} has %s: %v", faultTable[i].Name, faultTable[j].Name, s.has(j))
			}
		}
		if s.empty() || !s.any(s) || s.any(faultSet{}) || !slices.Equal(s.names(), []Fault{faultTable[i].Name}) {
			t.Errorf("{%s}: empty %v, names %v", faultTable[i].Name, s.empty(), s.names())
		}
		all = all.with(i)
	}
	if len(all.names()) != int(numFaults) {
		t.Errorf("the full set names %d faults, want %d", len(all.names()), numFaults)
	}
	got, err := resolveFaults([]Fault{faultTable[0].Name, faultTable[numFaults-1].Name})
	if err != nil || got != faultsOf(0, numFaults-1) {
		t.Errorf("resolveFaults: %v, %v", got, err)
	}
}
