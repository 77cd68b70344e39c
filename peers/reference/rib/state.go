package rib

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// route is the state view of path pi.
func (r *RIB) route(pi uint32) Route {
	p := r.paths.at(pi)
	d := r.dests.key(p.dest)
	f := int(d.fam)
	s := r.sets[p.eff]
	rt := Route{Family: famList[f], PathID: p.pathID, Label: p.label & 0xFFFFFF, Originator: s.origAddr,
		SiteID: s.site, Peer: p.peer, Attrs: s.list, Valid: r.candidate(p, f).Valid,
		Best: p.flags&fBest != 0, Stale: p.flags&fStale != 0, Rejected: p.flags&fRejected != 0}
	r.setDest(&rt, &d)
	return rt
}

func (r *RIB) setDest(rt *Route, k *key) {
	f := int(k.fam)
	switch {
	case isVR(f):
		rt.VPN, rt.Prefix = k.vpn, k.prefix()
	case isTLOC(f):
		rt.TLOC = k.tloc()
	case isMC(f):
		rt.Multicast = []byte(r.mc.s[k.lo])
	case isRaw(f):
		rt.Raw = []byte(r.mc.s[k.lo])
	}
}

func sortRoutes(rs []Route) {
	slices.SortFunc(rs, func(a, b Route) int {
		return cmp.Or(
			cmp.Compare(a.VPN, b.VPN),
			a.Prefix.Addr().Compare(b.Prefix.Addr()),
			cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()),
			a.TLOC.Address.Compare(b.TLOC.Address),
			cmp.Compare(a.TLOC.Color, b.TLOC.Color),
			cmp.Compare(a.TLOC.Encap, b.TLOC.Encap),
			slices.Compare(a.Multicast, b.Multicast),
			slices.Compare(a.Raw, b.Raw),
			cmp.Compare(a.PathID, b.PathID),
			a.Originator.Compare(b.Originator),
			cmp.Compare(a.Peer, b.Peer))
	})
}

// Routes lists every path of family f (Adj-RIBs-In and local routes,
// with their Loc-RIB flags), sorted by destination, path ID, originator
// and peer.
func (r *RIB) Routes(f omp.Family) []Route {
	r.mu.Lock()
	defer r.mu.Unlock()
	fi, ok := famIndex(f.AFI, f.SAFI)
	if !ok {
		return nil
	}
	var rs []Route
	r.eachPath(func(pi uint32, p *path) {
		if int(r.dests.at(p.dest).fam) == fi {
			rs = append(rs, r.route(pi))
		}
	})
	sortRoutes(rs)
	return rs
}

// PathsTo lists the paths to one vRoute destination, as Routes does for
// a whole family: the index finds the destination, so a route readout
// costs its paths, not the table.
func (r *RIB) PathsTo(vpn uint64, prefix netip.Prefix) []Route {
	r.mu.Lock()
	defer r.mu.Unlock()
	k, ok := prefixKey(vpn, prefix)
	if !ok {
		return nil
	}
	di := r.findDest(&k)
	if di == 0 {
		return nil
	}
	var rs []Route
	for pi := r.dests.at(di).paths; pi != 0; pi = r.paths.at(pi).next {
		rs = append(rs, r.route(pi))
	}
	sortRoutes(rs)
	return rs
}

// Advertised lists the peer's Adj-RIB-Out of family f: the entries it has
// been sent and not yet withdrawn, with their current path (a withdrawal
// still pending shows only the identity, with nil Attrs).
func (r *RIB) Advertised(id PeerID, f omp.Family) []Route {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.upPeer(id)
	fi, ok := famIndex(f.AFI, f.SAFI)
	if err != nil || !ok {
		return nil
	}
	var rs []Route
	for ei := uint32(1); ei < r.exps.next; ei++ {
		if !p.sent.has(ei) {
			continue
		}
		e := r.exps.at(ei)
		ep := r.paths.at(e.path)
		d := r.dests.at(ep.dest)
		if int(d.fam) != fi {
			continue
		}
		var rt Route
		if !e.wd() {
			rt = r.route(e.path)
		} else {
			rt = Route{Family: f, PathID: ep.pathID, Label: ep.label & 0xFFFFFF, Originator: r.sets[ep.eff].origAddr}
			k := r.dests.key(ep.dest)
			r.setDest(&rt, &k)
		}
		rs = append(rs, rt)
	}
	sortRoutes(rs)
	return rs
}

// fibEntry is the FIB entry of dest di, if it has best paths.
func (r *RIB) fibEntry(di uint32) (FIBEntry, bool) {
	k := r.dests.key(di)
	fe := FIBEntry{VPN: k.vpn, Prefix: k.prefix()}
	for pi := r.dests.at(di).paths; pi != 0; pi = r.paths.at(pi).next {
		p := r.paths.at(pi)
		if p.flags&fBest == 0 {
			continue
		}
		fe.Local = fe.Local || p.peer == PeerLocal
		if nh := r.sets[p.eff].tlocNH; !slices.Contains(fe.NextHops, nh) {
			fe.NextHops = append(fe.NextHops, nh)
		}
	}
	slices.SortFunc(fe.NextHops, func(a, b omp.TLOCNLRI) int {
		return cmp.Or(a.Address.Compare(b.Address), cmp.Compare(a.Color, b.Color), cmp.Compare(a.Encap, b.Encap))
	})
	return fe, len(fe.NextHops) > 0
}

// FIB lists the installed vRoutes (edges and hubs; a controller's is
// empty), sorted by VPN and prefix.
func (r *RIB) FIB() []FIBEntry {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.cfg.Role.Edge() {
		return nil
	}
	var out []FIBEntry
	for di := uint32(1); di < r.dests.next; di++ {
		if f := int(r.dests.at(di).fam); isVR(f) {
			if fe, ok := r.fibEntry(di); ok {
				out = append(out, fe)
			}
		}
	}
	slices.SortFunc(out, func(a, b FIBEntry) int {
		return cmp.Or(cmp.Compare(a.VPN, b.VPN), a.Prefix.Addr().Compare(b.Prefix.Addr()), cmp.Compare(a.Prefix.Bits(), b.Prefix.Bits()))
	})
	return out
}

// Lookup is the longest-prefix match of a in the VPN's FIB.
func (r *RIB) Lookup(vpn uint64, a netip.Addr) (FIBEntry, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.cfg.Role.Edge() || !a.IsValid() {
		return FIBEntry{}, false
	}
	a = a.Unmap()
	f := famOf(fVR4, a)
	for bits := a.BitLen(); bits >= 0; bits-- {
		k, _ := vrKey(f, vpn, uint8(bits), a)
		if di := r.findDest(&k); di != 0 {
			if fe, ok := r.fibEntry(di); ok {
				return fe, true
			}
		}
	}
	return FIBEntry{}, false
}
