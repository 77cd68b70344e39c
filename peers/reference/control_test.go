package reference

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
)

// The daemon's side of the DUT control contract: 204 for an action done,
// 501 for terminate (the process's own), 409 for an action that failed,
// 400 for a request without a peer; config-change changes the hold time.
func TestControlEndpoint(t *testing.T) {
	sp := startSpeaker(t, Config{Role: RoleController, RouterID: netip.MustParseAddr("192.0.2.1"), Listen: []string{"127.0.0.1:0"}})
	h := withControl(http.NotFoundHandler(), sp)
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
	} {
		if got := post(c.path, c.body); got != c.want {
			t.Errorf("POST %s %s: %d, want %d", c.path, c.body, got, c.want)
		}
	}
	if after := sp.settings().holdTime; after == before {
		t.Errorf("config-change left the hold time at %d", after)
	}
}
