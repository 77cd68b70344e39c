package prove

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/suites/catalog"
)

func cases() []catalog.Case {
	return []catalog.Case{
		{ID: "A-1", Level: catalog.MUST},
		{ID: "A-2", Level: catalog.SHOULD},
		{ID: "A-3", Level: catalog.INFORMATIONAL},
	}
}

// The proof holds only when the clean runs pass, every fault run fails
// the gate, and every case but the INFORMATIONAL ones is failed by some
// fault; each broken condition is reported.
func TestCheck(t *testing.T) {
	good := &Matrix{Runs: []Run{
		{Fault: Clean, Role: catalog.Controller, Gating: []string{}},
		{Fault: "f1", Role: catalog.Controller, Gating: []string{"A-1"}},
		{Fault: "f2", Role: catalog.Edge, Gating: []string{"A-2", "A-1"}},
	}}
	if p := good.Check(cases()); !p.OK() {
		t.Fatalf("a holding proof reported %+v", p)
	}
	if k := good.Kills()["A-1"]; strings.Join(k, ",") != "f1,f2" {
		t.Errorf("kills of A-1: %v", k)
	}
	bad := &Matrix{Runs: []Run{
		{Fault: Clean, Role: catalog.Edge, Gating: []string{"A-2"}},
		{Fault: "f1", Role: catalog.Controller, Gating: []string{"A-1"}},
		{Fault: "f3", Role: catalog.Hub, Gating: []string{}},
		{Fault: "f4", Role: catalog.Hub, Error: "exit status 2"},
	}}
	p := bad.Check(cases())
	if p.OK() || len(p.CleanFailed) != 1 || strings.Join(p.Survived, ",") != "f3 (hub)" || strings.Join(p.Unkilled, ",") != "A-2" || len(p.Errors) != 1 {
		t.Errorf("problems %+v", p)
	}
}

func TestJSONAndHTML(t *testing.T) {
	m := &Matrix{Runs: []Run{{Fault: "f1", Role: catalog.Hub, Gating: []string{"A-1"}, Grades: map[string]int{"FAIL": 1}}}}
	var b bytes.Buffer
	if err := m.Write(&b); err != nil {
		t.Fatal(err)
	}
	back, err := Read(&b)
	if err != nil || len(back.Runs) != 1 || back.Runs[0].Role != catalog.Hub || back.Runs[0].Gating[0] != "A-1" {
		t.Fatalf("read back %+v, %v", back, err)
	}
	b.Reset()
	if err := m.WriteHTML(&b, cases(), []FaultInfo{{Name: "f1", Area: "alert", Summary: "s"}}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `<td class="k">`) || !strings.Contains(b.String(), "A-2") {
		t.Error("the HTML lacks the kill mark or a case row")
	}
}
