// Command refattack reruns the attacks of issue 9 on the reference
// daemon (bin/ompconform reference, its own process, on loopback), bounded
// in count and time, and prints what held:
//
//   - load N routes from one edge; time GET /peers (and /state) while new
//     sessions establish, with the daemon's RSS before and after;
//
//   - the edge leaves: RSS before the load, loaded, and after;
//
//   - router-ID churn: C sessions with distinct router IDs, half refused;
//     the peer table's size after.
//
//     go run ./scripts/refattack -bin bin/ompconform -n 2000000
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ompconform/ompconform/internal/lightpeer"
	"github.com/ompconform/ompconform/omp"
)

var (
	bin      = flag.String("bin", "bin/ompconform", "the ompconform binary")
	nRoutes  = flag.Int("n", 2_000_000, "routes loaded from one edge (at most 16M)")
	nSetup   = flag.Int("sessions", 20, "sessions established while /peers is polled")
	nChurn   = flag.Int("churn", 2000, "sessions with distinct router IDs (half refused)")
	deadline = flag.Duration("timeout", 5*time.Minute, "bound on the whole run")
)

var ctrl = netip.MustParseAddr("10.255.0.1")

func main() {
	flag.Parse()
	ctx, cancel := context.WithTimeout(context.Background(), *deadline)
	defer cancel()
	if err := run(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "refattack:", err)
		os.Exit(1)
	}
}

func rss(pid int) uint64 {
	b, _ := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			v, _ := strconv.ParseUint(f[1], 10, 64)
			return v << 10
		}
	}
	return 0
}

func mib(v uint64) string { return fmt.Sprintf("%.1f MiB", float64(v)/(1<<20)) }

func run(ctx context.Context) error {
	cmd := exec.CommandContext(ctx, *bin, "reference", "-role", "controller", "-system-ip", ctrl.String(),
		"-site-id", "1", "-listen", "127.0.0.1:0", "-state-api", "127.0.0.1:0", "-log-level", "error",
		"-hold-time", "0", "-gr-interval", "0", "-max-routes-per-peer", "-1")
	out, _ := cmd.StdoutPipe()
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return err
	}
	defer func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		return err
	}
	m := regexp.MustCompile(`\[(\S+)\], state API (http://\S+/)`).FindStringSubmatch(line)
	if m == nil {
		return fmt.Errorf("ready line %q", line)
	}
	addr, api := m[1], m[2]
	pid := cmd.Process.Pid
	time.Sleep(300 * time.Millisecond)
	base := rss(pid)
	fmt.Printf("daemon RSS before the load: %s\n", mib(base))

	// The load.
	t0 := time.Now()
	edge, err := dial(ctx, addr, netip.MustParseAddr("10.1.0.1"), 1)
	if err != nil {
		return err
	}
	if err := sendRoutes(edge, *nRoutes, netip.MustParseAddr("10.1.0.1")); err != nil {
		return err
	}
	if err := waitRoutes(ctx, api, *nRoutes); err != nil {
		return err
	}
	loaded := rss(pid)
	fmt.Printf("loaded %d routes in %v: RSS %s (%.0f B/route over the base)\n", *nRoutes, time.Since(t0).Round(time.Millisecond),
		mib(loaded), float64(loaded-base)/float64(*nRoutes))

	// /peers and /state timed while sessions establish.
	stop := make(chan struct{})
	setupDone := make(chan []time.Duration)
	go func() {
		var ds []time.Duration
		for i := range *nSetup {
			st := time.Now()
			c, err := dial(ctx, addr, netip.AddrFrom4([4]byte{10, 2, 0, byte(i + 1)}), uint32(100+i))
			if err != nil {
				fmt.Fprintln(os.Stderr, "session:", err)
				break
			}
			ds = append(ds, time.Since(st))
			defer c.Close()
		}
		close(stop)
		setupDone <- ds
	}()
	var peersT, stateT []time.Duration
	for i := 0; i < 1000; i++ {
		select {
		case <-stop:
			i = 1000
		default:
		}
		peersT = append(peersT, timeGet(api+"peers"))
		stateT = append(stateT, timeGet(api+"state"))
	}
	for range 20 {
		peersT = append(peersT, timeGet(api+"peers"))
	}
	setups := <-setupDone
	after := rss(pid)
	fmt.Printf("GET /peers with %d routes: %s (%d calls); GET /state: %s; RSS after %s\n", *nRoutes, stats(peersT), len(peersT), stats(stateT), mib(after))
	fmt.Printf("session setup (connect to Established) meanwhile: %s (%d sessions)\n", stats(setups), len(setups))
	var quiet []time.Duration
	for range 50 {
		quiet = append(quiet, timeGet(api+"peers"))
	}
	fmt.Printf("GET /peers with %d routes, no session starting: %s\n", *nRoutes, stats(quiet))
	pg := timeGet(api + "routes?limit=1000")
	fmt.Printf("GET /routes?limit=1000: %v\n", pg.Round(time.Microsecond))

	// The edge leaves.
	edge.Close()
	if err := waitRoutes(ctx, api, 0); err != nil {
		return err
	}
	time.Sleep(2 * time.Second)
	gone := rss(pid)
	fmt.Printf("after the edge left: RSS %s (%.2fx the %s before the load)\n", mib(gone), float64(gone)/float64(base), mib(base))

	// Router-ID churn.
	t1 := time.Now()
	for i := range *nChurn {
		if ctx.Err() != nil {
			break
		}
		rid := netip.AddrFrom4([4]byte{10, 3, byte(i >> 8), byte(i)})
		c, err := dialDomain(ctx, addr, rid, uint32(1000+i), uint32(i%2)) // odd: domain 1, refused
		if err == nil && c != nil {
			c.Close()
		}
	}
	var ps struct{ Peers []json.RawMessage }
	getJSON(api+"peers", &ps)
	fmt.Printf("router-ID churn: %d sessions in %v, %d peers listed after (live sessions plus the bounded history), RSS %s\n",
		*nChurn, time.Since(t1).Round(time.Millisecond), len(ps.Peers), mib(rss(pid)))
	fresh, err := dial(ctx, addr, netip.MustParseAddr("10.4.0.1"), 7)
	if err != nil {
		return fmt.Errorf("a new router ID after the churn: %w", err)
	}
	fresh.Close()
	fmt.Println("a new router ID after the churn: established")
	return nil
}

func stats(ds []time.Duration) string {
	if len(ds) == 0 {
		return "none"
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	r := func(d time.Duration) time.Duration { return d.Round(10 * time.Microsecond) }
	return fmt.Sprintf("median %v, p99 %v, max %v", r(s[len(s)/2]), r(s[len(s)*99/100]), r(s[len(s)-1]))
}

func timeGet(url string) time.Duration {
	t := time.Now()
	resp, err := http.Get(url)
	if err == nil {
		var v any
		json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
	}
	return time.Since(t)
}

func getJSON(url string, v any) error {
	resp, err := http.Get(url)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	return json.NewDecoder(resp.Body).Decode(v)
}

func waitRoutes(ctx context.Context, api string, n int) error {
	for ctx.Err() == nil {
		var st struct {
			Routing struct {
				RIB struct{ Paths int }
			}
		}
		if getJSON(api+"state", &st) == nil && st.Routing.RIB.Paths >= n && (n > 0 || st.Routing.RIB.Paths == 0) {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("waiting for %d paths: %w", n, ctx.Err())
}

func dial(ctx context.Context, addr string, rid netip.Addr, site uint32) (net.Conn, error) {
	return dialDomain(ctx, addr, rid, site, 0)
}

// dialDomain opens a session as an edge; in domain 0 (the daemon's) it
// waits for Established, in another the daemon refuses it.
func dialDomain(ctx context.Context, addr string, rid netip.Addr, site, domain uint32) (net.Conn, error) {
	d := net.Dialer{Timeout: 5 * time.Second}
	c, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	hs := &omp.Handshake{Version: omp.Version, SiteID: site, DomainID: domain, HoldTime: 0, PeerRouterID: rid,
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}, &omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC},
			&omp.CapIdentity{PeerType: omp.PeerTypeVEdge}}}}}
	if err := lightpeer.Open(c, hs); err != nil {
		if domain != 0 {
			return nil, nil
		}
		return nil, err
	}
	return c, nil
}

func sendRoutes(c net.Conn, n int, rid netip.Addr) error {
	tl := omp.TLOCNLRI{Address: netip.MustParseAddr("192.0.2.1"), Color: 1, Encap: 2}
	attrs := []omp.Attribute{
		omp.Attr(&omp.AttrTLOC{Address: tl.Address, Color: tl.Color, Encap: tl.Encap}),
		omp.Attr(&omp.AttrOriginator{Originator: rid}),
		omp.Attr(&omp.AttrSiteID{SiteID: 1}),
	}
	b, _ := omp.Append(nil, &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrOriginator{Originator: rid}), omp.Attr(&omp.AttrSiteID{SiteID: 1}),
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{tl}}})}})
	reach := &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}}
	u := &omp.Update{Attributes: append(attrs, omp.Attr(reach))}
	const per = 180
	for lo := 0; lo < n; lo += per {
		reach.VRoutes = reach.VRoutes[:0]
		for i := lo; i < min(lo+per, n); i++ {
			a := netip.AddrFrom4([4]byte{20 + byte(i>>24), byte(i >> 16), byte(i >> 8), byte(i)})
			reach.VRoutes = append(reach.VRoutes, omp.VRouteNLRI{VPNID: 1, PathID: 1, Label: 1000, PrefixLen: 32, Address: a})
		}
		var err error
		if b, err = omp.Append(b, u); err != nil {
			return err
		}
		if len(b) > 1<<20 {
			if _, err := c.Write(b); err != nil {
				return err
			}
			b = b[:0]
		}
	}
	_, err := c.Write(b)
	return err
}
