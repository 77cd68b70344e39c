package rib

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// attrSet is an interned attribute combination: the attributes of an
// UPDATE other than REACHABLES and UNREACHABLES, sorted by type. Paths
// share it by index.
type attrSet struct {
	wire []byte          // canonical encoding, as it follows Attributes Length
	list []omp.Attribute // decoded from wire; read-only
	refs int

	pref     uint32
	orig     uint32 // ATTR_TYPE_ORIGINATOR (always present)
	origAddr netip.Addr
	site     uint32
	origin   uint8
	hasTLOC  bool
	tlocNH   omp.TLOCNLRI // ATTR_TYPE_TLOC
	tloc     uint32       // tlocState of tlocNH (vRoutes)
	private  netip.Addr   // ATTR_TYPE_TLOC_V4/V6_PRIVATE address

	base, basePref uint32 // a policy-derived set: its base and the PREF set
	paths          uint32 // the first path in use whose effective set it is (path.snext)

	owner    PeerID // the peer whose UPDATE made it (0: none), counted in its sets
	ownerGen uint32 // that peer's gen then: a slot's next peer is not charged
}

// tlocState is what vRoutes naming a TLOC need of the TLOC table: whether
// it has a best path, and that path's PREF and private address.
type tlocState struct {
	k       key
	refs    int
	valid   bool
	pref    uint32
	private netip.Addr
	changed bool
}

// intern returns the set for attrs (REACHABLES and UNREACHABLES are
// skipped), adding ORIGINATOR and SITE_ID when absent, and takes a
// reference to it.
func (r *RIB) intern(attrs []omp.Attribute, orig netip.Addr, site uint32) (uint32, error) {
	l := r.scratchAttrs[:0]
	hasOrig, hasSite := false, false
	for _, a := range attrs {
		switch a.Type() {
		case omp.AttrTypeReachables, omp.AttrTypeUnreachables, 0:
			continue
		case omp.AttrTypeOriginator:
			if r.cfg.Quirks.has(QuirkOriginatorRewritten) {
				continue
			}
			hasOrig = true
		case omp.AttrTypeSiteID:
			if r.cfg.Quirks.has(QuirkSiteIDFromHandshake) {
				continue
			}
			hasSite = true
		}
		l = append(l, a)
	}
	if !hasOrig {
		l = append(l, omp.Attr(&omp.AttrOriginator{Originator: orig}))
	}
	if !hasSite {
		l = append(l, omp.Attr(&omp.AttrSiteID{SiteID: site}))
	}
	slices.SortStableFunc(l, func(a, b omp.Attribute) int { return int(a.Type()) - int(b.Type()) })
	r.scratchAttrs = l[:0]
	return r.internList(l)
}

func (r *RIB) internList(l []omp.Attribute) (uint32, error) {
	b, err := omp.Append(r.scratchWire[:0], &omp.Update{Attributes: l})
	if err != nil {
		return 0, err
	}
	r.scratchWire = b
	wire := b[omp.HeaderLen+2:]
	if id, ok := r.setIdx[string(wire)]; ok {
		r.sets[id].refs++
		return id, nil
	}
	s, err := r.newSet(wire)
	if err != nil {
		return 0, err
	}
	id := r.addSet(s)
	r.setIdx[string(s.wire)] = id
	return id, nil
}

// addSet gives s an id, with one reference.
func (r *RIB) addSet(s *attrSet) uint32 {
	s.refs = 1
	return putSlot(&r.sets, &r.setFree, s)
}

// putSlot puts v in slots at the index last freed (popped from free), or
// at a new one at the end, and returns the index.
func putSlot[T any](slots *[]T, free *[]uint32, v T) uint32 {
	if n := len(*free); n > 0 {
		id := (*free)[n-1]
		*free = (*free)[:n-1]
		(*slots)[id] = v
		return id
	}
	*slots = append(*slots, v)
	return uint32(len(*slots) - 1)
}

// received is the attribute set path p was received with: its effective
// set's base when policy derived that, else the effective set itself.
func (r *RIB) received(p *path) uint32 {
	if b := r.sets[p.eff].base; b != 0 {
		return b
	}
	return p.eff
}

// newSet decodes its own copy of wire, so the set owns its attributes.
func (r *RIB) newSet(wire []byte) (*attrSet, error) {
	s := &attrSet{wire: append([]byte(nil), wire...)}
	msg := make([]byte, 0, omp.HeaderLen+2+len(wire))
	for range omp.MarkerLen {
		msg = append(msg, 0xFF)
	}
	n := omp.HeaderLen + 2 + len(wire)
	msg = append(msg, byte(n>>8), byte(n), byte(omp.TypeUpdate), byte(len(wire)>>8), byte(len(wire)))
	msg = append(msg, wire...)
	m, err := omp.Decode(msg)
	if err != nil {
		return nil, fmt.Errorf("rib: attribute set does not decode: %w", err)
	}
	s.list = m.(*omp.Update).Attributes
	var public netip.Addr
	for _, a := range s.list {
		switch v := a.Value.(type) {
		case *omp.AttrPref:
			s.pref = v.Preference
		case *omp.AttrOriginator:
			s.origAddr = v.Originator
			s.orig = addrU32(v.Originator)
		case *omp.AttrSiteID:
			s.site = v.SiteID
		case *omp.AttrOrigin:
			s.origin = v.Proto
		case *omp.AttrTLOC:
			s.hasTLOC = true
			s.tlocNH = omp.TLOCNLRI{Address: v.Address, Color: v.Color, Encap: v.Encap}
		case *omp.AttrTLOCV4Private:
			s.private = v.Address
		case *omp.AttrTLOCV4Public:
			public = v.Address
		case *omp.AttrTLOCV6Private:
			if !r.cfg.Quirks.has(QuirkV6PrivateIgnored) {
				s.private = v.Address
			}
		}
	}
	if public.IsValid() && r.cfg.Quirks.has(QuirkPublicAsPrivate) {
		s.private = public
	}
	if s.hasTLOC {
		nh, f := s.tlocNH, famOf(fTLOC4, s.tlocNH.Address)
		if r.cfg.Quirks.has(QuirkNextHopEncapIPsec) {
			nh.Encap = uint8(omp.EncapIPsec)
		}
		if r.cfg.Quirks.has(QuirkNextHopColorIgnored) {
			nh.Color = 1
		}
		if r.cfg.Quirks.has(QuirkNextHopIPv4Only) {
			f = fTLOC4
		}
		if k, ok := tlocKey(f, nh.Address, nh.Color, nh.Encap); ok {
			if r.cfg.Quirks.has(QuirkNextHopAnyEncap) && r.idx.find(&k, &r.dests) == 0 {
				for _, e := range []uint8{uint8(omp.EncapGRE), uint8(omp.EncapIPsec)} {
					if o, _ := tlocKey(f, nh.Address, nh.Color, e); r.idx.find(&o, &r.dests) != 0 {
						k = o
						break
					}
				}
			}
			s.tloc = r.acquireTLOC(k)
		}
	}
	return s, nil
}

func (r *RIB) acquireSet(id uint32) { r.sets[id].refs++ }

// setLink puts path pi on the list of the paths of its effective set.
func (r *RIB) setLink(pi uint32) {
	p := r.paths.at(pi)
	s := r.sets[p.eff]
	p.sprev, p.snext = 0, s.paths
	if s.paths != 0 {
		r.paths.at(s.paths).sprev = pi
	}
	s.paths = pi
}

// setUnlink takes path pi off the list of its effective set.
func (r *RIB) setUnlink(pi uint32) {
	p := r.paths.at(pi)
	if p.sprev != 0 {
		r.paths.at(p.sprev).snext = p.snext
	} else {
		r.sets[p.eff].paths = p.snext
	}
	if p.snext != 0 {
		r.paths.at(p.snext).sprev = p.sprev
	}
	p.sprev, p.snext = 0, 0
}

func (r *RIB) releaseSet(id uint32) {
	s := r.sets[id]
	if s.refs--; s.refs > 0 {
		return
	}
	if s.base == 0 {
		delete(r.setIdx, string(s.wire))
	}
	if s.tloc != 0 {
		r.releaseTLOC(s.tloc)
	}
	if o := r.peers[s.owner]; s.owner != 0 && o.gen == s.ownerGen {
		o.sets--
	}
	if s.base != 0 {
		delete(r.prefCache, [2]uint32{s.base, s.basePref})
		r.releaseSet(s.base)
	}
	r.sets[id] = nil
	r.setFree = append(r.setFree, id)
}

// withPref returns set id with ATTR_TYPE_PREF replaced by pref (a
// reference is taken on the result). A set that differs is derived: it
// is not shared with received sets (setIdx), even of the same attributes,
// and names its base, so that a path keeps only its effective set
// (received).
func (r *RIB) withPref(id, pref uint32) (uint32, error) {
	if r.sets[id].pref == pref {
		if _, ok := omp.Find(r.sets[id].list, omp.AttrTypePref); ok {
			r.acquireSet(id)
			return id, nil
		}
	}
	if d, ok := r.prefCache[[2]uint32{id, pref}]; ok {
		r.acquireSet(d)
		return d, nil
	}
	l := make([]omp.Attribute, 0, len(r.sets[id].list)+1)
	for _, a := range r.sets[id].list {
		if a.Type() != omp.AttrTypePref {
			l = append(l, a)
		}
	}
	l = append(l, omp.Attr(&omp.AttrPref{Preference: pref}))
	slices.SortStableFunc(l, func(a, b omp.Attribute) int { return int(a.Type()) - int(b.Type()) })
	b, err := omp.Append(r.scratchWire[:0], &omp.Update{Attributes: l})
	if err != nil {
		return 0, err
	}
	r.scratchWire = b
	s, err := r.newSet(b[omp.HeaderLen+2:])
	if err != nil {
		return 0, err
	}
	// It holds its base.
	s.base, s.basePref = id, pref
	r.acquireSet(id)
	d := r.addSet(s)
	r.prefCache[[2]uint32{id, pref}] = d
	return d, nil
}

func (r *RIB) acquireTLOC(k key) uint32 {
	if id, ok := r.tlocIdx[k]; ok {
		r.tlocs[id].refs++
		return id
	}
	st := tlocState{k: k, refs: 1}
	r.evalTLOC(&st)
	st.changed = false
	id := putSlot(&r.tlocs, &r.tlocFree, st)
	r.tlocIdx[k] = id
	return id
}

func (r *RIB) releaseTLOC(id uint32) {
	st := &r.tlocs[id]
	if st.refs--; st.refs > 0 {
		return
	}
	delete(r.tlocIdx, st.k)
	*st = tlocState{}
	r.tlocFree = append(r.tlocFree, id)
}

// evalTLOC refreshes st from the TLOC table and sets st.changed when it
// differs.
func (r *RIB) evalTLOC(st *tlocState) {
	valid, pref, private := false, uint32(0), netip.Addr{}
	if di := r.idx.find(&st.k, &r.dests); di != 0 {
		for pi := r.dests.at(di).paths; pi != 0; pi = r.paths.at(pi).next {
			p := r.paths.at(pi)
			if p.flags&fBest != 0 {
				s := r.sets[p.eff]
				valid, pref, private = true, s.pref, s.private
				break
			}
		}
	}
	if r.cfg.Quirks.has(QuirkTLOCPrefNotReselected) {
		st.changed = st.changed || valid != st.valid
		st.valid, st.pref, st.private = valid, pref, private
		return
	}
	if valid != st.valid || pref != st.pref || private != st.private {
		st.valid, st.pref, st.private, st.changed = valid, pref, private, true
	}
}
