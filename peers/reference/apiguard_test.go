package reference

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// The state API refuses what a web page in the operator's browser could
// send (docs/dut-control.md, "Who may call"): a foreign Host (DNS
// rebinding) or Origin is 403, a POST that is not application/json 415;
// the harness's own requests (a loopback Host, application/json) pass.
func TestStateAPIRefusesCrossSite(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	_, api, done, _ := startDaemon(t, func(o, e *syncBuffer) int {
		return Run(ctx, []string{"-role", "controller", "-system-ip", "10.0.0.1", "-site-id", "1",
			"-listen", "127.0.0.1:0", "-state-api", "127.0.0.1:0", "-log-level", "error"}, o, e)
	})
	do := func(method, path, host, origin, ctype, body string) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, api+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if host != "" {
			req.Host = host
		}
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		if ctype != "" {
			req.Header.Set("Content-Type", ctype)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	const pol = `{"policy":"default reject"}`
	for _, c := range []struct {
		name                              string
		method, path, host, origin, ctype string
		want                              int
	}{
		{"the review's attack", "POST", "control/policy", "attacker.example", "http://attacker.example", "text/plain", http.StatusForbidden},
		{"rebinding read", "GET", "state", "attacker.example", "", "", http.StatusForbidden},
		{"rebinding read, port kept", "GET", "peers", "attacker.example:12347", "", "", http.StatusForbidden},
		{"rebinding to a loopback-looking name", "GET", "routes", "127.0.0.1.attacker.example", "", "", http.StatusForbidden},
		{"foreign origin, loopback Host", "POST", "control/policy", "", "http://attacker.example", "application/json", http.StatusForbidden},
		{"null origin", "POST", "control/policy", "", "null", "application/json", http.StatusForbidden},
		{"foreign origin on a GET", "GET", "state", "", "https://attacker.example", "", http.StatusForbidden},
		{"text/plain POST, loopback Host", "POST", "control/policy", "", "", "text/plain", http.StatusUnsupportedMediaType},
		{"form POST", "POST", "control/terminate", "", "", "application/x-www-form-urlencoded", http.StatusUnsupportedMediaType},
		{"POST without a type", "POST", "control/config-change", "", "", "", http.StatusUnsupportedMediaType},
		{"the harness's own", "POST", "control/policy", "", "", "application/json", http.StatusNoContent},
		{"json with a charset", "POST", "control/policy", "", "", "application/json; charset=utf-8", http.StatusNoContent},
		{"localhost and a loopback origin", "POST", "control/policy", "localhost:12347", "http://127.0.0.1:8080", "application/json", http.StatusNoContent},
		{"::1", "GET", "state", "[::1]:12347", "http://[::1]:12347", "", http.StatusOK},
		{"127.0.0.2", "GET", "state", "127.0.0.2", "", "", http.StatusOK},
		{"a plain GET", "GET", "state", "", "", "", http.StatusOK},
	} {
		body := ""
		if c.method == "POST" {
			body = pol
		}
		if got, msg := do(c.method, c.path, c.host, c.origin, c.ctype, body); got != c.want {
			t.Errorf("%s: %s /%s Host %q Origin %q Content-Type %q: %d (%s), want %d",
				c.name, c.method, c.path, c.host, c.origin, c.ctype, got, strings.TrimSpace(msg), c.want)
		}
	}
	cancel()
	daemonExit(t, done)
}

func TestLoopbackHost(t *testing.T) {
	for host, want := range map[string]bool{
		"127.0.0.1": true, "127.0.0.1:80": true, "127.9.9.9:1": true, "[::1]:80": true, "[::1]": true,
		"::1": true, "localhost": true, "LOCALHOST:1": true, "[::ffff:127.0.0.1]:1": true,
		"": false, "attacker.example": false, "10.0.0.1:80": false, "0.0.0.0": false,
		"localhost.attacker.example": false, "[fe80::1%lo]:1": false, "[::1%lo]:80": false,
	} {
		if got := loopbackHost(host, ""); got != want {
			t.Errorf("loopbackHost(%q) = %v, want %v", host, got, want)
		}
	}
}
