package reference

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/dut/control"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

// The daemon's side of the DUT control contract: 204 for an action done,
// 501 for terminate (the process's own), 409 for an action that failed,
// 400 for a request without a peer; config-change changes the hold time.
func TestControlEndpoint(t *testing.T) {
	sp := startSpeaker(t, Config{Role: omp.RoleController, RouterID: netip.MustParseAddr("192.0.2.1"), Listen: []string{"127.0.0.1:0"}})
	h := withControl(http.NotFoundHandler(), sp, nil)
	post := func(path, body string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		return rec.Code
	}
	before := sp.settings().holdTime
	for _, c := range []struct {
		path, body string
		want       int
	}{
		{"/control/config-change", `{"peer":"10.0.1.2"}`, http.StatusNoContent},
		{"/control/terminate", `{"peer":"10.0.1.2"}`, http.StatusNotImplemented},
		{"/control/clear", `{"peer":"10.0.1.2"}`, http.StatusConflict}, // no such session
		{"/control/shutdown", `{"peer":"10.0.1.2"}`, http.StatusNoContent},
		{"/control/clear", `{}`, http.StatusBadRequest},
		{"/control/reboot", `{"peer":"10.0.1.2"}`, http.StatusNotImplemented},
		{"/control/originate", `{"vpn":1}`, http.StatusBadRequest},
		{"/control/originate", `{"vpn":1,"prefix":"10.7.0.0/16"}`, http.StatusConflict}, // NullRouting keeps no routes
		{"/control/policy", `{"peer":"10.0.1.2"}`, http.StatusBadRequest},
		{"/control/policy", `{"policy":"rule"}`, http.StatusConflict}, // does not parse
	} {
		if got := post(c.path, c.body); got != c.want {
			t.Errorf("POST %s %s: %d, want %d", c.path, c.body, got, c.want)
		}
	}
	if after := sp.settings().holdTime; after == before {
		t.Errorf("config-change left the hold time at %d", after)
	}
}

// config-change changes a hold time of 0 (no HELLOs) and the largest, and
// changes it back: the next value is one the speaker accepts.
func TestConfigChangeEveryHoldTime(t *testing.T) {
	for _, hold := range []uint16{0, 3, 60, 65535} {
		sp := startSpeaker(t, Config{Role: omp.RoleController, RouterID: netip.MustParseAddr("192.0.2.1"), Listen: []string{"127.0.0.1:0"}, HoldTime: &hold})
		c := NewControl(sp, nil)
		if err := c.configChange(); err != nil {
			t.Fatalf("hold time %d: %v", hold, err)
		}
		if h := sp.settings().holdTime; h == hold {
			t.Errorf("hold time %d: config-change left it", hold)
		}
		if err := c.configChange(); err != nil {
			t.Fatalf("hold time %d, back: %v", hold, err)
		}
		if h := sp.settings().holdTime; h != hold {
			t.Errorf("hold time %d: back at %d", hold, h)
		}
	}
}

// originate and withdraw change the routes a speaker on the RIB
// advertises: 204 each, 409 for a withdrawal of nothing.
func TestControlRoutes(t *testing.T) {
	cfg := testConfig()
	edgeWithTLOC(&cfg)
	sp := startSpeaker(t, cfg)
	h := withControl(http.NotFoundHandler(), sp, nil)
	post := func(path, body string) int {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		return rec.Code
	}
	p := ribEstablished(t, sp, asController(edgeHandshake()))
	if got := post("/control/originate", `{"vpn":1,"prefix":"10.7.0.0/16"}`); got != http.StatusNoContent {
		t.Fatalf("originate: %d", got)
	}
	p.await("the originated route", reaches("10.7.0.0/16"))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/control/routes", strings.NewReader(`{"vpn":1,"prefix":"10.7.0.0/16"}`)))
	var ro control.Readout
	if err := json.Unmarshal(rec.Body.Bytes(), &ro); rec.Code != http.StatusOK || err != nil || len(ro.Paths) != 1 || !ro.Paths[0].Best || len(ro.FIB) != 1 {
		t.Fatalf("routes: %d %s (%v)", rec.Code, rec.Body, err)
	}
	if got := post("/control/withdraw", `{"vpn":1,"prefix":"10.7.0.0/16"}`); got != http.StatusNoContent {
		t.Fatalf("withdraw: %d", got)
	}
	p.await("the withdrawal", withdraws("10.7.0.0/16"))
	if got := post("/control/withdraw", `{"vpn":1,"prefix":"10.7.0.0/16"}`); got != http.StatusConflict {
		t.Fatalf("second withdraw: %d, want 409", got)
	}
	if got := post("/control/originate-tloc", `{"tloc":"198.19.0.7","color":1,"encap":2}`); got != http.StatusNoContent {
		t.Fatalf("originate-tloc: %d", got)
	}
	tloc := func(m omp.Message) bool {
		u, ok := m.(*omp.Update)
		if !ok {
			return false
		}
		v, ok := u.Find(omp.AttrTypeReachables)
		return ok && v.(*omp.AttrReachables).SAFI == omp.SAFITLOC && len(v.(*omp.AttrReachables).TLOCs) == 1 && v.(*omp.AttrReachables).TLOCs[0].Address == netip.MustParseAddr("198.19.0.7")
	}
	p.await("the originated TLOC", tloc)
	if got := post("/control/withdraw-tloc", `{"tloc":"198.19.0.7","color":1,"encap":2}`); got != http.StatusNoContent {
		t.Fatalf("withdraw-tloc: %d", got)
	}
	if got := post("/control/withdraw-tloc", `{"tloc":"198.19.0.7","color":1,"encap":2}`); got != http.StatusConflict {
		t.Fatalf("second withdraw-tloc: %d, want 409", got)
	}
	if got := post("/control/originate-tloc", `{"color":1}`); got != http.StatusBadRequest {
		t.Fatalf("originate-tloc without an address: %d, want 400", got)
	}
	for body, want := range map[string]int{`{"policy":"rule 10 then reject"}`: http.StatusNoContent, `{"policy":""}`: http.StatusNoContent, `{"policy":"rule"}`: http.StatusConflict} {
		if got := post("/control/policy", body); got != want {
			t.Errorf("policy %s: %d, want %d", body, got, want)
		}
	}
}

// A policy queued for an edge replaces what is queued of an older one,
// but a sequence begun on the wire is finished first: the queue stays
// bounded however often the operator installs a policy.
func TestQueuePolicyBounded(t *testing.T) {
	p := &ribPeer{}
	big := make([]byte, 3*omp.MaxPolicyData)
	for range 100 {
		p.queuePolicy(policy.Fragment(big))
	}
	if len(p.policy) != 3 || p.policy[0].PolicyType != omp.PolicyStart {
		t.Fatalf("%d queued after 100 installs, want the last policy's 3 fragments", len(p.policy))
	}
	p.policy = p.policy[1:] // START sent
	p.queuePolicy(policy.Fragment(nil))
	types := []omp.PolicyType{}
	for _, m := range p.policy {
		types = append(types, m.PolicyType)
	}
	if want := []omp.PolicyType{omp.PolicyMore, omp.PolicyEnd, omp.PolicyDel}; !slices.Equal(types, want) {
		t.Fatalf("queued %v, want the begun sequence finished, then DEL %v", types, want)
	}
}

// A controller has no TLOC of its own: originate-tloc is 409, as
// originate is (docs/dut-control.md), and originates nothing.
func TestControlControllerOriginatesNoTLOC(t *testing.T) {
	cfg := testConfig()
	onRIB(omp.RoleController)(&cfg)
	sp := startSpeaker(t, cfg)
	h := withControl(http.NotFoundHandler(), sp, nil)
	for path, body := range map[string]string{
		"/control/originate-tloc": `{"tloc":"198.19.0.7","color":1,"encap":2}`,
		"/control/originate":      `{"vpn":1,"prefix":"10.7.0.0/16"}`,
	} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		if rec.Code != http.StatusConflict {
			t.Errorf("a controller's %s: %d (%s), want 409", path, rec.Code, strings.TrimSpace(rec.Body.String()))
		}
	}
	if n := len(sp.routing.Snapshot().(RIBSnapshot).TLOCs); n != 0 {
		t.Errorf("a controller originated %d TLOCs", n)
	}
}

// originate-tloc keeps at most MaxLocalTLOCs: one more is 409 with a
// message saying so; a TLOC already there may be originated again (a
// replacement), and after a withdrawal a new one fits.
func TestControlTLOCBound(t *testing.T) {
	cfg := testConfig()
	edgeWithTLOC(&cfg) // one configured TLOC counts
	sp := startSpeaker(t, cfg)
	h := withControl(http.NotFoundHandler(), sp, nil)
	post := func(path string, i int) (int, string) {
		body := fmt.Sprintf(`{"tloc":"198.19.%d.%d","color":1,"encap":2}`, i/256, i%256)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, path, strings.NewReader(body)))
		return rec.Code, rec.Body.String()
	}
	for i := 1; i < MaxLocalTLOCs; i++ {
		if code, msg := post("/control/originate-tloc", i); code != http.StatusNoContent {
			t.Fatalf("originate-tloc %d: %d %s", i, code, msg)
		}
	}
	code, msg := post("/control/originate-tloc", MaxLocalTLOCs)
	if code != http.StatusConflict || !strings.Contains(msg, "1024 TLOCs") {
		t.Fatalf("originate-tloc past the bound: %d %q, want 409 naming the bound", code, msg)
	}
	if code, msg := post("/control/originate-tloc", 7); code != http.StatusNoContent {
		t.Errorf("originate-tloc of one already there: %d %s", code, msg)
	}
	if code, msg := post("/control/withdraw-tloc", 7); code != http.StatusNoContent {
		t.Fatalf("withdraw-tloc: %d %s", code, msg)
	}
	if code, msg := post("/control/originate-tloc", MaxLocalTLOCs); code != http.StatusNoContent {
		t.Errorf("originate-tloc after a withdrawal: %d %s", code, msg)
	}
}
