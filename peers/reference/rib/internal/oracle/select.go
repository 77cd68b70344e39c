package oracle

import (
	"cmp"
	"net/netip"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// AddRoute originates, or replaces, a local vRoute (rib.LocalRoute with
// Metric 0 and no extra Attrs). Its attributes are ATTR_TYPE_TLOC,
// ATTR_TYPE_ORIGIN, ATTR_TYPE_PREF when pref is not 0, and the device's
// ORIGINATOR and SITE_ID. distance 0 means the origin's.
func (o *Oracle) AddRoute(vpn uint64, prefix netip.Prefix, pathID, label uint32, tloc omp.TLOCNLRI, pref uint32, origin, distance uint8) {
	attrs := []omp.Attribute{
		omp.Attr(&omp.AttrTLOC{Address: tloc.Address, Color: tloc.Color, Encap: tloc.Encap}),
		omp.Attr(&omp.AttrOrigin{Proto: origin}),
	}
	if pref != 0 {
		attrs = append(attrs, omp.Attr(&omp.AttrPref{Preference: pref}))
	}
	if distance == 0 {
		distance = 240
		if d, ok := originDistance[origin]; ok {
			distance = d
		}
	}
	afi := omp.AFIIPv4
	if prefix.Addr().Is6() {
		afi = omp.AFIIPv6
	}
	me := o.peers[0]
	o.put(&Path{Dest: VRouteDest(afi, vpn, prefix), PathID: pathID, Label: label, Attrs: stored(attrs, me.rid, me.site), Distance: distance})
}

// AddTLOC originates, or replaces, a local TLOC (rib.LocalTLOC with no
// public address and no extra Attrs): ATTR_TYPE_PREF when pref is not 0,
// the private address when valid, ORIGINATOR and SITE_ID. Its distance is
// 0: the package documentation gives local routes the distance of their
// origin, and a TLOC of the device's own is connected.
func (o *Oracle) AddTLOC(t omp.TLOCNLRI, pref uint32, private netip.AddrPort) {
	var attrs []omp.Attribute
	if pref != 0 {
		attrs = append(attrs, omp.Attr(&omp.AttrPref{Preference: pref}))
	}
	switch {
	case !private.IsValid():
	case private.Addr().Is4():
		attrs = append(attrs, omp.Attr(&omp.AttrTLOCV4Private{Address: private.Addr(), Port: private.Port()}))
	default:
		attrs = append(attrs, omp.Attr(&omp.AttrTLOCV6Private{Address: private.Addr(), Port: private.Port()}))
	}
	me := o.peers[0]
	o.put(&Path{Dest: TLOCDest(t), Attrs: stored(attrs, me.rid, me.site)})
}

// RemoveRoute withdraws a local vRoute.
func (o *Oracle) RemoveRoute(vpn uint64, prefix netip.Prefix, pathID uint32) {
	afi := omp.AFIIPv4
	if prefix.Addr().Is6() {
		afi = omp.AFIIPv6
	}
	delete(o.paths, pathKey{VRouteDest(afi, vpn, prefix), pathID, o.peers[0].rid, 0})
}

// RemoveTLOC withdraws a local TLOC.
func (o *Oracle) RemoveTLOC(t omp.TLOCNLRI) {
	delete(o.paths, pathKey{TLOCDest(t), 0, o.peers[0].rid, 0})
}

// originDistance is a local route's administrative distance by origin
// (rib/doc.go); any other origin has 240.
var originDistance = map[uint8]uint8{
	omp.OriginConnected: 0, omp.OriginStatic: 1, omp.OriginEBGP: 20,
	omp.OriginOSPFIntra: 110, omp.OriginOSPFInter: 110, omp.OriginOSPFExternal: 110,
	omp.OriginIBGP: 200,
}

// originOrder is step 5's order (the draft's a. to g.); anything else,
// or no ATTR_TYPE_ORIGIN, is h. Unknown, last.
var originOrder = []uint8{omp.OriginConnected, omp.OriginStatic, omp.OriginEBGP,
	omp.OriginOSPFIntra, omp.OriginOSPFInter, omp.OriginOSPFExternal, omp.OriginIBGP}

// cand is what best-path selection looks at in a path.
type cand struct {
	path     *Path
	valid    bool       // step 1
	distance uint8      // step 2: lower wins
	pref     uint32     // step 3: ATTR_TYPE_PREF, 0 when absent
	tlocPref uint32     // step 4 (edges): the PREF of the vRoute's TLOC
	origin   int        // step 5 (edges): place in originOrder, lower wins
	routerID netip.Addr // step 6: ATTR_TYPE_ORIGINATOR
	private  netip.Addr // step 7 (edges): ATTR_TYPE_TLOC_V4/V6_PRIVATE
	site     uint32     // step 7 (controller): ATTR_TYPE_SITE_ID
}

// candOf is path pa under selection. A vRoute is valid when the TLOC its
// ATTR_TYPE_TLOC names has a best path (tlocBest, any one of them: they
// tie through step 3, and on an edge through step 7); that path's PREF is
// the vRoute's TLOC preference, and its private address the vRoute's when
// the vRoute carries none. Other routes are always valid.
func candOf(pa *Path, tlocBest map[Dest]*Path) cand {
	c := cand{path: pa, valid: true, distance: pa.Distance, origin: len(originOrder), routerID: pa.Originator()}
	var tloc *omp.AttrTLOC
	for _, a := range pa.Attrs {
		switch v := a.Value.(type) {
		case *omp.AttrPref:
			c.pref = v.Preference
		case *omp.AttrOrigin:
			if i := slices.Index(originOrder, v.Proto); i >= 0 {
				c.origin = i
			}
		case *omp.AttrSiteID:
			c.site = v.SiteID
		case *omp.AttrTLOCV4Private:
			c.private = v.Address
		case *omp.AttrTLOCV6Private:
			c.private = v.Address
		case *omp.AttrTLOC:
			tloc = v
		}
	}
	if pa.Dest.SAFI == omp.SAFIVRoute {
		c.valid = false
		if tloc != nil {
			if tb := tlocBest[TLOCDest(omp.TLOCNLRI{Address: tloc.Address, Color: tloc.Color, Encap: tloc.Encap})]; tb != nil {
				t := candOf(tb, nil)
				c.valid, c.tlocPref = true, t.pref
				if !c.private.IsValid() {
					c.private = t.private
				}
			}
		}
	}
	return c
}

// keepMax keeps the candidates that compare highest.
func keepMax(cs []cand, compare func(a, b *cand) int) []cand {
	var out []cand
	for _, c := range cs {
		switch {
		case len(out) == 0 || compare(&c, &out[0]) == 0:
			out = append(out, c)
		case compare(&c, &out[0]) > 0:
			out = []cand{c}
		}
	}
	return out
}

// best is the draft's best-path algorithm (section 3.1) on the paths of
// one destination: the paths it selects. Whatever ties through every step
// that applies is best (ECMP).
func (o *Oracle) best(cs []cand) []cand {
	// 1. An invalid path is ignored.
	cs = slices.DeleteFunc(cs, func(c cand) bool { return !c.valid })
	// 2. Lower administrative distance.
	cs = keepMax(cs, func(a, b *cand) int { return cmp.Compare(b.distance, a.distance) })
	// 3. Higher OMP route preference.
	cs = keepMax(cs, func(a, b *cand) int { return cmp.Compare(a.pref, b.pref) })
	if !o.controller {
		// 4. Higher TLOC preference.
		cs = keepMax(cs, func(a, b *cand) int { return cmp.Compare(a.tlocPref, b.tlocPref) })
		// 5. Origin type, in the draft's order.
		cs = keepMax(cs, func(a, b *cand) int { return cmp.Compare(b.origin, a.origin) })
		// 6. Higher router ID.
		cs = keepMax(cs, func(a, b *cand) int { return a.routerID.Compare(b.routerID) })
		// 7. Higher private address.
		return keepMax(cs, func(a, b *cand) int { return a.private.Compare(b.private) })
	}
	// A controller skips steps 4 and 5. Step 6 orders the paths of one
	// site; step 7: the paths of different sites still tied are all best.
	var out []cand
	for _, site := range sites(cs) {
		same := slices.DeleteFunc(slices.Clone(cs), func(c cand) bool { return c.site != site })
		out = append(out, keepMax(same, func(a, b *cand) int { return a.routerID.Compare(b.routerID) })...)
	}
	return out
}

func sites(cs []cand) []uint32 {
	var out []uint32
	for _, c := range cs {
		if !slices.Contains(out, c.site) {
			out = append(out, c.site)
		}
	}
	return out
}

// Row is a path with its Loc-RIB marks.
type Row struct {
	*Path
	Valid bool // best-path step 1
	Best  bool // selected
}

// Table lists every path with its marks.
func (o *Oracle) Table() []Row {
	byDest := map[Dest][]*Path{}
	for _, pa := range o.paths {
		byDest[pa.Dest] = append(byDest[pa.Dest], pa)
	}
	var rows []Row
	// TLOCs first: vRoutes need their TLOCs' best paths.
	tlocBest := map[Dest]*Path{}
	for _, tlocs := range []bool{true, false} {
		for d, ps := range byDest {
			if (d.SAFI == omp.SAFITLOC) != tlocs {
				continue
			}
			var cs []cand
			for _, pa := range ps {
				cs = append(cs, candOf(pa, tlocBest))
			}
			best := o.best(slices.Clone(cs))
			for _, c := range cs {
				isBest := slices.ContainsFunc(best, func(b cand) bool { return b.path == c.path })
				rows = append(rows, Row{c.path, c.valid, isBest})
				if isBest && tlocs {
					tlocBest[d] = c.path
				}
			}
		}
	}
	return rows
}

// Key names a route as its receiver knows it.
type Key struct {
	Dest       Dest
	PathID     uint32
	Originator netip.Addr
}

// Adv is what a receiver holds of a route.
type Adv struct {
	Attrs []omp.Attribute
	Label uint32
}

// Out is peer n's Adj-RIB-Out, from table (what Table returns): what the
// peer holds once it has read everything sent to it. A controller exports
// every best path, an edge its valid local routes; of the exported paths
// with one identity (destination, Path ID, originator) the one from the
// lowest peer number is sent, to every peer but the one it came from and
// the one that originated it.
func (o *Oracle) Out(table []Row, n int) map[Key]Adv {
	if !o.peers[n].up {
		return nil
	}
	chosen := map[Key]*Path{}
	for _, row := range table {
		exported := row.Best
		if !o.controller {
			exported = row.Peer == 0 && row.Valid
		}
		k := Key{row.Dest, row.PathID, row.Originator()}
		if c, ok := chosen[k]; exported && (!ok || row.Peer < c.Peer) {
			chosen[k] = row.Path
		}
	}
	out := map[Key]Adv{}
	for k, pa := range chosen {
		if pa.Peer != n && k.Originator != o.peers[n].rid {
			out[k] = Adv{pa.Attrs, pa.Label}
		}
	}
	return out
}
