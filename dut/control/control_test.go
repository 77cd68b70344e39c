package control

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// docTables reads docs/dut-control.md: the action names of its Actions
// table, and its HTTP body table as action name → body.
func docTables(t *testing.T) (names []string, bodies map[string]string) {
	t.Helper()
	b, err := os.ReadFile("../../docs/dut-control.md")
	if err != nil {
		t.Fatal(err)
	}
	bodies = map[string]string{}
	action := regexp.MustCompile("^\\| `([a-z-]+)` \\|")
	body := regexp.MustCompile("^\\| ([a-z, -]+) \\| `(\\{.*\\})` \\|$")
	for _, l := range strings.Split(string(b), "\n") {
		if m := action.FindStringSubmatch(l); m != nil {
			names = append(names, m[1])
		}
		if m := body.FindStringSubmatch(l); m != nil {
			for _, n := range strings.Split(m[1], ", ") {
				bodies[n] = m[2]
			}
		}
	}
	if len(names) == 0 || len(bodies) == 0 {
		t.Fatal("docs/dut-control.md: no action table or no body table")
	}
	return names, bodies
}

// Every action the document names parses, and prints as its name; the
// contract has no action the document does not name.
func TestDocumentedActionsParse(t *testing.T) {
	names, _ := docTables(t)
	seen := map[Action]bool{}
	for _, n := range names {
		a, err := ParseAction(n)
		if err != nil || a.String() != n {
			t.Errorf("%q: %v, %v", n, a, err)
		}
		seen[a] = true
	}
	if len(seen) != len(actionNames)-1 {
		t.Errorf("the document names %d actions, the contract has %d", len(seen), len(actionNames)-1)
	}
	if _, err := ParseAction("reboot"); err == nil || !strings.Contains(err.Error(), "want clear, shutdown") {
		t.Errorf("reboot: %v", err)
	}
}

// The body the document gives each action decodes, and a request
// encodes to that body again, member for member: no more, no fewer.
func TestDocumentedBodies(t *testing.T) {
	names, bodies := docTables(t)
	for _, n := range names {
		doc, ok := bodies[n]
		if !ok {
			t.Errorf("%s: the document gives no body", n)
			continue
		}
		r, err := Decode(n, strings.NewReader(doc))
		if err != nil {
			t.Errorf("%s %s: %v", n, doc, err)
			continue
		}
		got, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var want, have map[string]any
		json.Unmarshal([]byte(doc), &want)
		json.Unmarshal(got, &have)
		if !reflect.DeepEqual(want, have) {
			t.Errorf("%s: %s encodes as %s", n, doc, got)
		}
		again, err := Decode(n, bytes.NewReader(got))
		if err != nil || again != r {
			t.Errorf("%s: %s decodes as %+v (%v), want %+v", n, got, again, err, r)
		}
	}
}

// A body without what its action needs is a *BadBody (HTTP 400), an
// unknown action ErrUnsupported (501); an empty policy is a policy (it
// removes the one installed).
func TestDecodeErrors(t *testing.T) {
	var bad *BadBody
	for _, c := range []struct{ action, body string }{
		{"clear", `{}`}, {"shutdown", `{"peer": ""}`}, {"originate", `{"vpn": 1}`},
		{"originate-tloc", `{"color": 1}`}, {"policy", `{"peer": "10.0.1.2"}`}, {"routes", `not JSON`},
	} {
		if _, err := Decode(c.action, strings.NewReader(c.body)); !errors.As(err, &bad) || bad.Action.String() != c.action {
			t.Errorf("%s %s: %v, want a BadBody", c.action, c.body, err)
		}
	}
	if _, err := Decode("reboot", strings.NewReader(`{"peer": "10.0.1.2"}`)); !errors.Is(err, ErrUnsupported) {
		t.Errorf("reboot: %v, want ErrUnsupported", err)
	}
	if r, err := Decode("policy", strings.NewReader(`{"policy": ""}`)); err != nil || r != (Request{Action: Policy}) {
		t.Errorf("empty policy: %+v, %v", r, err)
	}
	// A peer that is not a Router ID is passed on by name (the reference
	// also takes a neighbor's address); config-change and terminate act
	// on every session and need none.
	if r, err := Decode("clear", strings.NewReader(`{"peer": "192.0.2.1:12346"}`)); err != nil || r.PeerName != "192.0.2.1:12346" || r.Name() != "192.0.2.1:12346" {
		t.Errorf("clear by neighbor address: %+v, %v", r, err)
	}
	for _, a := range []string{"config-change", "terminate"} {
		if r, err := Decode(a, strings.NewReader(`{}`)); err != nil || r.Action.String() != a {
			t.Errorf("%s without a peer: %+v, %v", a, r, err)
		}
	}
	if _, err := json.Marshal(Request{}); err == nil {
		t.Error("a request without an action encodes")
	}
	// A body over the limit says so, not "unexpected EOF".
	huge := `{"policy": "` + strings.Repeat("x", MaxBody) + `"}`
	if _, err := Decode("policy", strings.NewReader(huge)); !errors.As(err, &bad) || !strings.Contains(err.Error(), "over 1048576 bytes") {
		t.Errorf("a body over MaxBody: %v", err)
	}
}

// A request that names no peer says so: its body has no peer, and it
// does not decode into a clear.
func TestNoPeerIsNoPeer(t *testing.T) {
	b, err := json.Marshal(Request{Action: Clear})
	if err != nil || string(b) != "{}" {
		t.Fatalf("body %s, %v", b, err)
	}
	if _, err := Decode("clear", bytes.NewReader(b)); err == nil {
		t.Error("a clear without a peer decodes")
	}
}
