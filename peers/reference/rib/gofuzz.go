//go:build gofuzz

package rib

import (
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// Fuzz is the go-fuzz entry point for the RIB (scripts/gofuzz.sh), beside
// the native FuzzOracle (oracle_test.go), which compares the RIB with a
// model but needs its test files: this one drives the RIB through its API
// with what sessions hand it, and checks what it sends.
//
// Input: byte 0 picks the role (%3: controller, edge, hub); then
// operations, an opcode byte and its arguments, peers 0..5:
//
//	op%8 = 0: peer [p, gr] comes up (graceful restart 0, 1 or 5 s)
//	       1: peer [p, graceful] goes down
//	       2: peer [p] sends table UPDATE [i]
//	       3: peer [p] sends UPDATE [i, pos, xor], byte pos%len xored
//	       4: peer [p] sends INFORM [i] (End-of-RIB or REFRESH_REQUEST of
//	          a family, or of all)
//	       5: the clock goes [n] seconds on, Expire
//	       6: QUERY [i] (table), its answer checked as below (no peer)
//	       7: peer [p] sends raw bytes [n1, n0, (n1<<8|n0)%512 bytes] as
//	          an UPDATE
//
// Messages are decoded first (omp.Decode) and applied only when they
// decode, as a session does. After each operation every peer that is up
// is drained (Next until nothing is pending). It panics (a go-fuzz
// crasher) when the RIB panics, when what it sends does not frame, does
// not decode or is longer than omp.MaxMessageLen, when it stays pending
// after 1000 calls of Next, or when a QUERY's answer holds anything but
// UPDATEs. It returns 1 when the RIB sent routes, answered a QUERY with
// some or installed some in the FIB (go-fuzz favours such inputs), 0
// otherwise. The seed corpus is testdata/gofuzz/rib.
func Fuzz(data []byte) int {
	if len(data) == 0 {
		return -1
	}
	now := time.Unix(1_700_000_000, 0)
	role := []omp.Role{omp.RoleController, omp.RoleEdge, omp.RoleHub}[int(data[0])%3]
	r, err := New(Config{Role: role, RouterID: netip.MustParseAddr("10.0.0.1"), SiteID: 1, Now: func() time.Time { return now }})
	if err != nil {
		panic(err)
	}
	peerType := role.Counterpart().PeerType()
	var ids [6]PeerID
	var up [6]bool
	sent := false
	updates, informs, queries := gfTables()
	data = data[1:]
	arg := func(i int) int {
		if i < len(data) {
			return int(data[i])
		}
		return 0
	}
	for ops := 0; len(data) > 0 && ops < 64; ops++ {
		op, p := data[0]%8, arg(1)%len(ids)
		n := 2
		switch op {
		case 0:
			if !up[p] {
				info := PeerInfo{RouterID: netip.AddrFrom4([4]byte{10, 1, 0, byte(p + 1)}), SiteID: uint32(100 + p), Type: peerType,
					GracefulRestart: []time.Duration{0, time.Second, 5 * time.Second}[arg(2)%3]}
				if id, err := r.PeerUp(info); err == nil {
					ids[p], up[p] = id, true
				}
			}
			n = 3
		case 1:
			if up[p] {
				r.PeerDown(ids[p], arg(2)&1 != 0)
				up[p] = false
			}
			n = 3
		case 2:
			if up[p] {
				r.Apply(ids[p], updates[arg(2)%len(updates)])
			}
			n = 3
		case 3:
			b := append([]byte(nil), gfUpdateWire[arg(2)%len(gfUpdateWire)]...)
			b[arg(3)%len(b)] ^= byte(arg(4))
			if u, ok := gfDecode(b).(*omp.Update); ok && up[p] {
				r.Apply(ids[p], u)
			}
			n = 5
		case 4:
			if up[p] {
				r.Inform(ids[p], informs[arg(2)%len(informs)])
			}
			n = 3
		case 5:
			now = now.Add(time.Duration(arg(1)%16) * time.Second)
			r.Expire(now)
		case 6:
			out, err := r.Query(queries[arg(1)%len(queries)], nil)
			if err == nil {
				for _, m := range gfFrames(out) {
					if m.Type() != omp.TypeUpdate {
						panic(fmt.Sprintf("a QUERY's answer holds %s", m.Type()))
					}
					sent = true
				}
			}
		case 7:
			end := min(4+(arg(2)<<8|arg(3))%512, len(data))
			if u, ok := gfDecode(data[min(4, len(data)):end]).(*omp.Update); ok && up[p] {
				r.Apply(ids[p], u)
			}
			n = end
		}
		data = data[min(n, len(data)):]
		for i := range ids {
			if up[i] && gfDrain(r, ids[i]) {
				sent = true
			}
		}
	}
	if sent || len(r.FIB()) > 0 {
		return 1
	}
	return 0
}

// gfDrain reads everything pending for the peer and checks it; it says
// whether an UPDATE was among it.
func gfDrain(r *RIB, id PeerID) bool {
	routes := false
	var buf []byte
	for i := 0; ; i++ {
		if i == 1000 {
			panic("the RIB is still pending after 1000 calls of Next")
		}
		out, more := r.Next(id, buf[:0])
		for _, m := range gfFrames(out) {
			routes = routes || m.Type() == omp.TypeUpdate
		}
		buf = out
		if !more {
			return routes
		}
	}
}

// gfFrames splits what the RIB sent into messages, each of which must
// frame and decode.
func gfFrames(b []byte) []omp.Message {
	var out []omp.Message
	for len(b) > 0 {
		if len(b) < omp.HeaderLen {
			panic(fmt.Sprintf("the RIB sent %d bytes, less than a header", len(b)))
		}
		n, err := omp.FrameLength(b)
		if err != nil || n > len(b) {
			panic(fmt.Sprintf("the RIB sent a message of Length %d with %d bytes left", n, len(b)))
		}
		m, err := omp.Decode(b[:n])
		if err != nil {
			panic(fmt.Sprintf("the RIB sent %x, which does not decode: %v", b[:n], err))
		}
		out = append(out, m)
		b = b[n:]
	}
	return out
}

// gfDecode is omp.Decode's message, nil when it does not decode.
func gfDecode(b []byte) omp.Message {
	m, err := omp.Decode(b)
	if err != nil {
		return nil
	}
	return m
}

var (
	gfOnce       sync.Once
	gfUpdates    []*omp.Update
	gfUpdateWire [][]byte
	gfInforms    []*omp.Inform
	gfQueries    []*omp.Query
)

// gfTables are the UPDATEs (and their bytes), INFORMs and QUERYs the
// operations pick from: the mutators' standard UPDATEs (vRoutes with
// TLOC, TLOC routes, AS path, QoS, multicast), withdrawals, End-of-RIB
// and REFRESH_REQUEST of each family and of all, and QUERYs of
// destinations and of whole families.
func gfTables() ([]*omp.Update, []*omp.Inform, []*omp.Query) {
	gfOnce.Do(func() {
		vr := func(pfx string, label uint32) omp.Reach {
			p := netip.MustParsePrefix(pfx)
			return omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute, VRoutes: []omp.VRouteNLRI{
				{VPNID: 10, PathID: 1, Label: label, PrefixLen: uint8(p.Bits()), Address: p.Addr()}}}
		}
		msgs := []*omp.Update{
			mutators.BaseUpdate(), mutators.TLOCRouteUpdate(), mutators.ASPathUpdate(), mutators.QoSUpdate(),
			mutators.MulticastUpdate(), mutators.EmptyUpdate(),
			{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vr("10.1.0.0/24", 1001)})}},
			{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vr("10.2.0.0/16", 7)})}},
		}
		for _, u := range msgs {
			b, err := omp.Encode(u)
			if err != nil {
				panic(err)
			}
			gfUpdates, gfUpdateWire = append(gfUpdates, u), append(gfUpdateWire, b)
		}
		for _, f := range Families() {
			gfInforms = append(gfInforms,
				&omp.Inform{InformType: omp.InformEOR, AFI: f.AFI, SAFI: f.SAFI},
				&omp.Inform{InformType: omp.InformRefreshRequest, AFI: f.AFI, SAFI: f.SAFI})
			gfQueries = append(gfQueries, &omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: f.AFI, SAFI: f.SAFI}})}})
		}
		gfInforms = append(gfInforms, &omp.Inform{InformType: omp.InformEOR, AllFamilies: true},
			&omp.Inform{InformType: omp.InformRefreshRequest, AllFamilies: true})
		gfQueries = append(gfQueries,
			&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: vr("10.1.0.0/24", 0)})}},
			&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrUnreachables{Reach: vr("10.9.0.0/24", 0)})}})
	})
	return gfUpdates, gfInforms, gfQueries
}
