package rib

import (
	"fmt"
	"net/netip"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

// Apply takes an UPDATE the peer sent (already decoded, so well formed):
// withdrawals first, then advertisements.
//
// Each destination the UPDATE touches is re-selected once, after all of
// its NLRI are applied. A path past Config.MaxPathsPerDest is refused
// with a *PathLimitError: the NLRI before it are applied.
func (r *RIB) Apply(id PeerID, u *omp.Update) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.upPeer(id)
	if err != nil {
		return err
	}
	err = r.apply(p, u)
	r.reselectPending()
	r.finish()
	return err
}

func (r *RIB) apply(p *peer, u *omp.Update) error {
	id := p.id
	var reach, unreach *omp.Reach
	var orig netip.Addr
	for _, a := range u.Attributes {
		switch v := a.Value.(type) {
		case *omp.AttrReachables:
			reach = &v.Reach
		case *omp.AttrUnreachables:
			unreach = &v.Reach
		case *omp.AttrOriginator:
			orig = v.Originator
		}
	}
	if unreach != nil {
		r.withdraw(p, unreach, orig)
	}
	if reach == nil {
		return nil
	}
	f, ok := famIndex(reach.AFI, reach.SAFI)
	if !ok || !p.out[f].in && !r.cfg.Quirks.has(QuirkUnnegotiatedAccepted) || reach.Len() == 0 && (!isRaw(f) || len(reach.Raw) == 0) {
		return nil
	}
	set, err := r.intern(u.Attributes, p.info.RouterID, p.info.SiteID)
	if err != nil {
		return err
	}
	defer r.releaseSet(set)
	if s := r.sets[set]; s.refs == 1 && s.owner == 0 { // a set this UPDATE made
		s.owner, s.ownerGen = id, p.gen
		if p.sets++; r.cfg.MaxSetsPerPeer > 0 && p.sets > r.cfg.MaxSetsPerPeer {
			return &SetLimitError{Max: r.cfg.MaxSetsPerPeer} // the deferred release frees it
		}
	}
	switch {
	case isVR(f):
		// Keys and tags first, and their index slots touched, so that
		// the probes below do not wait for memory one at a time.
		vs := reach.VRoutes
		ks, ts := r.scratchKeys[:0], r.scratchTags[:0]
		var bad error
		for i := range vs {
			k, ok := vrKey(f, vs[i].VPNID, vs[i].PrefixLen, vs[i].Address)
			if !ok {
				// The NLRI before it are applied.
				bad = fmt.Errorf("rib: %s NLRI %s/%d does not match the AFI", famList[f], vs[i].Address, vs[i].PrefixLen)
				break
			}
			ks, ts = append(ks, k), append(ts, r.idx.tag(&k))
		}
		r.scratchKeys, r.scratchTags = ks, ts // kept for the next UPDATE
		r.idx.reserve(len(ks))
		r.idx.prefetch(ts)
		for i := range ks {
			if err := r.add(id, r.getDestTag(&ks[i], ts[i]), vs[i].PathID, vs[i].Label&0xFFFFFF, set); err != nil {
				return err
			}
		}
		return bad
	case isTLOC(f):
		for i, t := range reach.TLOCs {
			if i > 0 && r.cfg.Quirks.has(QuirkTLOCFirstOnly) {
				break
			}
			k, ok := tlocKey(f, t.Address, t.Color, t.Encap)
			if !ok {
				return fmt.Errorf("rib: %s NLRI %s does not match the AFI", famList[f], t.Address)
			}
			if err := r.add(id, r.getDest(&k), 0, 0, set); err != nil {
				return err
			}
		}
	case isMC(f):
		for i := range reach.Multicast {
			b, err := mcastBytes(reach.AFI, &reach.Multicast[i])
			if err != nil {
				return err
			}
			k := key{fam: uint8(f), lo: uint64(r.mc.acquire(b))}
			di := r.findDest(&k)
			err = r.add(id, r.getDest(&k), 0, 0, set)
			if di != 0 { // the dest already held a reference
				r.mc.release(uint32(k.lo))
			}
			if err != nil {
				return err
			}
		}
	case isRaw(f):
		// No NLRI format: the whole NLRI is one route.
		k := key{fam: uint8(f), lo: uint64(r.mc.acquire(reach.Raw))}
		di := r.findDest(&k)
		err := r.add(id, r.getDest(&k), 0, 0, set)
		if di != 0 {
			r.mc.release(uint32(k.lo))
		}
		return err
	}
	return nil
}

// upsert adds or replaces the path of peer at dest di with path ID
// pathID and the originator of set, and re-selects the dest. set is the
// received attribute set; upsert takes its own reference.
// Local paths (the only caller's) have no limit.
func (r *RIB) upsert(peer PeerID, di uint32, pathID, label uint32, set uint32) {
	if err := r.add(peer, di, pathID, label, set); err != nil {
		r.log.Warn("rib: path refused", "err", err)
	}
	r.reselectPending()
}

// add is upsert without the re-selection: dest di is left pending
// (reselectPending), even when the path is refused. A new path of a peer
// that has Config.MaxPathsPerDest paths at di already is refused with a
// *PathLimitError.
func (r *RIB) add(peer PeerID, di uint32, pathID, label uint32, set uint32) error {
	r.pend(di)
	pi, n := r.findPathCount(di, peer, pathID, r.sets[set].orig)
	if pi != 0 && peer != PeerLocal && r.cfg.Quirks.has(QuirkNoImplicitWithdraw) && r.received(r.paths.at(pi)) != set {
		pi = 0 // another version of the path: added beside it
	}
	if pi == 0 {
		if max := r.cfg.MaxPathsPerDest; max > 0 && n >= max && peer != PeerLocal {
			return &PathLimitError{Family: famList[r.dests.at(di).fam], Max: max}
		}
		pi = r.paths.alloc()
		d := r.dests.at(di)
		*r.paths.at(pi) = path{dest: di, next: d.paths, pathID: pathID, label: label, peer: peer, flags: fInUse | fDirty}
		r.peers[peer].routes++
		d.paths = pi
		r.evalPolicy(pi, set)
	} else {
		p := r.paths.at(pi)
		if p.label != label && !r.cfg.Quirks.has(QuirkLabelKept) {
			p.label, p.flags = label, p.flags|fDirty
		}
		if p.flags&fStale != 0 && !r.cfg.Quirks.has(QuirkStaleKept) {
			p.flags &^= fStale
			r.peers[peer].stale--
			r.peers[peer].staleFam[r.dests.at(di).fam]--
		}
		if r.received(p) != set {
			r.evalPolicy(pi, set)
		}
	}
	return nil
}

// pend marks dest di for re-selection by reselectPending.
func (r *RIB) pend(di uint32) {
	if n := len(r.reselect); n > 0 && r.reselect[n-1] == di {
		return
	}
	r.reselect = append(r.reselect, di)
}

// reselectPending re-selects each pending dest once, in the order they
// were first marked. Between pend and here nothing frees a dest.
func (r *RIB) reselectPending() {
	ds := r.reselect
	sorted := true
	for i := 1; i < len(ds) && sorted; i++ {
		sorted = ds[i-1] < ds[i]
	}
	if !sorted {
		ds = dedupe(ds)
	}
	for _, di := range ds {
		r.recompute(di)
	}
	r.reselect = ds[:0]
}

// dedupe keeps the first of each value of ds, in order.
func dedupe(ds []uint32) []uint32 {
	n := 0
	if len(ds) <= 64 {
	small:
		for _, di := range ds {
			for _, x := range ds[:n] {
				if x == di {
					continue small
				}
			}
			ds[n] = di
			n++
		}
		return ds[:n]
	}
	seen := make(map[uint32]struct{}, len(ds))
	for _, di := range ds {
		if _, ok := seen[di]; !ok {
			seen[di] = struct{}{}
			ds[n] = di
			n++
		}
	}
	return ds[:n]
}

// SetLimitError refuses an UPDATE whose attributes would give the peer
// more than Config.MaxSetsPerPeer attribute sets in use.
type SetLimitError struct{ Max int }

func (e *SetLimitError) Error() string {
	return fmt.Sprintf("rib: more than %d attribute sets from the peer", e.Max)
}

// PathLimitError refuses a path past Config.MaxPathsPerDest: the peer has
// Max paths to one destination of Family already.
type PathLimitError struct {
	Family omp.Family
	Max    int
}

func (e *PathLimitError) Error() string {
	return fmt.Sprintf("rib: more than %d paths from the peer to one %s destination", e.Max, e.Family)
}

// evalPolicy sets the effective attributes and the rejected flag of a
// path from its received attributes attrs and the policy. Local paths are
// not subject to policy.
func (r *RIB) evalPolicy(pi, attrs uint32) {
	p := r.paths.at(pi)
	eff, rejected, owned := attrs, false, false
	if r.policy != nil && p.peer != PeerLocal {
		dec := r.policy.Eval(r.policyRoute(p, attrs))
		switch {
		case dec.Reject:
			rejected = true
		case dec.SetPref:
			if d, err := r.withPref(attrs, dec.Pref); err == nil {
				eff, owned = d, true
			} else {
				r.log.Warn("rib: policy preference not applied", "err", err)
			}
		}
	}
	p = r.paths.at(pi)
	if p.eff == eff && (p.flags&fRejected != 0) == rejected {
		if owned {
			r.releaseSet(eff)
		}
		return
	}
	if !owned {
		r.acquireSet(eff)
	}
	if p.eff != 0 {
		r.setUnlink(pi)
		r.releaseSet(p.eff)
	}
	p.eff = eff
	r.setLink(pi)
	p.flags |= fDirty
	p.flags &^= fRejected
	if rejected {
		p.flags |= fRejected
	}
}

func (r *RIB) policyRoute(p *path, attrs uint32) *policy.Route {
	s := r.sets[attrs]
	d := r.dests.key(p.dest)
	f := int(d.fam)
	pr := &policy.Route{SAFI: famList[f].SAFI, Site: s.site, Originator: s.origAddr}
	switch {
	case isVR(f):
		pr.VPN, pr.Prefix = d.vpn, d.prefix()
		pr.HasTLOC, pr.TLOC, pr.Color = s.hasTLOC, s.tlocNH.Address, s.tlocNH.Color
	case isTLOC(f):
		pr.HasTLOC, pr.TLOC, pr.Color = true, d.addr(), d.color
	}
	return pr
}

// withdraw removes the paths an UNREACHABLES names: of the given
// originator when the UPDATE has ATTR_TYPE_ORIGINATOR, else of any. Their
// dests are left pending (reselectPending).
func (r *RIB) withdraw(p *peer, u *omp.Reach, orig netip.Addr) {
	f, ok := famIndex(u.AFI, u.SAFI)
	if !ok {
		return
	}
	one := func(k *key, pathID uint32) {
		di := r.findDest(k)
		if di == 0 {
			return
		}
		for pi := r.dests.at(di).paths; pi != 0; {
			pa := r.paths.at(pi)
			next := pa.next
			if pa.peer == p.id && (pa.pathID == pathID || r.cfg.Quirks.has(QuirkWithdrawAnyPathID)) && (!orig.Is4() || r.sets[pa.eff].orig == addrU32(orig)) {
				r.removePath(pi)
				r.pend(di)
			}
			pi = next
		}
	}
	switch {
	case isVR(f):
		for i, v := range u.VRoutes {
			if i > 0 && r.cfg.Quirks.has(QuirkWithdrawFirstOnly) {
				break
			}
			if k, ok := vrKey(f, v.VPNID, v.PrefixLen, v.Address); ok {
				one(&k, v.PathID)
			}
		}
	case isTLOC(f):
		for _, t := range u.TLOCs {
			if r.cfg.Quirks.has(QuirkTLOCWithdrawByAddr) {
				for c := range 256 {
					for _, e := range []uint8{uint8(omp.EncapGRE), uint8(omp.EncapIPsec)} {
						if k, ok := tlocKey(f, t.Address, uint8(c), e); ok {
							one(&k, 0)
						}
					}
				}
				continue
			}
			if k, ok := tlocKey(f, t.Address, t.Color, t.Encap); ok {
				one(&k, 0)
			}
		}
	case isMC(f):
		afi := u.AFI
		if r.cfg.Quirks.has(QuirkMcastWithdrawIPv4) {
			afi = omp.AFIIPv4
		}
		for i := range u.Multicast {
			if b, err := mcastBytes(afi, &u.Multicast[i]); err == nil {
				if id, ok := r.mc.lookup(b); ok {
					one(&key{fam: uint8(f), lo: uint64(id)}, 0)
				}
			}
		}
	case isRaw(f):
		if id, ok := r.mc.lookup(u.Raw); ok && len(u.Raw) > 0 {
			one(&key{fam: uint8(f), lo: uint64(id)}, 0)
		}
	}
}

// SetPolicy installs p (nil removes the policy) and re-evaluates every
// learned path.
func (r *RIB) SetPolicy(p *policy.Policy) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.policy = p
	r.eachPath(func(pi uint32, pa *path) {
		if pa.peer == PeerLocal {
			return
		}
		r.evalPolicy(pi, r.received(pa))
		if pa = r.paths.at(pi); pa.flags&fDirty != 0 {
			r.pend(pa.dest)
		}
	})
	r.reselectPending() // each dest once, however many of its paths changed
	r.finish()
}

// Inform takes an INFORM the peer sent: OMP_INFORM_EOR sweeps the peer's
// paths of that family (every family when AllFamilies) still stale;
// OMP_INFORM_REFRESH_REQUEST re-sends the peer's Adj-RIB-Out of the family
// (or all) followed by EOR. Other types are ignored.
func (r *RIB) Inform(id PeerID, m *omp.Inform) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	p, err := r.upPeer(id)
	if err != nil {
		return err
	}
	f, ok := famIndex(m.AFI, m.SAFI)
	if !m.AllFamilies && !ok {
		return nil
	}
	in := func(g int) bool { return m.AllFamilies || g == f }
	switch m.InformType {
	case omp.InformEOR:
		if r.cfg.Quirks.has(QuirkNoSweep) {
			break
		}
		every := r.cfg.Quirks.has(QuirkSweepEveryPeer)
		stale := false // of the families the EOR names
		for g := range p.staleFam {
			stale = stale || p.staleFam[g] > 0 && in(g)
		}
		if stale || every { // else nothing to sweep: no scan of the table
			r.removeWhere(func(pa *path) bool {
				return (pa.peer == id || every) && pa.flags&fStale != 0 && in(int(r.dests.at(pa.dest).fam))
			})
		}
		r.checkRestart(p)
	case omp.InformRefreshRequest:
		for g := range p.out {
			if !p.out[g].on && !m.AllFamilies && in(g) && r.cfg.Quirks.has(QuirkRefreshUnnegotiated) {
				p.out[g].on = true // the family asked for is sent from now on, negotiated or not
			}
			if p.out[g].on && (in(g) || r.cfg.Quirks.has(QuirkRefreshEveryFamily)) {
				if !r.cfg.Quirks.has(QuirkRefreshEOROnly) && !(isTLOC(g) && r.cfg.Quirks.has(QuirkRefreshTLOCEOROnly)) {
					p.out[g].cursor = 0
				}
				p.out[g].eor = true
			}
		}
		notify(p)
	}
	r.finish()
	return nil
}

// checkRestart ends a peer's graceful restart when no stale path is left.
func (r *RIB) checkRestart(p *peer) {
	if !p.restarting {
		return
	}
	p.restarting = p.stale > 0 && !r.cfg.Quirks.has(QuirkGREndsOnFirstEOR)
}
