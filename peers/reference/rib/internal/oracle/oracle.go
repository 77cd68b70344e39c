// Package oracle is a plain model of what package rib does, for
// differential tests (rib's oracle_test.go): the same inputs kept in Go
// maps, and every answer recomputed from scratch from the draft's rules
// and the package documentation (rib/doc.go, docs/fsm.md). It keeps no
// index, log, cursor or incremental state, shares no code with package
// rib (it cannot import it), and is meant to be checked by reading; speed
// does not matter.
//
// Modelled: a controller, an edge or a hub; vRoutes, TLOC routes and
// routes of the families without an NLRI format (raw: SAFI_SERVICE,
// SECURITY, LINK, CXP); UPDATE advertisements and withdrawals; local
// routes and TLOCs; sessions up and down, with and without graceful
// restart; End-of-RIB; graceful-restart expiry. Every peer negotiates
// every family. Not modelled: policy, multicast routes, QUERY, message
// packing and the order of messages.
package oracle

import (
	"cmp"
	"encoding/hex"
	"fmt"
	"net/netip"
	"slices"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Dest is a destination. Key is a vRoute's "VPN:prefix" (host bits
// cleared), a TLOC's "address/color/encap", a raw route's NLRI bytes in
// hex.
type Dest struct {
	AFI  omp.AFI
	SAFI omp.SAFI
	Key  string
}

// Path is one path of a peer's Adj-RIB-In, or a local route.
type Path struct {
	Dest     Dest
	PathID   uint32
	Label    uint32
	Peer     int             // 0: a local route; else the number PeerUp gave
	Attrs    []omp.Attribute // as stored: see stored
	Distance uint8           // administrative distance (best-path step 2)
	Stale    bool            // graceful restart: not re-advertised since the drop
}

// Originator is the path's ATTR_TYPE_ORIGINATOR (always present once
// stored).
func (p *Path) Originator() netip.Addr {
	v, _ := omp.Find(p.Attrs, omp.AttrTypeOriginator)
	return v.(*omp.AttrOriginator).Originator
}

// distanceOMP is the administrative distance of every path learned from
// a peer (rib/doc.go).
const distanceOMP = 250

// pathKey is a path's identity: destination, Path ID, originator, and
// the peer it came from.
type pathKey struct {
	dest   Dest
	pathID uint32
	orig   netip.Addr
	peer   int
}

type peer struct {
	rid      netip.Addr
	site     uint32
	gr       time.Duration // negotiated graceful-restart interval; 0: none
	up       bool
	deadline time.Time // when its stale paths go (set by the drop that made them stale)
	// restarting: down with graceful restart, its window not over.
	restarting bool
}

// Oracle is the model of one device's RIB.
type Oracle struct {
	controller bool
	peers      []*peer // by number; peers[0] is the device itself, never up
	free       []int   // numbers free again, the last freed taken first
	paths      map[pathKey]*Path
}

// New is the model of a device: a controller, or an edge (a hub behaves
// as an edge), with its router ID and site ID.
func New(controller bool, routerID netip.Addr, siteID uint32) *Oracle {
	return &Oracle{controller: controller, peers: []*peer{{rid: routerID, site: siteID}},
		paths: map[pathKey]*Path{}}
}

// PeerUp brings up the session of the peer with router ID rid and returns
// its number: the one it had before if it still holds one (a session or
// a graceful-restart window), else the number freed last, else the next
// one from 1. ok is false when its session is already up. A peer back
// from a graceful restart without graceful restart negotiated (gr 0)
// loses its stale paths at once (RFC 4724 4.2).
func (o *Oracle) PeerUp(rid netip.Addr, site uint32, gr time.Duration) (n int, ok bool) {
	for i, p := range o.peers[1:] {
		if p.rid == rid {
			if p.up {
				return 0, false
			}
			n = i + 1
			p.up, p.site, p.gr = true, site, gr
			if p.restarting && gr == 0 {
				o.remove(func(k pathKey, pa *Path) bool { return k.peer == n && pa.Stale })
				p.restarting = false
			}
			return n, true
		}
	}
	if k := len(o.free); k > 0 {
		n := o.free[k-1]
		o.free = o.free[:k-1]
		o.peers[n] = &peer{rid: rid, site: site, gr: gr, up: true}
		return n, true
	}
	o.peers = append(o.peers, &peer{rid: rid, site: site, gr: gr, up: true})
	return len(o.peers) - 1, true
}

// release frees peer n's number: it has no session and no window.
func (o *Oracle) release(n int) {
	o.peers[n] = &peer{}
	o.free = append(o.free, n)
}

// PeerDown ends peer n's session at now. With graceful set and a GR
// interval negotiated its paths stay, stale; the deadline is now plus the
// interval, unless stale paths from an earlier drop are still there, which
// keep theirs. Otherwise its paths go.
func (o *Oracle) PeerDown(n int, graceful bool, now time.Time) {
	p := o.peers[n]
	if !p.up {
		return
	}
	p.up = false
	if graceful && p.gr > 0 {
		if !o.hasStale(n) {
			p.deadline = now.Add(p.gr)
		}
		p.restarting = true
		for k, pa := range o.paths {
			if k.peer == n {
				pa.Stale = true
			}
		}
		return
	}
	p.restarting = false
	o.remove(func(k pathKey, _ *Path) bool { return k.peer == n })
	o.release(n)
}

func (o *Oracle) hasStale(n int) bool {
	for k, pa := range o.paths {
		if k.peer == n && pa.Stale {
			return true
		}
	}
	return false
}

func (o *Oracle) remove(pred func(pathKey, *Path) bool) {
	for k, pa := range o.paths {
		if pred(k, pa) {
			delete(o.paths, k)
		}
	}
}

// Expire purges the stale paths of every peer whose deadline is at or
// before now (a peer with stale paths always has a deadline).
func (o *Oracle) Expire(now time.Time) {
	for n, p := range o.peers {
		if n > 0 && !p.deadline.After(now) {
			o.remove(func(k pathKey, pa *Path) bool { return k.peer == n && pa.Stale })
		}
	}
	for n, p := range o.peers {
		if n > 0 && p.restarting && !p.deadline.After(now) {
			p.restarting = false
			if !p.up {
				o.release(n)
			}
		}
	}
}

// Inform takes peer n's INFORM: End-of-RIB sweeps its stale paths of the
// family (of every family when AllFamilies). Anything else (a refresh
// request) changes no path.
func (o *Oracle) Inform(n int, m *omp.Inform) {
	if !o.peers[n].up || m.InformType != omp.InformEOR {
		return
	}
	o.remove(func(k pathKey, pa *Path) bool {
		return k.peer == n && pa.Stale && (m.AllFamilies || k.dest.AFI == m.AFI && k.dest.SAFI == m.SAFI)
	})
}

// Apply takes peer n's UPDATE: its ATTR_TYPE_UNREACHABLES first, then its
// ATTR_TYPE_REACHABLES.
func (o *Oracle) Apply(n int, u *omp.Update) {
	p := o.peers[n]
	if !p.up {
		return
	}
	var orig netip.Addr
	if v, ok := omp.Find(u.Attributes, omp.AttrTypeOriginator); ok {
		orig = v.(*omp.AttrOriginator).Originator
	}
	// A withdrawal removes the peer's paths of that destination and Path
	// ID: of the UPDATE's originator if it names one, else all of them.
	if v, ok := omp.Find(u.Attributes, omp.AttrTypeUnreachables); ok {
		for _, nl := range nlris(&v.(*omp.AttrUnreachables).Reach) {
			o.remove(func(k pathKey, _ *Path) bool {
				return k.peer == n && k.dest == nl.dest && k.pathID == nl.pathID && (!orig.IsValid() || k.orig == orig)
			})
		}
	}
	if v, ok := omp.Find(u.Attributes, omp.AttrTypeReachables); ok {
		attrs := stored(u.Attributes, p.rid, p.site)
		for _, nl := range nlris(&v.(*omp.AttrReachables).Reach) {
			o.put(&Path{Dest: nl.dest, PathID: nl.pathID, Label: nl.label, Peer: n, Attrs: attrs, Distance: distanceOMP})
		}
	}
}

// put adds path pa, replacing the one with its identity.
func (o *Oracle) put(pa *Path) {
	o.paths[pathKey{pa.Dest, pa.PathID, pa.Originator(), pa.Peer}] = pa
}

// stored is what the RIB keeps of an UPDATE's attributes: all but
// REACHABLES and UNREACHABLES, with ORIGINATOR (the peer's router ID) and
// SITE_ID (the peer's site) added when absent, sorted by type.
func stored(attrs []omp.Attribute, rid netip.Addr, site uint32) []omp.Attribute {
	var out []omp.Attribute
	for _, a := range attrs {
		if t := a.Type(); t != omp.AttrTypeReachables && t != omp.AttrTypeUnreachables {
			out = append(out, a)
		}
	}
	if _, ok := omp.Find(out, omp.AttrTypeOriginator); !ok {
		out = append(out, omp.Attr(&omp.AttrOriginator{Originator: rid}))
	}
	if _, ok := omp.Find(out, omp.AttrTypeSiteID); !ok {
		out = append(out, omp.Attr(&omp.AttrSiteID{SiteID: site}))
	}
	slices.SortStableFunc(out, func(a, b omp.Attribute) int { return cmp.Compare(a.Type(), b.Type()) })
	return out
}

type nlri struct {
	dest          Dest
	pathID, label uint32
}

// nlris lists the routes of a REACHABLES or UNREACHABLES: each vRoute and
// TLOC, and the whole NLRI of a raw family as one route.
func nlris(r *omp.Reach) []nlri {
	var out []nlri
	for _, v := range r.VRoutes {
		out = append(out, nlri{VRouteDest(r.AFI, v.VPNID, v.Prefix()), v.PathID, v.Label})
	}
	for _, t := range r.TLOCs {
		out = append(out, nlri{TLOCDest(t), 0, 0})
	}
	if len(r.Raw) > 0 { // the codec fills Raw for the families without a format only
		out = append(out, nlri{Dest{r.AFI, r.SAFI, hex.EncodeToString(r.Raw)}, 0, 0})
	}
	return out
}

// VRouteDest is the destination of a vRoute.
func VRouteDest(afi omp.AFI, vpn uint64, p netip.Prefix) Dest {
	return Dest{afi, omp.SAFIVRoute, fmt.Sprintf("%d:%v", vpn, p.Masked())}
}

// TLOCDest is the destination of a TLOC route, or the TLOC a vRoute names.
func TLOCDest(t omp.TLOCNLRI) Dest {
	afi := omp.AFIIPv4
	if t.Address.Is6() {
		afi = omp.AFIIPv6
	}
	return Dest{afi, omp.SAFITLOC, fmt.Sprintf("%v/%d/%d", t.Address, t.Color, t.Encap)}
}
