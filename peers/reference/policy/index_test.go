package policy

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/omp"
)

// firstMatch is the plain first-match scan Eval's index must agree with.
func firstMatch(p *Policy, r *Route) Decision {
	q := *p
	q.idx = nil
	return q.Eval(r)
}

// randomPolicy writes n rules whose conditions are drawn from small
// domains, so that routes drawn from the same domains match several.
func randomPolicy(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "rule %d", rng.IntN(4*n)+1+i*4*n)
		var c []string
		if rng.IntN(4) == 0 {
			c = append(c, "family", []string{"vroute", "tloc", "multicast"}[rng.IntN(3)])
		}
		if rng.IntN(3) == 0 {
			c = append(c, "vpn", fmt.Sprint(rng.IntN(3)))
		}
		switch rng.IntN(4) {
		case 0:
			bits := 8 + rng.IntN(17)
			p := netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(2)), byte(rng.IntN(2)), 0}), bits).Masked()
			c = append(c, "prefix", p.String())
			if rng.IntN(2) == 0 {
				c = append(c, "le", fmt.Sprint(bits+rng.IntN(33-bits)))
			}
		case 1:
			p := netip.PrefixFrom(netip.MustParseAddr("2001:db8::"), 32+8*rng.IntN(3)).Masked()
			c = append(c, "prefix", p.String(), "ge", "48", "le", "64")
		}
		if rng.IntN(4) == 0 {
			c = append(c, "site", fmt.Sprintf("%d-%d", rng.IntN(3), 2+rng.IntN(3)))
		}
		if rng.IntN(4) == 0 {
			c = append(c, "color", fmt.Sprint(rng.IntN(3)))
		}
		if rng.IntN(4) == 0 {
			c = append(c, "tloc", fmt.Sprintf("192.0.2.%d", rng.IntN(3)))
		}
		if rng.IntN(4) == 0 {
			c = append(c, "originator", fmt.Sprintf("1.1.1.%d", rng.IntN(3)))
		}
		if len(c) > 0 {
			b.WriteString(" match " + strings.Join(c, " "))
		}
		b.WriteString([]string{" then accept\n", " then reject\n", " then set preference 7\n"}[rng.IntN(3)])
	}
	return b.String()
}

func randomRoute(rng *rand.Rand) *Route {
	r := &Route{SAFI: []omp.SAFI{omp.SAFIVRoute, omp.SAFITLOC, omp.SAFIMulticast}[rng.IntN(3)], VPN: uint64(rng.IntN(3)),
		Site: uint32(rng.IntN(6)), Color: uint8(rng.IntN(3)), HasTLOC: rng.IntN(4) != 0,
		TLOC: netip.AddrFrom4([4]byte{192, 0, 2, byte(rng.IntN(3))})}
	if rng.IntN(4) != 0 {
		r.Originator = netip.AddrFrom4([4]byte{1, 1, 1, byte(rng.IntN(3))})
	}
	if r.SAFI == omp.SAFIVRoute {
		if rng.IntN(3) == 0 {
			r.Prefix = netip.PrefixFrom(netip.MustParseAddr("2001:db8::").Next(), 40+rng.IntN(40)).Masked()
		} else {
			r.Prefix = netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(rng.IntN(2)), byte(rng.IntN(2)), byte(rng.IntN(4))}), 8+rng.IntN(25)).Masked()
		}
	}
	return r
}

// The index decides every route as the first-match scan over all the
// rules does.
func TestIndexAgreesWithFirstMatch(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	matched := 0
	for range 300 {
		p, err := Parse([]byte(randomPolicy(rng, 1+rng.IntN(40))))
		if err != nil {
			t.Fatal(err)
		}
		for range 200 {
			r := randomRoute(rng)
			got, want := p.Eval(r), firstMatch(p, r)
			if got != want {
				t.Fatalf("route %+v: indexed %+v, first match %+v; policy:\n%s", r, got, want, p.Marshal())
			}
			if !want.Default {
				matched++
			}
		}
	}
	if matched < 10000 {
		t.Fatalf("only %d of 60000 routes matched a rule: the test draws too few matches", matched)
	}
}

// largePolicy is a prefix list of n rules, one /24 each, then a rule for
// everything else in VPN 1.
func largePolicy(n int) *Policy {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "rule %d match vpn 1 prefix 10.%d.%d.0/24 le 32 then set preference %d\n", i+1, i>>8&0xFF, i&0xFF, i)
	}
	fmt.Fprintf(&b, "rule %d match vpn 1 then reject\n", n+1)
	return MustParse(b.String())
}

// BenchmarkEvalLargePolicy decides a route against a 13,000-rule prefix
// list (the indexed Eval); BenchmarkEvalLargePolicyScan is the same with
// the first-match scan over every rule.
func BenchmarkEvalLargePolicy(b *testing.B) { benchEval(b, largePolicy(13000)) }
func BenchmarkEvalLargePolicyScan(b *testing.B) {
	p := largePolicy(13000)
	p.idx = nil
	benchEval(b, p)
}

func benchEval(b *testing.B, p *Policy) {
	routes := make([]*Route, 1024)
	for i := range routes {
		routes[i] = &Route{SAFI: omp.SAFIVRoute, VPN: 1, Prefix: netip.PrefixFrom(netip.AddrFrom4([4]byte{10, byte(i * 13 >> 8), byte(i * 13), 1}), 32)}
	}
	b.ResetTimer()
	for i := range b.N {
		if d := p.Eval(routes[i%len(routes)]); d.Default {
			b.Fatal("no rule matched")
		}
	}
}

// BenchmarkEvalSitePolicy decides a route against 18,000 rules of a
// two-site range each, none of which matches (an attack's policy): filed
// by site, a route is tried against none of them.
func BenchmarkEvalSitePolicy(b *testing.B) {
	var text strings.Builder
	for i := range 18000 {
		fmt.Fprintf(&text, "rule %d match site %d-%d then reject\n", i+1, 400000000+2*i, 400000001+2*i)
	}
	p := MustParse(text.String())
	r := &Route{SAFI: omp.SAFIVRoute, VPN: 1, Site: 7, Prefix: netip.MustParsePrefix("10.0.0.0/24")}
	for b.Loop() {
		if d := p.Eval(r); !d.Default {
			b.Fatal("a rule matched")
		}
	}
}
