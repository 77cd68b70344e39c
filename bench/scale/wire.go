package scale

import (
	"fmt"
	"net/netip"

	"github.com/ompconform/ompconform/omp"
)

// MaxRoutes is the most vRoutes one run can carry: route i is the /32
// 10.0.0.0 + i in VPN 1, so the index fits the 24 host bits of 10/8.
const MaxRoutes = 1 << 24

// routeVPN is the VPN ID of every benchmark vRoute.
const routeVPN = 1

// routeAddr is the address of route i (i < MaxRoutes).
func routeAddr(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
}

// routeIndex is the index of a received vRoute, or -1 when it is not one
// of the benchmark's (other VPN, prefix length or address range).
func routeIndex(v *omp.VRouteNLRI) int {
	if v.VPNID != routeVPN || v.PrefixLen != 32 || !v.Address.Is4() {
		return -1
	}
	a := v.Address.As4()
	if a[0] != 10 {
		return -1
	}
	return int(a[1])<<16 | int(a[2])<<8 | int(a[3])
}

// stream is the sender's traffic, encoded before the clock starts: the
// TLOC route, then the vRoutes, perUpdate to an UPDATE, back to back.
type stream struct {
	buf  []byte
	ends []int // end offset in buf of each message
	tloc omp.TLOCNLRI
}

// senderAttrs are the attributes of every vRoute UPDATE but REACHABLES:
// TLOC, PREF, ORIGIN, ORIGINATOR, SITE_ID.
func senderAttrs(tl omp.TLOCNLRI, rid netip.Addr, site uint32) []omp.Attribute {
	return []omp.Attribute{
		omp.Attr(&omp.AttrTLOC{Address: tl.Address, Color: tl.Color, Encap: tl.Encap}),
		omp.Attr(&omp.AttrPref{Preference: 100}),
		omp.Attr(&omp.AttrOrigin{Proto: omp.OriginConnected}),
		omp.Attr(&omp.AttrOriginator{Originator: rid}),
		omp.Attr(&omp.AttrSiteID{SiteID: site}),
	}
}

// encodeStream encodes the TLOC UPDATE and n vRoutes, perUpdate to an
// UPDATE, for a sender of router ID rid at site and TLOC tl.
func encodeStream(n, perUpdate int, rid netip.Addr, site uint32, tl omp.TLOCNLRI) (*stream, error) {
	if n < 0 || n > MaxRoutes {
		return nil, fmt.Errorf("%d routes: want 0..%d", n, MaxRoutes)
	}
	if perUpdate < 1 {
		return nil, fmt.Errorf("%d routes per UPDATE: want at least 1", perUpdate)
	}
	msgs := 1 + (n+perUpdate-1)/perUpdate
	s := &stream{ends: make([]int, 0, msgs), tloc: tl}
	// Every vRoute UPDATE has the same size but the last: size the
	// buffer once.
	tlocUpd := &omp.Update{Attributes: []omp.Attribute{
		omp.Attr(&omp.AttrPref{Preference: 100}),
		omp.Attr(&omp.AttrOriginator{Originator: rid}),
		omp.Attr(&omp.AttrSiteID{SiteID: site}),
		omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC, TLOCs: []omp.TLOCNLRI{tl}}}),
	}}
	var err error
	if s.buf, err = omp.Append(nil, tlocUpd); err != nil {
		return nil, fmt.Errorf("encode TLOC UPDATE: %w", err)
	}
	s.ends = append(s.ends, len(s.buf))

	reach := &omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: make([]omp.VRouteNLRI, 0, perUpdate)}}
	upd := &omp.Update{Attributes: append(senderAttrs(tl, rid, site), omp.Attr(reach))}
	for lo := 0; lo < n; lo += perUpdate {
		reach.VRoutes = reach.VRoutes[:0]
		for i := lo; i < min(lo+perUpdate, n); i++ {
			reach.VRoutes = append(reach.VRoutes, omp.VRouteNLRI{VPNID: routeVPN, PathID: 1, Label: uint32(1000 + i%1000), PrefixLen: 32, Address: routeAddr(i)})
		}
		start := len(s.buf)
		if s.buf, err = omp.Append(s.buf, upd); err != nil {
			return nil, fmt.Errorf("encode UPDATE of routes %d..: %w", lo, err)
		}
		if lo == 0 && msgs > 2 {
			// Grow once to the whole stream.
			per := len(s.buf) - start
			b := make([]byte, len(s.buf), len(s.buf)+(msgs-2)*per)
			copy(b, s.buf)
			s.buf = b
		}
		s.ends = append(s.ends, len(s.buf))
	}
	return s, nil
}

// chunks cuts the stream into writes of about size bytes, each ending on
// a message boundary.
func (s *stream) chunks(size int) [][]byte {
	var out [][]byte
	start := 0
	for i, end := range s.ends {
		if end-start >= size || i == len(s.ends)-1 {
			out = append(out, s.buf[start:end])
			start = end
		}
	}
	return out
}
