package rib

import (
	"flag"
	"fmt"
	"math/bits"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

var benchRoutes = flag.Int("rib.routes", 100_000, "vRoutes per BenchmarkReflect iteration")

// applyAll applies ws, encoded UPDATEs, from peer id.
func applyAll(tb testing.TB, r *RIB, id PeerID, ws [][]byte) {
	tb.Helper()
	for _, w := range ws {
		m, err := omp.Decode(w)
		if err != nil {
			tb.Fatal(err)
		}
		if err := r.Apply(id, m.(*omp.Update)); err != nil {
			tb.Fatal(err)
		}
	}
}

// benchWire is the sender's traffic: one TLOC UPDATE, then n IPv4
// vRoutes, 100 per UPDATE, one attribute set (TLOC, PREF, ORIGIN,
// ORIGINATOR, SITE_ID), encoded.
func benchWire(b *testing.B, n int) [][]byte {
	tl := tlocN("192.0.2.1", 1, 2)
	attrs := []omp.AttrValue{&omp.AttrPref{Preference: 100}, &omp.AttrOrigin{Proto: omp.OriginConnected},
		&omp.AttrOriginator{Originator: a("1.1.1.1")}, &omp.AttrSiteID{SiteID: 1}}
	w, err := omp.Encode(advT([]omp.TLOCNLRI{tl}, attrs[2:]...))
	if err != nil {
		b.Fatal(err)
	}
	out := [][]byte{w}
	vs := make([]omp.VRouteNLRI, 100)
	for lo := 0; lo < n; lo += 100 {
		vs = vs[:0]
		for i := lo; i < min(lo+100, n); i++ {
			vs = append(vs, omp.VRouteNLRI{VPNID: 1, PathID: 1, Label: uint32(i & 0xFFFFF), PrefixLen: 32,
				Address: netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})})
		}
		w, err := omp.Encode(advV(tl, vs, attrs...))
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, w)
	}
	return out
}

func heapInuse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}

// BenchmarkReflect measures a controller carrying N vRoutes from one
// sender to one receiver: decode each UPDATE, Apply it, then drain the
// receiver's Adj-RIB-Out with Next. Metrics per route: ns (total wall
// time), cpu-ns (process CPU time, GC included: the figure to trust on a
// shared machine), decode-ns (omp.Decode of the sender's UPDATEs), apply-ns (Apply),
// drain-ns (Next), bytes (HeapInuse growth with the RIB loaded, after GC,
// plus its tables outside the heap),
// and out-bytes (encoded output).
//
//	go test -run '^$' -bench Reflect -benchtime 1x ./peers/reference/rib -rib.routes=1000000
func BenchmarkReflect(b *testing.B) {
	n := *benchRoutes
	wire := benchWire(b, n)
	var applyNs, decodeNs, drainNs, cpuNs, mem, outBytes float64
	msgs := make([]*omp.Update, 0, 100)
	iters := 0
	for b.Loop() {
		b.StopTimer()
		before := heapInuse()
		b.StartTimer()
		c0 := cpuTime()
		t0 := time.Now()
		r, _ := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100})
		s, _ := r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1, Families: []omp.Family{TLOC4, VRoute4}})
		rx, _ := r.PeerUp(PeerInfo{RouterID: a("9.9.9.9"), SiteID: 9, Families: []omp.Family{TLOC4, VRoute4}})
		for lo := 0; lo < len(wire); lo += 100 {
			ms := msgs[:0]
			td := time.Now()
			for _, w := range wire[lo:min(lo+100, len(wire))] {
				m, err := omp.Decode(w)
				if err != nil {
					b.Fatal(err)
				}
				ms = append(ms, m.(*omp.Update))
			}
			decodeNs += float64(time.Since(td).Nanoseconds())
			for _, m := range ms {
				if err := r.Apply(s, m); err != nil {
					b.Fatal(err)
				}
			}
		}
		t1 := time.Now()
		buf := make([]byte, 0, 128<<10)
		total := 0
		for more := true; more; {
			buf, more = r.Next(rx, buf[:0])
			total += len(buf)
		}
		t2 := time.Now()
		cpuNs += float64(cpuTime() - c0)
		b.StopTimer()
		mem += float64(heapInuse()) - float64(before) + float64(r.dests.mem.size())
		runtime.KeepAlive(r)
		got := 0
		for _, w := range r.peers[rx].sent {
			got += bits.OnesCount64(w)
		}
		if got != n+1 {
			b.Fatalf("receiver got %d of %d routes", got, n+1)
		}
		b.StartTimer()
		applyNs += float64(t1.Sub(t0).Nanoseconds())
		drainNs += float64(t2.Sub(t1).Nanoseconds())
		outBytes += float64(total)
		iters++
	}
	per := float64(n) * float64(iters)
	b.ReportMetric((applyNs+drainNs)/per, "ns/route")
	b.ReportMetric(cpuNs/per, "cpu-ns/route")
	b.ReportMetric(decodeNs/per, "decode-ns/route")
	b.ReportMetric((applyNs-decodeNs)/per, "apply-ns/route")
	b.ReportMetric(drainNs/per, "drain-ns/route")
	b.ReportMetric(mem/per, "bytes/route")
	b.ReportMetric(outBytes/per, "out-bytes/route")
}

// BenchmarkSetPolicy installs a 13,000-rule prefix list (one /24 each, in
// VPN 1, the routes' own /24s last) on a controller holding -rib.routes
// vRoutes, and removes it, in turn: each re-evaluates every path under
// the RIB's lock; ns/route is that time per path.
//
//	go test -run '^$' -bench SetPolicy -benchtime 3x ./peers/reference/rib -rib.routes=300000
func BenchmarkSetPolicy(b *testing.B) {
	n := *benchRoutes
	var text strings.Builder
	for i := range 13000 {
		k := 12999 - i
		fmt.Fprintf(&text, "rule %d match vpn 1 prefix 10.%d.%d.0/24 le 32 then set preference %d\n", i+1, k>>8, k&0xFF, i+1)
	}
	p := policy.MustParse(text.String())
	r, _ := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100})
	s, _ := r.PeerUp(PeerInfo{RouterID: a("1.1.1.1"), SiteID: 1, Families: []omp.Family{TLOC4, VRoute4}})
	applyAll(b, r, s, benchWire(b, n))
	on := false
	for b.Loop() {
		if on = !on; on {
			r.SetPolicy(p)
		} else {
			r.SetPolicy(nil)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/route")
}
