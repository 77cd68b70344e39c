package container

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"

	"github.com/ompconform/ompconform/peers/fake"
	"github.com/ompconform/ompconform/peers/reference"
)

// These tests start real containers. Without a reachable Docker daemon
// they skip (scripts/docker-up.sh starts one; CI runs it).

// testLabel marks this process's containers, to find leftovers.
var testLabel = "org.ompconform.test=" + randomTag()

var (
	imageOnce sync.Once
	imageName string
	imageErr  error
	imageTook time.Duration
)

func TestMain(m *testing.M) {
	code := m.Run()
	if imageName != "" {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		if err := RemoveImage(ctx, imageName); err != nil {
			fmt.Fprintln(os.Stderr, "removing the test image:", err)
		}
		cancel()
	}
	os.Exit(code)
}

// needDocker skips the test unless a Docker daemon answers.
func needDocker(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := Available(ctx); err != nil {
		if errors.Is(err, ErrNoDocker) {
			t.Skipf("skipping: needs Docker: %v", err)
		}
		t.Fatal(err)
	}
}

// referenceImage builds the reference image once for the package, under
// a tag of its own (removed by TestMain).
func referenceImage(t *testing.T) string {
	t.Helper()
	needDocker(t)
	imageOnce.Do(func() {
		root, err := filepath.Abs(filepath.Join("..", ".."))
		if err != nil {
			imageErr = err
			return
		}
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
		defer cancel()
		start := time.Now()
		imageName, imageErr = BuildReference(ctx, root, "ompconform-test/reference:"+randomTag(), nil)
		imageTook = time.Since(start)
	})
	if imageErr != nil {
		t.Fatalf("building the reference image: %v", imageErr)
	}
	return imageName
}

// freePorts are n distinct TCP ports free on 127.0.0.1 just now.
func freePorts(t *testing.T, n int) []int {
	t.Helper()
	var ports []int
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close() // held until all are chosen: distinct
		ports = append(ports, ln.Addr().(*net.TCPAddr).Port)
	}
	return ports
}

func freePort(t *testing.T) int { return freePorts(t, 1)[0] }

// ourContainers lists this process's containers, running or not.
func ourContainers(t *testing.T, ctx context.Context) []string {
	t.Helper()
	c, err := newClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	res, err := c.ContainerList(ctx, client.ContainerListOptions{All: true, Filters: make(client.Filters).Add("label", testLabel)})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range res.Items {
		ids = append(ids, s.ID[:12]+" "+string(s.State))
	}
	return ids
}

// gone checks the container no longer exists.
func gone(t *testing.T, ctx context.Context, id string) {
	t.Helper()
	c, err := newClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ContainerInspect(ctx, id, client.ContainerInspectOptions{}); !cerrdefs.IsNotFound(err) {
		t.Errorf("container %s after Stop: inspect gives %v, want not found", id, err)
	}
	if left := ourContainers(t, ctx); len(left) > 0 {
		t.Errorf("containers of this test left: %v", left)
	}
}

func labels() map[string]string {
	k, v, _ := strings.Cut(testLabel, "=")
	return map[string]string{k: v}
}

// The reference image in a container, configured by a file copied in
// plus flags: a fake edge opens a session with it (HANDSHAKE both ways,
// HELLO, established), its state API shows the peer, and Stop shuts it
// down cleanly (exit 0 on SIGTERM) and removes it.
func TestReferenceContainer(t *testing.T) {
	image := referenceImage(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var (
		ompPort, apiPort int
		dut              *DUT
		err              error
		t0               time.Time
	)
	// A free port may be taken by another test package between its
	// choice and the container's bind: then again, with others.
	for try := 0; try < 3; try++ {
		ports := freePorts(t, 2)
		ompPort, apiPort = ports[0], ports[1]
		conf := fmt.Sprintf("role: controller\nsystem-ip: 10.0.0.1\nsite-id: 1\nlisten: [\"127.0.0.1:%d\"]\nstate-api: 127.0.0.1:%d\n", ompPort, apiPort)
		t0 = time.Now()
		dut, err = Start(ctx, Spec{
			Image:          image,
			Args:           []string{"-config", "/etc/ompconform/reference.yaml", "-domain-id", "7", "-log-level", "debug"},
			Files:          []File{{Path: "/etc/ompconform/reference.yaml", Content: []byte(conf)}},
			Port:           ompPort,
			Labels:         labels(),
			StartupTimeout: 30 * time.Second,
		})
		if err == nil || !strings.Contains(err.Error(), "address already in use") {
			break
		}
	}
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	started := time.Since(t0)
	stopped := false
	defer func() {
		if !stopped {
			dut.Stop(context.Background())
		}
	}()
	if want := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(ompPort)); dut.AddrPort() != want || dut.Addr() != want.String() {
		t.Errorf("Addr %s, want %s", dut.Addr(), want)
	}

	// The session, as a conformance case opens it.
	t1 := time.Now()
	edge, err := fake.Dial(fake.Config{Name: "edge-1", LocalAddr: "127.0.0.1", RouterID: netip.MustParseAddr("10.0.0.2"), SiteID: 2, DomainID: 7},
		dut.Addr(), 5*time.Second)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	hs, err := edge.Open(10 * time.Second)
	if err != nil {
		edge.Close()
		t.Fatalf("open: %v\ntranscript: %+v", err, edge.Transcript().Entries())
	}
	if !edge.Established() {
		t.Error("Open returned but the session is not established")
	}
	// From the file and from the flag.
	if hs.PeerRouterID != netip.MustParseAddr("10.0.0.1") || hs.SiteID != 1 || hs.DomainID != 7 {
		t.Errorf("DUT HANDSHAKE: router %s site %d domain %d; want 10.0.0.1, 1, 7", hs.PeerRouterID, hs.SiteID, hs.DomainID)
	}
	session := time.Since(t1)

	// The state API (loopback, host networking) sees the same session.
	peer := waitPeer(t, fmt.Sprintf("http://127.0.0.1:%d/peers", apiPort), "10.0.0.2", reference.StateEstablished, 5*time.Second)
	if peer.Remote != edge.LocalAddr().String() {
		t.Errorf("state API: peer remote %q, want our end %s", peer.Remote, edge.LocalAddr())
	}
	edge.Close()

	out, err := dut.Logs(ctx)
	if err != nil || !strings.Contains(string(out), "listening on [127.0.0.1:"+fmt.Sprint(ompPort)+"]") {
		t.Errorf("logs (%v): %q lack the daemon's start line", err, out)
	}
	if up, err := dut.Running(ctx); !up || err != nil {
		t.Errorf("Running = %v, %v", up, err)
	}

	t2 := time.Now()
	id := dut.ID()
	if err := dut.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	stopped = true
	stop := time.Since(t2)
	if code := dut.ExitCode(); code != 0 {
		t.Errorf("exit code %d after SIGTERM, want 0 (a clean stop)", code)
	}
	if err := dut.Stop(ctx); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	gone(t, ctx, id)
	t.Logf("image build %s (once per package), start %s, session %s, stop %s",
		imageTook.Round(time.Millisecond), started.Round(time.Millisecond), session.Round(time.Millisecond), stop.Round(time.Millisecond))
}

// waitPeer polls the state API until the peer with routerID is in state.
func waitPeer(t *testing.T, url, routerID string, state reference.State, within time.Duration) reference.PeerState {
	t.Helper()
	hc := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(within)
	var last string
	for {
		var body struct {
			Peers []reference.PeerState `json:"peers"`
		}
		resp, err := hc.Get(url)
		if err == nil {
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if err == nil && resp.StatusCode != http.StatusOK {
				err = fmt.Errorf("HTTP %s", resp.Status)
			}
		}
		if err == nil {
			for _, p := range body.Peers {
				if p.RouterID.String() == routerID && p.State == state {
					return p
				}
			}
			last = fmt.Sprintf("%+v", body.Peers)
		} else {
			last = err.Error()
		}
		if time.Now().After(deadline) {
			t.Fatalf("state API %s: no peer %s in state %s within %s; last: %s", url, routerID, state, within, last)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// A DUT that exits at start-up fails Start at once with its exit code
// and its output, and leaves no container behind.
func TestStartDUTExits(t *testing.T) {
	image := referenceImage(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now()
	dut, err := Start(ctx, Spec{
		Image: image, Port: freePort(t), Labels: labels(), StartupTimeout: 30 * time.Second,
		Args: []string{"-role", "edge", "-system-ip", "0.0.0.0"},
	})
	took := time.Since(t0)
	if err == nil {
		dut.Stop(ctx)
		t.Fatal("Start succeeded with a DUT that cannot start")
	}
	t.Logf("Start failed after %s as it should:\n%v", took.Round(time.Millisecond), err)
	for _, want := range []string{"exited with code 2", "router ID 0.0.0.0", "--- container output ---"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error lacks %q:\n%v", want, err)
		}
	}
	if took > 20*time.Second {
		t.Errorf("Start took %s to notice the exit; the startup timeout is 30s", took)
	}
	if left := ourContainers(t, ctx); len(left) > 0 {
		t.Errorf("containers left: %v", left)
	}
}

// An image that is not local is an error, not a pull.
func TestStartMissingImage(t *testing.T) {
	needDocker(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	dut, err := Start(ctx, Spec{Image: "ompconform-test/absent:" + randomTag(), Port: freePort(t), Labels: labels()})
	if err == nil {
		dut.Stop(ctx)
		t.Fatal("Start succeeded with an absent image")
	}
	if !strings.Contains(err.Error(), "not in the local Docker store") {
		t.Errorf("error: %v", err)
	}
}

// A Dockerfile context (the Build path of Spec): the reference image's
// own context, built by Start and removed by Stop.
func TestStartFromDockerfile(t *testing.T) {
	needDocker(t)
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	dir := t.TempDir()
	df, err := os.ReadFile(filepath.Join(root, "docker", "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := BuildStatic(ctx, root, filepath.Join(dir, "ompconform"), nil); err != nil {
		t.Fatal(err)
	}
	spec, ok, err := ParseTarget("dockerfile:" + dir)
	if !ok || err != nil {
		t.Fatalf("ParseTarget: %v %v", ok, err)
	}
	port := freePort(t)
	spec.Port, spec.Labels = port, labels()
	spec.Args = []string{"-role", "controller", "-system-ip", "10.0.0.9", "-listen", fmt.Sprintf("127.0.0.1:%d", port), "-state-api", ""}
	dut, err := Start(ctx, spec)
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	built := dut.Image()
	edge, err := fake.Dial(fake.Config{LocalAddr: "127.0.0.1", RouterID: netip.MustParseAddr("10.0.0.3")}, dut.Addr(), 5*time.Second)
	if err == nil {
		hs, err := edge.Open(10 * time.Second)
		if err != nil {
			t.Errorf("open: %v", err)
		} else if hs.PeerRouterID != netip.MustParseAddr("10.0.0.9") {
			t.Errorf("DUT router ID %s, want 10.0.0.9", hs.PeerRouterID)
		}
		edge.Close()
	} else {
		t.Errorf("dial: %v", err)
	}
	id := dut.ID()
	if err := dut.Stop(ctx); err != nil {
		t.Fatalf("Stop: %v", err)
	}
	gone(t, ctx, id)
	c, err := newClient(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.ImageInspect(ctx, built); !cerrdefs.IsNotFound(err) {
		t.Errorf("image %s built by Start: after Stop inspect gives %v, want not found", built, err)
		RemoveImage(ctx, built)
	}
}

// Without a daemon, Start and BuildReference fail fast with ErrNoDocker.
// (Where Docker answers there is nothing to check: this test runs, for
// instance, in a mount namespace that hides /run/docker.sock.)
func TestNoDocker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := Available(ctx); err == nil {
		t.Skip("a Docker daemon answers: the no-Docker path cannot be seen here")
	} else if !errors.Is(err, ErrNoDocker) {
		t.Fatalf("Available: %v, not under ErrNoDocker", err)
	}
	t0 := time.Now()
	d, err := Start(ctx, Spec{Image: "ompconform/reference:dev", Port: freePort(t)})
	if d != nil || !errors.Is(err, ErrNoDocker) || !strings.Contains(err.Error(), "scripts/docker-up.sh") {
		t.Errorf("Start without Docker: %v, %v; want ErrNoDocker", d, err)
	}
	if _, err := BuildReference(ctx, filepath.Join("..", ".."), "", nil); !errors.Is(err, ErrNoDocker) {
		t.Errorf("BuildReference without Docker: %v; want ErrNoDocker before compiling", err)
	}
	if took := time.Since(t0); took > 10*time.Second {
		t.Errorf("failing without Docker took %s", took)
	}
}
