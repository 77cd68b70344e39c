package reference

import (
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/lightpeer"
	"github.com/ompconform/ompconform/omp"
)

// The soak (make soak): -soak runs it at full size; without it a short
// version runs with the other tests.
var (
	soak         = flag.Bool("soak", false, "run TestSoak at full size (about 500 sessions for -soak.duration)")
	soakDuration = flag.Duration("soak.duration", 60*time.Second, "how long the full soak churns")
	soakSessions = flag.Int("soak.sessions", 500, "sessions of the full soak")
)

// Soak tolerances: after the load, goroutines come back to within
// soakGoroutines of the baseline, and RSS to within soakRSSFactor of
// it (or soakRSSSlack above it, whichever is larger). RSS is not judged
// under the race detector, whose shadow memory it does not give back.
const (
	soakGoroutines = 10
	soakRSSFactor  = 2
	soakRSSSlack   = 64 << 20
)

func selfRSS() uint64 {
	b, _ := os.ReadFile("/proc/self/status")
	for _, l := range strings.Split(string(b), "\n") {
		if f := strings.Fields(l); len(f) >= 2 && f[0] == "VmRSS:" {
			v, _ := strconv.ParseUint(f[1], 10, 64)
			return v << 10
		}
	}
	return 0
}

// TestSoak: many sessions on loopback with route churn, state API
// polling and random resets, bounded in time; then RSS and goroutines
// return to their baseline, within the tolerances above, and the peer
// table and the RIB are empty.
func TestSoak(t *testing.T) {
	n, d := 40, 2*time.Second
	if *soak {
		n, d = *soakSessions, *soakDuration
	}
	cfg := testConfig()
	cfg.Routing = nil
	cfg.HandshakeTimeout = 10 * time.Second
	cfg.PeerHistory = 64
	sp := startSpeaker(t, cfg)
	soakPort.Store(int64(sp.Addr().(*net.TCPAddr).Port))
	srv := httptest.NewServer(StateHandler(sp))
	defer srv.Close()
	http.DefaultClient.Timeout = 10 * time.Second

	runtime.GC()
	time.Sleep(100 * time.Millisecond)
	baseG, baseRSS := runtime.NumGoroutine(), selfRSS()

	stop := make(chan struct{})
	var wg sync.WaitGroup
	var established, resets, updates, polls, pollSlow atomic.Int64
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(i), 1))
			rid := netip.AddrFrom4([4]byte{10, 100 + byte(i>>8), byte(i), 1})
			for attempt := 0; attempt < 1000; attempt++ {
				select {
				case <-stop:
					return
				default:
				}
				c, err := soakSession(rid, uint32(1000+i))
				if err != nil {
					time.Sleep(50 * time.Millisecond)
					continue
				}
				established.Add(1)
				o := origin{id: rid, site: uint32(1000 + i), tloc: omp.TLOCNLRI{Address: rid, Color: 1, Encap: 2}}
				b, _ := omp.Append(nil, o.tlocAdv(0))
				c.Write(b)
				life := time.Duration(200+rng.IntN(2000)) * time.Millisecond
				end := time.After(life)
			churn:
				for k := 0; ; k++ {
					select {
					case <-stop:
						break churn
					case <-end:
						resets.Add(1)
						break churn
					case <-time.After(time.Duration(20+rng.IntN(80)) * time.Millisecond):
					}
					var ps []string
					for j := range 20 {
						ps = append(ps, fmt.Sprintf("172.%d.%d.%d/32", 16+i%16, i>>4&0xFF, (k*20+j)%250))
					}
					u := o.routeAdv(0, 0, ps...)
					if k%3 == 2 {
						u = withdraw(ps...)
					}
					b, _ := omp.Append(nil, u)
					if _, err := c.Write(b); err != nil {
						break churn
					}
					updates.Add(1)
				}
				if rng.IntN(2) == 0 {
					if tc, ok := c.(*net.TCPConn); ok {
						tc.SetLinger(0) // a reset
					}
				}
				c.Close()
			}
		}()
	}
	// The state API, polled all along.
	wg.Add(1)
	go func() {
		defer wg.Done()
		for k := 0; ; k++ {
			select {
			case <-stop:
				return
			default:
			}
			path := []string{"/peers", "/state", "/routes?limit=100", "/tlocs?limit=50"}[k%4]
			t0 := time.Now()
			resp, err := http.Get(srv.URL + path)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if time.Since(t0) > time.Second {
				pollSlow.Add(1)
			}
			polls.Add(1)
			time.Sleep(5 * time.Millisecond)
		}
	}()
	var peakRSS uint64
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(200 * time.Millisecond) {
		peakRSS = max(peakRSS, selfRSS())
	}
	close(stop)
	wg.Wait()

	r, _ := RIB(sp.Routing())
	waitFor(t, "every session gone, the RIB empty", func() bool {
		sp.mu.Lock()
		live, sessions := len(sp.peers), len(sp.sessions)
		sp.mu.Unlock()
		st := r.Stats()
		return live == 0 && sessions == 0 && st.Paths == 0 && st.Peers == 0
	})
	// Memory goes back to the system lazily (the runtime's scavenger):
	// give it back now, and wait, within a bound, for both the
	// goroutines and RSS to settle before judging them.
	var g int
	var rss uint64
	limit := max(soakRSSFactor*baseRSS, baseRSS+soakRSSSlack)
	for deadline := time.Now().Add(30 * time.Second); ; {
		debug.FreeOSMemory()
		g, rss = runtime.NumGoroutine(), selfRSS()
		if g <= baseG+soakGoroutines && (rss <= limit || raceEnabled) || time.Now().After(deadline) {
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Logf("soak: %d sessions for %v: %d established, %d resets, %d UPDATEs, %d state API calls (%d over 1 s); goroutines %d -> %d; RSS %.1f MiB, peak %.1f MiB, after %.1f MiB",
		n, d, established.Load(), resets.Load(), updates.Load(), polls.Load(), pollSlow.Load(), baseG, g,
		float64(baseRSS)/(1<<20), float64(peakRSS)/(1<<20), float64(rss)/(1<<20))
	if g > baseG+soakGoroutines {
		t.Errorf("goroutines %d, baseline %d (+%d allowed)", g, baseG, soakGoroutines)
	}
	if rss > limit && !raceEnabled {
		t.Errorf("RSS %d after the soak, baseline %d (limit %d)", rss, baseRSS, limit)
	}
	if established.Load() < int64(n) {
		t.Errorf("%d sessions established, want at least %d", established.Load(), n)
	}
	if pollSlow.Load() > 0 {
		t.Errorf("%d state API calls took over a second", pollSlow.Load())
	}
	if np := len(sp.summary().Peers); np > 64 {
		t.Errorf("%d peers listed, history 64", np)
	}
}

// soakSession opens a session as an edge with no hold time.
func soakSession(rid netip.Addr, site uint32) (net.Conn, error) {
	c, err := net.DialTimeout("tcp", "127.0.0.1:"+fmt.Sprint(soakPort.Load()), 5*time.Second)
	if err != nil {
		return nil, err
	}
	h := edgeHandshake()
	h.PeerRouterID, h.SiteID, h.HoldTime = rid, site, 0
	if err := lightpeer.Open(c, h); err != nil {
		return nil, err
	}
	return c, nil
}

var soakPort atomic.Int64
