package reference

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
)

const goodFile = `
role: controller
system-ip: 10.0.0.1
site-id: 1
domain-id: 7
overlay-id: 3
listen: ["127.0.0.1:0"]
neighbors:
  - {address: 127.0.0.1, server-name: vsmart2, shutdown: true}
hold-time: 30
min-hold-time: 9
gr-interval: 600
refresh: false
security: true
families: [ipv4/vroute, ipv4/tloc]
hello-vsmarts: [10.0.0.1]
auth: {key: secret, key-id: 4}
state-api: 127.0.0.1:0
log-level: debug
timers: {handshake: 5s, connect-retry: 2s, connect-retry-max: 1m, write: 10s}
queue-length: 64
tlocs:
  - {address: 192.0.2.10, color: 1, encap: 2, preference: 100, weight: 5, private: "192.0.2.10:12346", public: "198.51.100.1:5000"}
routes:
  - {vpn: 1, prefix: 10.1.0.0/16, origin: static, preference: 100, tag: 9}
  - {vpn: 2, prefix: "2001:db8::/32", tloc: {address: 192.0.2.10, color: 1, encap: 2}}
policy: |
  default accept
`

func TestFileConfig(t *testing.T) {
	fc, err := ParseFileConfig("good.yaml", strings.NewReader(goodFile))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := fc.Config()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Role != omp.RoleController || cfg.RouterID != ctrlID || cfg.DomainID != 7 || cfg.OverlayID != 3 ||
		*cfg.HoldTime != 30 || cfg.MinHoldTime != 9 || *cfg.GRInterval != 600 || !cfg.NoRefresh || !cfg.Security ||
		string(cfg.AuthKey) != "secret" || cfg.AuthKeyID != 4 || cfg.QueueLen != 64 ||
		cfg.HandshakeTimeout != 5*time.Second || cfg.ConnectRetryMax != time.Minute {
		t.Errorf("config %+v", cfg)
	}
	if len(cfg.Neighbors) != 1 || !cfg.Neighbors[0].Shutdown || cfg.Neighbors[0].ServerName != "vsmart2" {
		t.Errorf("neighbors %+v", cfg.Neighbors)
	}
	if len(cfg.Families) != 2 || cfg.Families[1] != (omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}) {
		t.Errorf("families %v", cfg.Families)
	}
	if len(cfg.TLOCs) != 1 || cfg.TLOCs[0].Public.Port() != 5000 || cfg.TLOCs[0].Weight != 5 {
		t.Errorf("TLOCs %+v", cfg.TLOCs)
	}
	if len(cfg.Routes) != 2 || cfg.Routes[0].Tag != 9 || cfg.Routes[1].Prefix.Bits() != 32 || cfg.Routes[1].TLOC.Color != 1 {
		t.Errorf("routes %+v", cfg.Routes)
	}
	if string(cfg.Policy) != "default accept\n" {
		t.Errorf("policy %q", cfg.Policy)
	}
}

// Bad files: the error names the file and the line.
func TestFileConfigErrors(t *testing.T) {
	cases := []struct{ name, text, want string }{
		{"unknown key", "role: edge\nsystem-ip: 10.0.0.2\nholdtime: 5\n", `^bad.yaml: line 3: unknown key "holdtime"$`},
		{"unknown nested key", "role: edge\ntlocs:\n  - {address: 192.0.2.1, colour: 3}\n", `line 3: unknown key "colour"`},
		{"bad address", "role: edge\nsystem-ip: ten\n", `bad.yaml: line 2: "ten" is not an IP address`},
		{"bad prefix", "routes:\n  - vpn: 1\n    prefix: 10.0.0.0/33\n", `line 3: "10.0.0.0/33" is not a prefix`},
		{"bad type", "site-id: many\n", `line 1: cannot unmarshal !!str .many. into uint32`},
		{"bad duration", "timers: {write: soon}\n", `line 1:`},
		{"bad family", "families: [ipv4/unicast]\n", `line 1: family "ipv4/unicast"`},
		{"bad yaml", "role: [\n", `bad.yaml: `},
		{"empty", "", `bad.yaml: the file is empty`},
		{"two documents", "role: edge\n---\nrole: hub\n", `line \d+: a second YAML document`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseFileConfig("bad.yaml", strings.NewReader(tc.text))
			if err == nil {
				t.Fatal("no error")
			}
			if !regexp.MustCompile(tc.want).MatchString(err.Error()) {
				t.Errorf("error %q, want /%s/", err, tc.want)
			}
		})
	}
	// Values the file parses but the configuration refuses.
	fc, err := ParseFileConfig("x.yaml", strings.NewReader("role: boss\nsystem-ip: 10.0.0.1\n"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fc.Config(); err == nil || !strings.Contains(err.Error(), `role "boss"`) {
		t.Errorf("bad role: %v", err)
	}
}

// syncBuffer is a bytes.Buffer safe for the daemon's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var readyLine = regexp.MustCompile(`listening on \[([^\] ]*)[^\]]*\], state API (\S+)`)

// startDaemon runs Run (or run) in a goroutine and waits for its ready
// line; it returns the speaker's address and the state API URL.
func startDaemon(t *testing.T, run func(stdout, stderr *syncBuffer) int) (addr, api string, done chan int, stderr *syncBuffer) {
	t.Helper()
	stdout, stderr := &syncBuffer{}, &syncBuffer{}
	done = make(chan int, 1)
	go func() { done <- run(stdout, stderr) }()
	waitFor(t, "the daemon's ready line", func() bool {
		select {
		case code := <-done:
			t.Fatalf("daemon exited %d: %s", code, stderr)
		default:
		}
		return readyLine.MatchString(stdout.String())
	})
	m := readyLine.FindStringSubmatch(stdout.String())
	return m[1], m[2], done, stderr
}

// daemonExit is the daemon's exit code, within testTimeout.
func daemonExit(t *testing.T, done <-chan int) int {
	t.Helper()
	select {
	case code := <-done:
		return code
	case <-time.After(testTimeout):
		t.Fatal("the daemon did not exit")
		return 0
	}
}

func getJSON(t *testing.T, url string, v any) {
	t.Helper()
	c := &http.Client{Timeout: testTimeout}
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
}

// The daemon from a file plus flags: a session, the state API, and OPER
// TERM when its context ends.
func TestDaemonRun(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "ctrl.yaml")
	os.WriteFile(file, []byte("role: edge\nsystem-ip: 10.0.0.9\ndomain-id: 1\nsite-id: 1\nhold-time: 1000\n"+
		"tlocs: [{address: 192.0.2.1, color: 1, encap: 2}]\nroutes: [{vpn: 1, prefix: 10.9.0.0/16}]\n"), 0o644)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addr, api, done, stderr := startDaemon(t, func(o, e *syncBuffer) int {
		return Run(ctx, []string{"-config", file, "-role", "controller", "-system-ip", "10.0.0.1",
			"-listen", "127.0.0.1:0", "-state-api", "127.0.0.1:0", "-log-level", "debug"}, o, e)
	})
	tcp, err := net.ResolveTCPAddr("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	p := dialPeer(t, tcp)
	hs := p.establish(edgeHandshake())
	if hs.PeerRouterID != ctrlID || hs.HoldTime != 1000 {
		t.Errorf("flags did not override the file: %+v", hs)
	}
	var peers struct{ Peers []PeerState }
	waitFor(t, "the peer Established in the state API", func() bool {
		getJSON(t, api+"peers", &peers)
		return len(peers.Peers) == 1 && peers.Peers[0].State == StateEstablished
	})
	var routes struct{ Routes []RouteState }
	getJSON(t, api+"routes", &routes)
	if len(routes.Routes) != 1 || routes.Routes[0].Prefix.String() != "10.9.0.0/16" || !routes.Routes[0].Best {
		t.Errorf("routes %+v", routes.Routes)
	}
	var tlocs struct{ TLOCs []RouteState }
	getJSON(t, api+"tlocs", &tlocs)
	if len(tlocs.TLOCs) != 1 {
		t.Errorf("tlocs %+v", tlocs)
	}
	resp, err := http.Post(api+"state", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /state: %s", resp.Status)
	}
	cancel()
	p.expectAlert(omp.ErrOper, omp.SubErrOperTerm)
	if code := daemonExit(t, done); code != 0 {
		t.Errorf("exit %d", code)
	}
	if !strings.Contains(stderr.String(), "to=Established") {
		t.Errorf("no session event in the log:\n%s", stderr)
	}
}

// SIGTERM stops the daemon with OPER TERM to its peers.
func TestDaemonSIGTERM(t *testing.T) {
	addr, _, done, _ := startDaemon(t, func(o, e *syncBuffer) int {
		return Main([]string{"-role", "controller", "-system-ip", "10.0.0.1", "-domain-id", "1",
			"-listen", "127.0.0.1:0", "-state-api", ""}, o, e)
	})
	tcp, _ := net.ResolveTCPAddr("tcp", addr)
	p := dialPeer(t, tcp)
	p.establish(edgeHandshake())
	// The ready line is printed after signal.NotifyContext took SIGTERM.
	if err := syscall.Kill(os.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	p.expectAlert(omp.ErrOper, omp.SubErrOperTerm)
	if code := daemonExit(t, done); code != 0 {
		t.Errorf("exit %d", code)
	}
}

// An edge with no TLOC, and a speaker with neither --listen nor
// --connect, start with a warning each; a controller that listens, none.
func TestDaemonConfigWarnings(t *testing.T) {
	for _, c := range []struct {
		args []string
		want []string
	}{
		{[]string{"-role", "edge"}, []string{"level=WARN msg=\"an SDN router without a TLOC", "level=WARN msg=\"neither --listen nor --connect"}},
		{[]string{"-role", "controller", "-listen", "127.0.0.1:0"}, nil},
	} {
		ctx, cancel := context.WithCancel(context.Background())
		_, _, done, stderr := startDaemon(t, func(o, e *syncBuffer) int {
			return Run(ctx, append(c.args, "-system-ip", "10.0.0.1", "-state-api", ""), o, e)
		})
		cancel()
		daemonExit(t, done)
		if got := strings.Count(stderr.String(), "level=WARN"); got != len(c.want) {
			t.Errorf("%v: %d warnings, want %d:\n%s", c.args, got, len(c.want), stderr)
		}
		for _, w := range c.want {
			if !strings.Contains(stderr.String(), w) {
				t.Errorf("%v: no %q in\n%s", c.args, w, stderr)
			}
		}
	}
}

// The help says where the file's format is and how an edge gets its
// TLOC, and each default once.
func TestDaemonUsage(t *testing.T) {
	u := Usage()
	for _, want := range []string{"docs/reference.md", "tlocs:\n    - {address: 198.51.100.9, color: 1, encap: 2}", "first redial wait (default 1s)\n"} {
		if !strings.Contains(u, want) {
			t.Errorf("no %q in\n%s", want, u)
		}
	}
	if strings.Contains(u, `"0s"`) {
		t.Errorf("a zero default printed:\n%s", u)
	}
}

// Bad command lines and configurations: exit 2 with a clear message.
func TestDaemonUsageErrors(t *testing.T) {
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"-role", "boss"}, `role "boss"`},
		{[]string{"-role", "edge"}, "router ID invalid IP"},
		{[]string{"-role", "edge", "-system-ip", "10.0.0.2", "-state-api", "0.0.0.0:1"}, "must be a loopback address"},
		{[]string{"-config", "/nonexistent.yaml"}, "no such file"},
		{[]string{"-role", "edge", "-system-ip", "10.0.0.2", "-hold-time", "2"}, ""},
		{[]string{"-bogus"}, "flag provided but not defined"},
		{[]string{"extra"}, `unexpected argument "extra"`},
	}
	for _, tc := range cases {
		var o, e syncBuffer
		code := Run(context.Background(), tc.args, &o, &e)
		if code == 0 {
			t.Errorf("%v: exit 0", tc.args)
		}
		if !strings.Contains(e.String(), tc.want) {
			t.Errorf("%v: stderr %q, want %q", tc.args, e.String(), tc.want)
		}
	}
}

// TLS from PEM files, as the daemon loads them.
func TestLoadTLSFiles(t *testing.T) {
	pki := testdut.NewPKI()
	dir := t.TempDir()
	cc, ck, ca := pki.WriteFiles(t, dir, "ctrl")
	ec, ek, _ := pki.WriteFiles(t, dir, "edge")
	ctls, err := LoadTLS(cc, ck, ca)
	if err != nil {
		t.Fatal(err)
	}
	etls, err := LoadTLS(ec, ek, ca)
	if err != nil {
		t.Fatal(err)
	}
	ccfg := testConfig()
	ccfg.TLS = ctls
	ctrl := startSpeaker(t, ccfg)
	ecfg := edgeConfig(ctrl.Addr().String())
	ecfg.TLS = etls
	startSpeaker(t, ecfg)
	waitPeerState(t, ctrl, edgeID.String(), StateEstablished)

	if _, err := LoadTLS(cc, ck, ""); err == nil {
		t.Error("TLS without a CA accepted")
	}
	if _, err := LoadTLS(cc, ck, cc+".missing"); err == nil {
		t.Error("missing CA file accepted")
	}
	if _, err := LoadTLS(ck, cc, ca); err == nil {
		t.Error("key and cert swapped accepted")
	}
}
