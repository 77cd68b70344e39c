package rib

import (
	"fmt"
	"net/netip"

	"github.com/ompconform/ompconform/omp"
)

// AddRoute originates or replaces a local vRoute.
func (r *RIB) AddRoute(lr LocalRoute) error {
	if !lr.Prefix.IsValid() || lr.Label > 0xFFFFFF {
		return fmt.Errorf("%w: prefix %v label %d", ErrBadRoute, lr.Prefix, lr.Label)
	}
	if !lr.TLOC.Address.IsValid() {
		return fmt.Errorf("%w: %v has no TLOC", ErrBadRoute, lr.Prefix)
	}
	k, _ := prefixKey(lr.VPN, lr.Prefix)
	attrs := []omp.Attribute{
		omp.Attr(&omp.AttrTLOC{Address: lr.TLOC.Address, Color: lr.TLOC.Color, Encap: lr.TLOC.Encap}),
		omp.Attr(&omp.AttrOrigin{Proto: lr.Origin, Metric: lr.Metric}),
	}
	if lr.Pref != 0 {
		attrs = append(attrs, omp.Attr(&omp.AttrPref{Preference: lr.Pref}))
	}
	dist := lr.Distance
	if dist == 0 {
		dist = originDistance(lr.Origin)
	}
	return r.addLocal(&k, lr.PathID, lr.Label|uint32(dist)<<24, append(attrs, lr.Attrs...))
}

// AddTLOC originates or replaces a local TLOC.
func (r *RIB) AddTLOC(lt LocalTLOC) error {
	k, ok := tlocKeyOf(lt.TLOC)
	if !ok {
		return fmt.Errorf("%w: TLOC %v", ErrBadRoute, lt.TLOC.Address)
	}
	var attrs []omp.Attribute
	if lt.Pref != 0 {
		attrs = append(attrs, omp.Attr(&omp.AttrPref{Preference: lt.Pref}))
	}
	addrPort := func(ap netip.AddrPort, v4, v6 func(netip.Addr, uint16) omp.AttrValue) {
		switch {
		case !ap.IsValid():
		case ap.Addr().Is4():
			attrs = append(attrs, omp.Attr(v4(ap.Addr(), ap.Port())))
		default:
			attrs = append(attrs, omp.Attr(v6(ap.Addr(), ap.Port())))
		}
	}
	addrPort(lt.Private,
		func(a netip.Addr, p uint16) omp.AttrValue { return &omp.AttrTLOCV4Private{Address: a, Port: p} },
		func(a netip.Addr, p uint16) omp.AttrValue { return &omp.AttrTLOCV6Private{Address: a, Port: p} })
	addrPort(lt.Public,
		func(a netip.Addr, p uint16) omp.AttrValue { return &omp.AttrTLOCV4Public{Address: a, Port: p} },
		func(a netip.Addr, p uint16) omp.AttrValue { return &omp.AttrTLOCV6Public{Address: a, Port: p} })
	return r.addLocal(&k, 0, 0, append(attrs, lt.Attrs...))
}

func (r *RIB) addLocal(k *key, pathID, label uint32, attrs []omp.Attribute) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, a := range attrs {
		if t := a.Type(); t == omp.AttrTypeOriginator || t == omp.AttrTypeReachables || t == omp.AttrTypeUnreachables {
			return fmt.Errorf("%w: Attrs may not hold %s", ErrBadRoute, t)
		}
	}
	set, err := r.intern(attrs, r.cfg.RouterID, r.cfg.SiteID)
	if err != nil {
		return fmt.Errorf("%w: %v", ErrBadRoute, err)
	}
	r.upsert(PeerLocal, r.getDest(k), pathID, label, set)
	r.releaseSet(set)
	r.finish()
	return nil
}

// RemoveRoute withdraws a local vRoute; it reports whether there was one.
func (r *RIB) RemoveRoute(vpn uint64, prefix netip.Prefix, pathID uint32) bool {
	k, ok := prefixKey(vpn, prefix)
	return ok && r.removeLocal(&k, pathID)
}

// RemoveTLOC withdraws a local TLOC; it reports whether there was one.
func (r *RIB) RemoveTLOC(t omp.TLOCNLRI) bool {
	k, ok := tlocKeyOf(t)
	return ok && r.removeLocal(&k, 0)
}

func (r *RIB) removeLocal(k *key, pathID uint32) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	di := r.findDest(k)
	if di == 0 {
		return false
	}
	pi := r.findPath(di, PeerLocal, pathID, addrU32(r.cfg.RouterID))
	if pi == 0 {
		return false
	}
	r.removePath(pi)
	r.recompute(di)
	r.finish()
	return true
}
