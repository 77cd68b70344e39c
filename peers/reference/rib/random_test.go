package rib

import (
	"flag"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

var policies = []*policy.Policy{nil,
	policy.MustParse("rule 1 match site 2 then set preference 7"),
	policy.MustParse("rule 1 match prefix 10.3.0.0/16 then reject\nrule 2 match family tloc color 2 then set preference 1"),
	policy.MustParse("rule 5 match vpn 1 then set preference 0\nrule 6 match tloc 192.0.2.3 then reject"),
}

var randomSeeds = flag.Int("rib.seeds", 20, "runs of TestRandomConsistency")

// TestRandomConsistency runs random advertisements, withdrawals, TLOC
// changes, session drops (with and without graceful restart), refreshes
// and partial drains, then checks that every peer's view, built only from
// the messages Next gave it, is exactly what the Loc-RIB says it should
// hold: the best paths, one per identity, minus its own and those it
// originated, with their current attributes.
func TestRandomConsistency(t *testing.T) {
	defer func(old int) { compactMin = old }(compactMin)
	for seed := uint64(1); seed <= uint64(*randomSeeds); seed++ {
		compactMin = []int{4096, 1, 8}[seed%3] // compact all the time, often, or rarely
		t.Run(fmt.Sprint(seed), func(t *testing.T) { randomRun(t, seed, 12, 5) })
	}
}

// TestRandomConsistencyWide is TestRandomConsistency over thousands of
// destinations, up to 180 to an UPDATE: the index grows and shrinks, the
// arenas span several chunks.
func TestRandomConsistencyWide(t *testing.T) {
	defer func(old int) { compactMin = old }(compactMin)
	for seed := uint64(1); seed <= uint64(max(*randomSeeds/5, 1)); seed++ {
		compactMin = []int{4096, 1, 8}[seed%3]
		t.Run(fmt.Sprint(seed), func(t *testing.T) { randomRun(t, seed, 9000, 180) })
	}
}

// randomRun is one run over space /16 prefixes (of 10.0.0.0/8 and, for
// space over 256, their /24 halves' first /24s), batch NLRI at most to
// an UPDATE.
func randomRun(t *testing.T, seed uint64, space, batch int) {
	rng := rand.New(rand.NewPCG(seed, 99))
	now := time.Unix(0, 0)
	r, err := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100, Now: func() time.Time { return now }})
	if err != nil {
		t.Fatal(err)
	}
	rids := []string{"1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"}
	ids := make([]PeerID, len(rids))
	up := make([]bool, len(rids))
	views := make([]*view, len(rids))
	tl := func(i int) omp.TLOCNLRI { return tlocN(fmt.Sprintf("192.0.2.%d", i+1), uint8(1+i%2), 2) }
	connect := func(i int) {
		ids[i] = peerUp(t, r, rids[i], uint32(1+i%2), time.Minute)
		up[i], views[i] = true, newView(t)
	}
	for i := range rids {
		connect(i)
	}
	for step := 0; step < 400; step++ {
		i := rng.IntN(len(rids))
		switch op := rng.IntN(22); {
		case !up[i]:
			connect(i)
		case op < 8:
			var vs []omp.VRouteNLRI
			for range 1 + rng.IntN(batch) {
				vs = append(vs, vroute(uint64(rng.IntN(2)), prefix(rng.IntN(space)), uint32(rng.IntN(2)), uint32(rng.IntN(100))))
			}
			extra := []omp.AttrValue{&omp.AttrPref{Preference: uint32(rng.IntN(3))}}
			if rng.IntN(4) == 0 { // on behalf of another originator
				extra = append(extra, &omp.AttrOriginator{Originator: a(rids[rng.IntN(len(rids))])})
			}
			nh := tl(i)
			if rng.IntN(5) == 0 {
				nh = tl(rng.IntN(len(rids)))
			}
			apply(t, r, ids[i], advV(nh, vs, extra...))
		case op < 11:
			var vs []omp.VRouteNLRI
			for range 1 + rng.IntN(batch) {
				vs = append(vs, vroute(uint64(rng.IntN(2)), prefix(rng.IntN(space)), uint32(rng.IntN(2)), 0))
			}
			apply(t, r, ids[i], wdV(vs))
		case op < 13:
			apply(t, r, ids[i], advT([]omp.TLOCNLRI{tl(i)}, &omp.AttrPref{Preference: uint32(rng.IntN(3))}))
		case op < 14:
			apply(t, r, ids[i], wdT([]omp.TLOCNLRI{tl(i)}))
		case op < 15:
			r.PeerDown(ids[i], rng.IntN(2) == 0)
			up[i] = false
		case op < 16:
			r.Inform(ids[i], &omp.Inform{InformType: omp.InformEOR, AllFamilies: true})
		case op < 17:
			r.Inform(ids[i], &omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true})
		case op < 18:
			now = now.Add(20 * time.Second)
			r.Expire(now)
		case op >= 20:
			r.SetPolicy(policies[rng.IntN(len(policies))])
		default:
			buf, _ := r.Next(ids[i], nil) // a partial drain
			views[i].feed(buf)
		}
		if step%50 == 49 {
			checkSetLists(t, r)
			checkStaleCounts(t, r)
		}
	}
	for i := range rids {
		if !up[i] {
			continue
		}
		views[i].drain(r, ids[i])
	}
	// Withdrawals every peer has seen are freed.
	r.mu.Lock()
	for f := range r.logs {
		r.compact(f)
		if r.ntomb[f] != 0 {
			t.Errorf("%v: %d withdrawals kept after every peer saw them", famList[f], r.ntomb[f])
		}
	}
	r.mu.Unlock()
	for i := range rids {
		if !up[i] {
			continue
		}
		want := map[ident]string{}
		for _, f := range Families() {
			chosen := map[ident]Route{}
			for _, rt := range r.Routes(f) {
				if !rt.Best {
					continue
				}
				id := identOf(rt)
				if old, ok := chosen[id]; !ok || rt.Peer < old.Peer {
					chosen[id] = rt
				}
			}
			for id, rt := range chosen {
				if rt.Peer != ids[i] && rt.Originator != a(rids[i]) {
					want[id] = attrText(t, rt.Attrs)
				}
			}
		}
		same := func(s string) string { return s }
		got := byOrigin(t, views[i].routes, func(attrs []omp.Attribute) string { return attrText(t, attrs) }, true)
		wanted := byOrigin(t, want, same, false)
		for id, w := range wanted {
			if g, ok := got[id]; !ok {
				t.Errorf("peer %s lacks %v", rids[i], id)
			} else if !slices.Equal(g, w) {
				t.Errorf("peer %s: %v has %s, want %s", rids[i], id, g, w)
			}
		}
		for id := range got {
			if _, ok := wanted[id]; !ok {
				t.Errorf("peer %s has extra %v", rids[i], id)
			}
		}
	}
	checkSetCounts(t, r)
	checkSetLists(t, r)
	// With every session gone and the log compacted, nothing is left.
	for i := range rids {
		if up[i] {
			r.PeerDown(ids[i], false)
		}
	}
	r.Expire(now.Add(time.Hour))
	r.SetPolicy(nil)
	r.mu.Lock()
	defer r.mu.Unlock()
	for f := range r.logs {
		r.compact(f)
	}
	if r.paths.live != 0 || r.exps.live != 0 || r.dests.live != 0 || r.dests.wide.live != 0 || r.idx.n != 0 {
		t.Errorf("left: %d paths, %d exports, %d dests, %d index entries", r.paths.live, r.exps.live, r.dests.live, r.idx.n)
	}
	for id, s := range r.sets {
		if s != nil {
			t.Errorf("attribute set %d left with %d refs", id, s.refs)
		}
	}
	for _, p := range r.peers[1:] {
		if p.sets != 0 {
			t.Errorf("peer %d counts %d attribute sets with none left", p.id, p.sets)
		}
	}
	if len(r.tlocIdx) != 0 || len(r.prefCache) != 0 {
		t.Errorf("left: %d TLOC states, %d derived sets", len(r.tlocIdx), len(r.prefCache))
	}
}

// prefix is the i'th prefix of randomRun: 10.i.0.0/16 for i < 256,
// else a /24.
func prefix(i int) string {
	if i < 256 {
		return fmt.Sprintf("10.%d.0.0/16", i)
	}
	return fmt.Sprintf("10.%d.%d.0/24", i>>8&0xFF, i&0xFF)
}

// attrText is the attributes' encoding, for comparison by value.
func attrText(t testing.TB, attrs []omp.Attribute) string {
	b, err := omp.Encode(&omp.Update{Attributes: attrs})
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", b[omp.HeaderLen+2:])
}

// TestRandomEdge: an edge adds and removes local routes and TLOCs, learns
// routes, loses and regains its controller; the controller's view is
// always its valid local routes, and its FIB the best learned and local
// vRoutes.
func TestRandomEdge(t *testing.T) {
	for seed := uint64(1); seed <= uint64(*randomSeeds); seed++ {
		rng := rand.New(rand.NewPCG(seed, 7))
		r := newRIB(t, omp.RoleEdge, "7.7.7.7", 7)
		ctl := peerUp(t, r, "10.0.0.100", 100, 0)
		v := newView(t)
		tl := func(i int) omp.TLOCNLRI { return tlocN(fmt.Sprintf("192.0.2.%d", 1+i), 1, 2) }
		for step := 0; step < 200; step++ {
			switch op := rng.IntN(10); {
			case op < 3:
				i := rng.IntN(3)
				if err := r.AddRoute(LocalRoute{VPN: 1, Prefix: netip.MustParsePrefix(fmt.Sprintf("10.%d.0.0/16", rng.IntN(8))),
					PathID: uint32(i), TLOC: tl(i), Pref: uint32(rng.IntN(3))}); err != nil {
					t.Fatal(err)
				}
			case op < 4:
				r.RemoveRoute(1, netip.MustParsePrefix(fmt.Sprintf("10.%d.0.0/16", rng.IntN(8))), uint32(rng.IntN(3)))
			case op < 5:
				if err := r.AddTLOC(LocalTLOC{TLOC: tl(rng.IntN(3)), Pref: uint32(rng.IntN(3))}); err != nil {
					t.Fatal(err)
				}
			case op < 6:
				r.RemoveTLOC(tl(rng.IntN(3)))
			case op < 8:
				nh := tlocN("198.51.100.1", 2, 2)
				if rng.IntN(2) == 0 {
					apply(t, r, ctl, advT([]omp.TLOCNLRI{nh}, &omp.AttrOriginator{Originator: a("8.8.8.8")}))
				}
				apply(t, r, ctl, advV(nh, []omp.VRouteNLRI{vroute(1, fmt.Sprintf("10.%d.0.0/16", rng.IntN(8)), 0, 0)},
					&omp.AttrOriginator{Originator: a("8.8.8.8")}, &omp.AttrPref{Preference: uint32(rng.IntN(3))}))
			case op < 9:
				r.PeerDown(ctl, false)
				ctl = peerUp(t, r, "10.0.0.100", 100, 0)
				v = newView(t)
			default:
				buf, _ := r.Next(ctl, nil)
				v.feed(buf)
			}
		}
		v.drain(r, ctl)
		want := map[ident]bool{}
		for _, f := range []omp.Family{TLOC4, VRoute4} {
			for _, rt := range r.Routes(f) {
				if rt.Peer == PeerLocal && rt.Valid {
					want[identOf(rt)] = true
				}
			}
		}
		if len(want) != len(v.routes) {
			t.Fatalf("seed %d: controller has %d routes, want %d", seed, len(v.routes), len(want))
		}
		for id := range want {
			if _, ok := v.routes[id]; !ok {
				t.Fatalf("seed %d: controller lacks %v", seed, id)
			}
		}
		for _, fe := range r.FIB() {
			if fe.Local {
				continue
			}
			if len(fe.NextHops) != 1 || fe.NextHops[0].Address != a("198.51.100.1") {
				t.Fatalf("seed %d: FIB %+v", seed, fe)
			}
		}
	}
}
