package rib

// Quirks are deliberate bugs a RIB can be told to have (Config.Quirks),
// so that the conformance suite can be shown to catch them: the reference
// speaker's named faults (peers/reference/faults.go) switch them on. The
// zero value is the correct RIB. Each quirk is one check at the place the
// RIB makes the decision it breaks.
type Quirks uint32

const (
	// QuirkValidIgnored: best-path step 1 is skipped: a vRoute whose
	// TLOC has no best path counts as valid.
	QuirkValidIgnored Quirks = 1 << iota
	// QuirkDistanceReversed: step 2 prefers the higher administrative
	// distance.
	QuirkDistanceReversed
	// QuirkPrefReversed: step 3 prefers the lower ATTR_TYPE_PREF.
	QuirkPrefReversed
	// QuirkTLOCPrefReversed: step 4 (edges) prefers the lower TLOC
	// preference.
	QuirkTLOCPrefReversed
	// QuirkOriginReversed: step 5 (edges) reverses the origin type order.
	QuirkOriginReversed
	// QuirkRouterIDReversed: step 6 prefers the lower router ID.
	QuirkRouterIDReversed
	// QuirkStep7Skipped: step 7 is skipped: a controller compares router
	// IDs across sites instead of keeping one path per site; an edge does
	// not compare private addresses.
	QuirkStep7Skipped
	// QuirkReflectToSource: a path is sent back to the peer it came from
	// (and to the peer that originated it).
	QuirkReflectToSource
	// QuirkNoWithdraw: a controller never sends withdrawals.
	QuirkNoWithdraw
	// QuirkNoEOR: End-of-RIB is never sent.
	QuirkNoEOR
	// QuirkEORFirst: End-of-RIB of a family is sent before its routes.
	QuirkEORFirst
	// QuirkNoMark: a peer's paths go at once when its session ends, even
	// with graceful restart negotiated.
	QuirkNoMark
	// QuirkNoSweep: End-of-RIB does not remove the peer's stale paths.
	QuirkNoSweep
	// QuirkNoExpiry: stale paths are never purged when the graceful
	// restart interval runs out.
	QuirkNoExpiry
)

// has reports whether every quirk of x is on.
func (q Quirks) has(x Quirks) bool { return q&x == x && x != 0 }
