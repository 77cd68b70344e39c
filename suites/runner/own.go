package runner

import (
	"encoding/binary"
	"net/netip"
	"sync"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// A case's transcript holds its own traffic only. A controller DUT
// reflects every case's routes to every fake peer, so a case's peers
// receive the UPDATEs of every case running at the same time; recorded,
// they would make each report grow with the parallelism. The case run
// still receives and skips them (catalog judges a case on its own
// traffic); the transcript leaves them out and counts them
// (transcript.Omitted, Result.OtherRuns).
//
// An UPDATE is another case run's when its ATTR_TYPE_ORIGINATOR, read by
// the attribute list's framing (the message need not decode), is a fake
// peer's Router ID (catalog.Env.Peer: 10.s.s.n, s the case run's Seq) of
// a case run that is not this one: a Seq this run issued, or, for the case
// runs of other processes (runner.Share), one whose ATTR_TYPE_SITE_ID is
// that fake peer's Site ID too. The DUT's own Router ID is never another
// run's. An UPDATE without an ORIGINATOR (a withdrawal, from some DUTs) is
// another run's when each of its NLRIs is in another issued run's VPN
// (catalog.Env.VPN: 10000+s) or is another issued run's TLOC.

// recording is where a case run records: its transcript, and the case runs
// (Seqs, low 16 bits) whose traffic is its own: the case's, and its
// liveness checks'.
type recording struct {
	tr  *transcript.Transcript
	r   *run
	dut netip.Addr // the DUT's Router ID

	mu  sync.Mutex
	own []int
}

// newRecording is a transcript for case run seq that leaves out the
// traffic of other case runs.
func (r *run) newRecording(seq int) *recording {
	rec := &recording{tr: &transcript.Transcript{}, r: r}
	if r.base.DUT != nil {
		rec.dut = r.base.DUT.PeerRouterID
	}
	rec.addOwn(seq)
	rec.tr.SetOmit(rec.otherRun)
	rec.tr.SetBudget(r.budget)
	return rec
}

func (rec *recording) addOwn(seq int) {
	rec.mu.Lock()
	rec.own = append(rec.own, seq&0xFFFF)
	rec.mu.Unlock()
}

func (rec *recording) isOwn(s int) bool {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	for _, o := range rec.own {
		if o == s {
			return true
		}
	}
	return false
}

// otherRun reports whether e is a message another case run's fake peer
// originated, which the DUT reflected to this one's.
func (rec *recording) otherRun(e *transcript.Entry) bool {
	if t, _ := omp.TypeOf(e.Raw); e.Dir != transcript.Received || t != omp.TypeUpdate || e.Err != nil {
		// One that does not decode stays, as evidence: the case it came
		// from is blamed for it, and its reason points here.
		return false
	}
	orig, site, ok := originOf(e.Raw)
	if ok {
		if orig == rec.dut {
			return false
		}
		s, n, ok := catalog.RunOfRouterID(orig)
		if !ok || rec.isOwn(s) {
			return false
		}
		return rec.r.issued(s) || site == uint32(100000+s*64+n)
	}
	u, _ := e.Message.(*omp.Update)
	if u == nil {
		return false
	}
	any := false
	for _, a := range u.Attributes {
		reach, _ := omp.ReachOf(a.Value)
		if reach == nil {
			continue
		}
		if len(reach.Raw) > 0 {
			return false
		}
		other := func(s int, ok bool) bool { return ok && !rec.isOwn(s) && rec.r.issued(s) }
		for _, v := range reach.VRoutes {
			if !other(catalog.RunOfVPN(v.VPNID)) {
				return false
			}
		}
		for _, m := range reach.Multicast {
			if !other(catalog.RunOfVPN(m.VPNID)) {
				return false
			}
		}
		for _, t := range reach.TLOCs {
			if !other(catalog.RunOfTLOC(t.Address)) {
				return false
			}
		}
		any = any || reach.Len() > 0
	}
	return any
}

// originOf reads an UPDATE's ATTR_TYPE_ORIGINATOR and ATTR_TYPE_SITE_ID
// by the attribute list's framing (omp.ScanAttrs); ok is false
// without an ORIGINATOR.
func originOf(raw []byte) (orig netip.Addr, site uint32, ok bool) {
	omp.ScanAttrs(raw, func(h omp.AttrHeader, v []byte) bool {
		switch t := h.Type; {
		case t == omp.AttrTypeOriginator && len(v) == 4 && !ok:
			orig, ok = netip.AddrFrom4([4]byte(v)), true
		case t == omp.AttrTypeSiteID && len(v) == 4 && site == 0:
			site = binary.BigEndian.Uint32(v)
		}
		return true
	})
	return orig, site, ok
}

// issued reports whether this run numbered a case run s (low 16 bits of
// catalog.Env.Seq) so far.
func (r *run) issued(s int) bool {
	from, cur := r.seqFrom, r.seq.Load()
	n := cur - from // case runs issued: from+1 .. cur
	if n >= 0x10000 {
		return true
	}
	d := (int64(s) - (from + 1)) & 0xFFFF
	return d < n
}
