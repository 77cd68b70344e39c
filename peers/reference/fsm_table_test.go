package reference

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

// The tables in fsm.go are the ones docs/fsm.md draws, row for row.
func TestFSMTablesMatchDocs(t *testing.T) {
	doc, err := os.ReadFile("../../docs/fsm.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		heading string
		table   []row
	}{
		{"### Neighbor", neighborTable},
		{"### Connection", connTable},
	} {
		got := docTable(t, string(doc), tc.heading)
		want := renderTable(tc.table)
		if !slices.Equal(got, want) {
			t.Errorf("docs/fsm.md %q does not match fsm.go; fsm.go's table:\n%s", tc.heading, strings.Join(want, "\n"))
			for i := range max(len(got), len(want)) {
				var g, w string
				if i < len(got) {
					g = got[i]
				}
				if i < len(want) {
					w = want[i]
				}
				if g != w {
					t.Errorf("row %d:\n docs: %s\n code: %s", i+1, g, w)
				}
			}
		}
	}
}

// Every state of a connection has a row for every event of a
// connection, and the faults' rows replace rows that exist.
func TestFSMTableComplete(t *testing.T) {
	for _, st := range append([]State{StateIdle}, connected...) {
		for _, ev := range connEvents {
			if connTransitions[st][ev] == nil {
				t.Errorf("no row for %s on %s", st, ev)
			}
		}
	}
	for _, fr := range faultRows {
		if !fsmFaults.has(fr.f) {
			t.Errorf("fault %d has a row and is not in fsmFaults", fr.f)
		}
		for _, st := range fr.from {
			for _, ev := range fr.on {
				if connTransitions[st][ev] == nil {
					t.Errorf("fault %d: a row for %s on %s, which the table lacks", fr.f, st, ev)
				}
			}
		}
	}
	// The events dialLoop fires, in the states it fires them in.
	for st, evs := range map[State][]event{
		StateIdle:             {evStart, evUnshut, evShutdown, evRemoved, evPeerInSession},
		StateActive:           {evRetryTimer, evShutdown, evRemoved, evPeerInSession},
		StateConnect:          {evConnected, evDialFailed},
		StateHandshakeSent:    {evSessionEnded},
		StateHandshakeConfirm: {evSessionEnded},
		StateEstablished:      {evSessionEnded},
	} {
		for _, ev := range evs {
			if neighborTransitions[st][ev] == nil {
				t.Errorf("neighbor: no row for %s on %s", st, ev)
			}
		}
	}
}

// joinNames is the names of xs, joined by ", ".
func joinNames[T fmt.Stringer](xs []T) string {
	names := make([]string, len(xs))
	for i, x := range xs {
		names[i] = x.String()
	}
	return strings.Join(names, ", ")
}

func renderTable(table []row) []string {
	var out []string
	for _, r := range table {
		f := joinNames(r.from)
		if slices.Equal(r.from, connected) {
			f = "any connected"
		}
		e := joinNames(r.on)
		if slices.Equal(r.on, connEvents) {
			e = "any"
		}
		out = append(out, "| "+f+" | "+e+" | "+r.doc+" | "+r.to.String()+" |")
	}
	return out
}

// docTable is the rows of the first table after heading, header and
// separator left out.
func docTable(t *testing.T, doc, heading string) []string {
	t.Helper()
	at := strings.Index(doc, "\n"+heading+"\n")
	if at < 0 {
		t.Fatalf("docs/fsm.md has no %q", heading)
	}
	var rows []string
	in := false
	for _, l := range strings.Split(doc[at+1:], "\n")[1:] {
		switch {
		case strings.HasPrefix(l, "|"):
			in = true
			rows = append(rows, strings.TrimSpace(l))
		case in:
			if len(rows) < 2 {
				t.Fatalf("%q: no table", heading)
			}
			return rows[2:]
		}
	}
	if len(rows) < 2 {
		t.Fatalf("%q: no table", heading)
	}
	return rows[2:]
}
