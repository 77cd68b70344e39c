package catalog

import (
	"encoding/binary"
	"net/netip"

	"github.com/ompconform/ompconform/omp"
)

// A case is judged on its own traffic only. A controller DUT reflects
// what one case's fake peers advertise to every other peer, the fake
// peers of cases running at the same time included: a message that is
// another case's is skipped by the receiving case, whatever it is. A
// malformed UPDATE the DUT wrongly accepted and reflected arrives as bytes
// that do not decode; its ATTR_TYPE_ORIGINATOR, read by the attribute
// list's own framing, still names the fake peer (and so the case run)
// that sent it, and Env.Foreign hands it to the runner, which blames
// that case.

// originSeq returns the case run (Env.Seq) whose fake peer raw, an
// UPDATE, names in its ATTR_TYPE_ORIGINATOR, read by the attribute
// list's framing as far as it goes (the message need not decode).
func originSeq(raw []byte) (int, bool) {
	if len(raw) < omp.HeaderLen+2 || omp.MsgType(raw[omp.HeaderLen-1]) != omp.TypeUpdate {
		return 0, false
	}
	body := raw[omp.HeaderLen:]
	n := int(binary.BigEndian.Uint16(body))
	attrs := body[2:min(len(body), 2+n)]
	// The ORIGINATOR first; failing it, the next hop (ATTR_TYPE_TLOC: a
	// fake peer's TLOC address) or a vRoute's VPN ID, which name the case
	// run too.
	fallback, found := 0, false
	for len(attrs) >= 3 {
		flags, typ := omp.AttrFlags(attrs[0]), omp.AttrType(attrs[1])
		hdr, l := 3, int(attrs[2])
		if flags&omp.AttrExtended != 0 {
			if len(attrs) < 4 {
				return 0, false
			}
			hdr, l = 4, int(binary.BigEndian.Uint16(attrs[2:]))
		}
		if len(attrs) < hdr+l {
			return 0, false
		}
		v := attrs[hdr : hdr+l]
		switch {
		case typ == omp.AttrTypeOriginator && l == 4:
			return seqOfRouterID(netip.AddrFrom4([4]byte(v)))
		case found:
		case typ == omp.AttrTypeTLOC && l >= 4:
			fallback, found = seqOfTLOC(netip.AddrFrom4([4]byte(v[:4])))
		case (typ == omp.AttrTypeReachables || typ == omp.AttrTypeUnreachables) && l >= 13 && omp.SAFI(v[2]) == omp.SAFIVRoute:
			fallback, found = seqOfVPN(binary.BigEndian.Uint64(v[5:13]))
		}
		attrs = attrs[hdr+l:]
	}
	return fallback, found
}

// seqOfTLOC is the case run whose fake peer has TLOC a (Env.Peer:
// 100.64.0.0/10, the run's Seq in bits 6..21).
func seqOfTLOC(a netip.Addr) (int, bool) {
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	if v&0xFFC00000 != 0x64400000 {
		return 0, false
	}
	return int(v>>6) & 0xFFFF, true
}

// seqOfVPN is the case run whose VPN (Env.VPN) id is.
func seqOfVPN(id uint64) (int, bool) {
	if id < 10000 || id > 10000+0xFFFF {
		return 0, false
	}
	return int(id - 10000), true
}

// seqOfRouterID is the case run whose fake peer has Router ID a
// (Env.Peer: 10.s.s.n).
func seqOfRouterID(a netip.Addr) (int, bool) {
	b := a.As4()
	if b[0] != 10 || b[3] == 0 || b[3] > 64 {
		return 0, false
	}
	return int(b[1])<<8 | int(b[2]), true
}

// foreign reports whether ev, an undecodable message received in this
// case run, is another case run's, reflected by the DUT; if so it is
// handed to Env.Foreign.
func (x *Exec) foreign(ev Event) bool {
	seq, ok := originSeq(ev.Raw)
	if !ok || seq == x.Env.Seq&0xFFFF {
		return false
	}
	if x.Env.Foreign != nil {
		x.Env.Foreign(seq, ev)
	}
	return true
}
