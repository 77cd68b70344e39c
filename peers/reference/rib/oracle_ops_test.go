package rib

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// The operations of the differential test (oracle_test.go) and their
// generator. An operation names its routes and attributes by index into
// the small tables below, so that paths compete at every best-path step,
// and prints as a Go literal, so that a reproducer can be pasted into a
// regression test.

type opKind uint8

const (
	opUp      opKind = iota // Peer's session comes up, GR interval GR×30 s
	opDown                  // Peer's session ends, Graceful or not
	opAdv                   // Peer advertises NLRI of Fam with the attributes
	opWd                    // Peer withdraws NLRI of Fam (of originator Orig, if set)
	opEOR                   // Peer's End-of-RIB: of Fam, or of all families when Fam is famAll
	opRefresh               // Peer's REFRESH_REQUEST for all families
	opExpire                // the clock moves Wait×20 s; graceful-restart expiry
	opLocal                 // the device originates NLRI[0] of Fam (famVR or famTLOC)
	opUnlocal               // the device withdraws its NLRI[0] of Fam
)

var opNames = [...]string{"opUp", "opDown", "opAdv", "opWd", "opEOR", "opRefresh", "opExpire", "opLocal", "opUnlocal"}

func (k opKind) String() string { return opNames[k] }

// opFam is the family of an operation.
type opFam int

const (
	famAll  opFam = iota // opEOR only
	famVR                // VRoute4: diffVR
	famTLOC              // TLOC4: diffTLOCs
	famRaw               // Security4: diffRaw
)

func (f opFam) String() string { return [...]string{"famAll", "famVR", "famTLOC", "famRaw"}[f] }

var diffFams = []omp.Family{{}, VRoute4, TLOC4, Security4}

// nl is one NLRI: a destination of the family's table, a Path ID and a
// Label (vRoutes only).
type nl struct{ Dst, PathID, Label int }

type op struct {
	Kind     opKind
	Peer     int // diffRIDs
	GR       int
	Graceful bool
	Fam      opFam
	NLRI     []nl
	// Attributes, each an index into its table; 0 is no attribute (for
	// local routes, the zero value). A vRoute always has a TLOC.
	TLOC, Pref, Origin, Orig, Site, Private, Distance int
	Wait                                              int
}

var (
	diffRIDs   = []string{"1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4"}
	diffSites  = []uint32{1, 1, 2, 3} // two peers share a site
	diffSelf   = "10.0.0.100"         // the device, in site 1
	diffTLOCs  = []omp.TLOCNLRI{tlocN("192.0.2.1", 1, 2), tlocN("192.0.2.2", 1, 2), tlocN("192.0.2.1", 2, 2)}
	diffRaw    = [][]byte{{1}, {2, 3}}
	diffPrefs  = []uint32{0, 1, 2, 0} // 3: a PREF of 0, unlike none
	diffOrigin = []uint8{0, omp.OriginConnected, omp.OriginStatic, omp.OriginIBGP, omp.OriginEIGRP, omp.OriginUnknown}
	diffOrigs  = []string{"", "1.1.1.1", "2.2.2.2", "3.3.3.3", "4.4.4.4", diffSelf}
	diffPriv   = []string{"", "172.16.0.1", "172.16.0.2"}
	diffDist   = []uint8{0, 5, DistanceOMP, 255}
)

// diffVR is vRoute destination i: VPN 1 or 2, 10.0.0.0/16 or 10.1.0.0/16.
func diffVR(i int) (uint64, netip.Prefix) {
	return uint64(1 + i/2), netip.MustParsePrefix(prefix(i % 2))
}

// seq is one run of the differential: the device's role, the log
// compaction threshold (compactMin), the RIB's deliberate bugs (to show
// the differential catches them) and the operations.
type seq struct {
	Role    omp.Role
	Compact int
	Quirks  Quirks
	Ops     []op
}

func (s seq) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "seq{Role: %s, Compact: %d, ", []string{"", "RoleController", "RoleEdge", "RoleHub"}[s.Role], s.Compact)
	if s.Quirks != 0 {
		fmt.Fprintf(&b, "Quirks: %#x, ", uint32(s.Quirks))
	}
	b.WriteString("Ops: []op{\n")
	for _, o := range s.Ops {
		fmt.Fprintf(&b, "\t%v,\n", o)
	}
	b.WriteString("}}")
	return b.String()
}

// String is the operation as a Go literal, without its zero fields.
func (o op) String() string {
	var f []string
	v := reflect.ValueOf(o)
	for i := range v.NumField() {
		x := v.Field(i)
		switch name := v.Type().Field(i).Name; {
		case name == "NLRI" && len(o.NLRI) > 0:
			var ns []string
			for _, n := range o.NLRI {
				ns = append(ns, fmt.Sprintf("{%d, %d, %d}", n.Dst, n.PathID, n.Label))
			}
			f = append(f, "NLRI: []nl{"+strings.Join(ns, ", ")+"}")
		case name != "NLRI" && (!x.IsZero() || i == 0):
			f = append(f, fmt.Sprintf("%s: %v", name, x))
		}
	}
	return "{" + strings.Join(f, ", ") + "}"
}

// chooser is where the generator's choices come from: a seeded generator,
// or fuzz input.
type chooser interface {
	IntN(n int) int
	more() bool
}

type randChooser struct{ *rand.Rand }

func (randChooser) more() bool { return true }

// byteChooser makes each choice from one byte of input; 0 once it is
// used up.
type byteChooser struct{ b []byte }

func (c *byteChooser) more() bool { return len(c.b) > 0 }

func (c *byteChooser) IntN(n int) int {
	if len(c.b) == 0 {
		return 0
	}
	v := int(c.b[0]) % n
	c.b = c.b[1:]
	return v
}

// genSeq draws a sequence of at most n operations: every peer comes up,
// then advertisements, withdrawals, session drops (mostly graceful) and
// returns, End-of-RIBs, refreshes, clock steps and local routes. Each
// sequence weighs the kinds of operation its own way (some not at all),
// so that some sequences flap sessions, others churn routes.
func genSeq(c chooser, n int) seq {
	s := seq{Role: []omp.Role{omp.RoleController, omp.RoleController, omp.RoleEdge, omp.RoleHub}[c.IntN(4)], Compact: []int{4096, 1, 8}[c.IntN(3)]}
	kinds := []opKind{opAdv, opWd, opDown, opEOR, opRefresh, opExpire, opLocal, opUnlocal}
	var weights []int
	for range kinds {
		weights = append(weights, []int{0, 1, 2, 4}[c.IntN(4)])
	}
	weights[0]++ // some advertisements in every sequence
	var up [4]bool
	for i := range up {
		s.Ops = append(s.Ops, op{Kind: opUp, Peer: i, GR: c.IntN(3)})
		up[i] = true
	}
	for len(s.Ops) < n && c.more() {
		o := op{Peer: c.IntN(len(up))}
		switch {
		case !up[o.Peer] && c.IntN(2) == 0:
			o.Kind = opUp
		case !up[o.Peer]:
			o.Kind = opExpire
		default:
			x := c.IntN(sum(weights))
			for i, w := range weights {
				if x -= w; x < 0 {
					o.Kind = kinds[i]
					break
				}
			}
		}
		genOp(c, &o)
		switch o.Kind {
		case opUp:
			up[o.Peer] = true
		case opDown:
			up[o.Peer] = false
		}
		s.Ops = append(s.Ops, o)
	}
	return s
}

func sum(xs []int) (n int) {
	for _, x := range xs {
		n += x
	}
	return n
}

// genOp draws the rest of an operation of kind o.Kind.
func genOp(c chooser, o *op) {
	switch o.Kind {
	case opUp:
		o.GR = c.IntN(3)
	case opExpire:
		o.Wait = 1 + c.IntN(3)
	case opAdv:
		o.Fam = []opFam{famVR, famVR, famVR, famTLOC, famTLOC, famRaw}[c.IntN(6)]
		o.NLRI = genNLRI(c, o.Fam, 1+c.IntN(2))
		if o.Fam == famVR { // the codec requires ATTR_TYPE_TLOC
			o.TLOC = 1 + c.IntN(len(diffTLOCs))
		}
		o.Pref, o.Origin, o.Private = c.IntN(len(diffPrefs)), c.IntN(len(diffOrigin)), c.IntN(len(diffPriv))
		if c.IntN(3) == 0 {
			o.Orig = 1 + c.IntN(len(diffOrigs)-1)
		}
		if c.IntN(4) == 0 {
			o.Site = 1 + c.IntN(3)
		}
	case opWd:
		o.Fam = []opFam{famVR, famVR, famTLOC, famRaw}[c.IntN(4)]
		o.NLRI = genNLRI(c, o.Fam, 1+c.IntN(2))
		if c.IntN(2) == 0 {
			o.Orig = 1 + c.IntN(len(diffOrigs)-1)
		}
	case opDown:
		o.Graceful = c.IntN(3) > 0
	case opEOR:
		o.Fam = opFam(c.IntN(len(diffFams)))
	case opLocal:
		o.Fam = []opFam{famVR, famVR, famTLOC}[c.IntN(3)]
		o.NLRI, o.Pref = genNLRI(c, o.Fam, 1), c.IntN(len(diffPrefs))
		if o.Fam == famVR {
			o.TLOC, o.Origin, o.Distance = 1+c.IntN(len(diffTLOCs)), c.IntN(len(diffOrigin)), c.IntN(len(diffDist))
		} else {
			o.Private = c.IntN(len(diffPriv))
		}
	case opUnlocal:
		o.Fam = []opFam{famVR, famTLOC}[c.IntN(2)]
		o.NLRI = genNLRI(c, o.Fam, 1)
	}
}

func genNLRI(c chooser, fam opFam, n int) []nl {
	var out []nl
	for range n {
		switch fam {
		case famVR:
			out = append(out, nl{c.IntN(3), c.IntN(2), c.IntN(3)})
		case famTLOC:
			out = append(out, nl{Dst: c.IntN(len(diffTLOCs))})
		case famRaw:
			return []nl{{Dst: c.IntN(len(diffRaw))}}
		}
	}
	return out
}

// update is the UPDATE of an opAdv or opWd.
func (o op) update() *omp.Update {
	rc := omp.Reach{AFI: omp.AFIIPv4, SAFI: diffFams[o.Fam].SAFI}
	for _, n := range o.NLRI {
		switch o.Fam {
		case famVR:
			vpn, p := diffVR(n.Dst)
			rc.VRoutes = append(rc.VRoutes, omp.VRouteNLRI{VPNID: vpn, PathID: uint32(n.PathID), Label: uint32(n.Label),
				PrefixLen: uint8(p.Bits()), Address: p.Addr()})
		case famTLOC:
			rc.TLOCs = append(rc.TLOCs, diffTLOCs[n.Dst])
		case famRaw:
			rc.Raw = diffRaw[n.Dst]
		}
	}
	var attrs []omp.AttrValue
	if o.TLOC > 0 {
		t := diffTLOCs[o.TLOC-1]
		attrs = append(attrs, &omp.AttrTLOC{Address: t.Address, Color: t.Color, Encap: t.Encap})
	}
	if o.Pref > 0 {
		attrs = append(attrs, &omp.AttrPref{Preference: diffPrefs[o.Pref]})
	}
	if o.Origin > 0 {
		attrs = append(attrs, &omp.AttrOrigin{Proto: diffOrigin[o.Origin]})
	}
	if o.Orig > 0 {
		attrs = append(attrs, &omp.AttrOriginator{Originator: a(diffOrigs[o.Orig])})
	}
	if o.Site > 0 {
		attrs = append(attrs, &omp.AttrSiteID{SiteID: uint32(o.Site)})
	}
	if o.Private > 0 {
		attrs = append(attrs, &omp.AttrTLOCV4Private{Address: a(diffPriv[o.Private]), Port: 12346})
	}
	return reachUpd(rc, o.Kind == opWd, attrs...)
}

// private is the op's private address, if any.
func (o op) private() netip.AddrPort {
	if o.Private == 0 {
		return netip.AddrPort{}
	}
	return netip.AddrPortFrom(a(diffPriv[o.Private]), 12346)
}

// grInterval is the op's graceful-restart interval.
func (o op) grInterval() time.Duration { return time.Duration(o.GR) * 30 * time.Second }
