// Package rib is the routing half of the OMP reference implementation
// (draft-sthoria-omp-00 section 3.1: route distribution, path selection,
// graceful restart; UPDATE, QUERY and INFORM handling). The session layer
// (package reference) owns the connections and calls this API; nothing
// here touches the network.
//
// # API at a glance
//
//	New(Config) (*RIB, error)
//	PeerUp(PeerInfo) (PeerID, error)    PeerDown(id, graceful)
//	Apply(id, *omp.Update) error        Inform(id, *omp.Inform) error
//	Pending(id) bool                    Next(id, dst) ([]byte, more bool)
//	Ready(id) <-chan struct{}           Query(*omp.Query, dst) ([]byte, error)
//	Expire(now)                         NextExpiry() (time.Time, bool)
//	SetPolicy(*policy.Policy)
//	AddRoute(LocalRoute) / RemoveRoute  AddTLOC(LocalTLOC) / RemoveTLOC
//	Routes(Family) []Route              Advertised(id, Family) []Route
//	FIB() []FIBEntry                    Lookup(vpn, addr) (FIBEntry, bool)
//	Compare(Role, a, b *Candidate) (int, Step)
//
// PeerInfo.Families lists the negotiated MP families: nil means all of
// Families() (fourteen), an empty slice none.
//
// # Model
//
// A RIB plays one Role: RoleController (vSmart), RoleEdge (vEdge) or
// RoleHub (vHub, which behaves as an edge). It keeps, for fourteen
// families (Families: TLOC, vRoute, multicast, service, security, link
// and CXP, each in IPv4 and IPv6):
//
//   - per peer, an Adj-RIB-In: the paths the peer advertised;
//   - the Loc-RIB: for each destination the best path set (see Compare);
//   - per peer, an Adj-RIB-Out: what the peer has been sent. It is not a
//     copy of the table: the exported set is shared, each peer holds a
//     cursor into a per-family change log and one bit per exported path.
//
// A path's identity is its destination (VPN ID and prefix for a vRoute;
// address, color and encap for a TLOC; the whole NLRI for a multicast
// route; for a raw route, below, its bytes), its Path ID (0 for TLOC,
// multicast and raw routes), its originator
// (ATTR_TYPE_ORIGINATOR, or the advertising peer's router ID when the
// UPDATE has none) and the peer it came from. So a controller keeps several
// paths to one prefix. Locally originated routes belong to PeerLocal.
//
// # Input
//
// Apply(peer, update): ATTR_TYPE_REACHABLES adds or replaces paths with
// the UPDATE's other attributes; ATTR_TYPE_UNREACHABLES withdraws. Before a
// path's attributes are stored, ATTR_TYPE_ORIGINATOR (peer router ID) and
// ATTR_TYPE_SITE_ID (peer site ID) are added when absent, so reflected
// routes always name their origin. A withdrawal that carries
// ATTR_TYPE_ORIGINATOR removes the peer's path of that originator; one
// without removes the peer's paths of that destination and Path ID
// whatever their originator. Families the peer did not negotiate and
// SAFIs the draft does not list are ignored.
//
// # Raw families
//
// SAFI_SERVICE, SAFI_SECURITY, SAFI_LINK and SAFI_CXP have no NLRI format
// in the draft; the codec keeps their NLRI as bytes (omp.Reach.Raw), one
// opaque unit. The RIB reads the whole NLRI of one ATTR_TYPE_REACHABLES as
// one route (Route.Raw) keyed by (AFI, SAFI, bytes), with no Path ID or
// label, and carries it like a multicast route: stored per peer, selected
// by Compare as a multicast route is (always valid), reflected with
// its attributes, withdrawn by an ATTR_TYPE_UNREACHABLES whose NLRI is
// exactly those bytes, swept by graceful restart and PeerDown, re-sent on
// REFRESH_REQUEST, with an EOR per family. Output puts one raw route in
// each UPDATE, since two blobs in one NLRI field would read back as one.
// They share the multicast tables (interned bytes, same arenas), so the
// vRoute and TLOC paths are unchanged.
//
// # Path selection
//
// Compare is the draft's seven steps and says at which step two paths
// differ. Step 2 (administrative distance): every OMP-learned path has
// DistanceOMP (250); a local route has the distance of its origin
// (connected 0, static 1, EBGP 20, OSPF 110, IBGP 200, other 240) unless
// LocalRoute.Distance says otherwise. On a controller, steps 4 and 5 are
// skipped; step 6 (higher router ID) only orders paths of the same site,
// and paths of different sites that tie through step 3 are all best
// (step 7, multipath). Paths that tie through step 7 are all best (ECMP).
// A vRoute is valid (step 1) when the TLOC its ATTR_TYPE_TLOC names has a
// best path in the TLOC table. The TLOC preference (step 4) and the
// private address (step 7) come from the vRoute's own
// ATTR_TYPE_TLOC_V4_PRIVATE/V6_PRIVATE when present, else from the best
// TLOC route. A path rejected by policy is not a candidate.
//
// # Output
//
// A controller exports its best set of every destination to every peer
// except the peer the path came from and the peer whose router ID is the
// path's originator; of several best paths with one identity (the same
// route learned through two controllers) the one from the lowest PeerID
// is sent. An edge or hub exports its valid local routes only, and
// installs best vRoutes into its FIB (FIB, Lookup).
//
// Next(peer, dst) appends ready-to-write messages to dst: withdrawals
// (UPDATE with ATTR_TYPE_UNREACHABLES and ATTR_TYPE_ORIGINATOR, one
// originator per message), then advertisements (UPDATE with one shared
// attribute set and ATTR_TYPE_REACHABLES), each packed to at most 4096
// bytes (one route per UPDATE for a raw family), TLOC families first,
// raw families last; after a family's initial advertisement (and
// after a refresh) an INFORM OMP_INFORM_EOR for it. Next stops after
// roughly 64 KiB and reports whether more is pending; Ready(peer) is
// signalled whenever new output may be pending.
//
// # Graceful restart
//
// PeerDown(peer, graceful): with graceful set (the session ended without
// an ALERT) and a GR interval negotiated (PeerInfo.GracefulRestart), the
// peer's paths stay, marked stale and still used and reflected, until
// Expire is called at or after the deadline (NextExpiry), which purges
// them. The deadline is set by the first graceful drop and is not
// extended by further drops while stale paths remain. When a peer with
// the same router ID comes back (PeerUp returns the same PeerID) paths it
// re-advertises lose the stale mark; its EOR for a family (Inform) sweeps
// the paths of that family still stale. Time is only what the caller
// passes: Config.Now stamps deadlines, Expire(now) acts on them.
//
// # QUERY, INFORM, policy
//
// Query answers an omp.Query with the Loc-RIB routes it selects, as UPDATE
// messages (docs/query.md). Inform takes the peer's INFORM: EOR sweeps
// stale paths; REFRESH_REQUEST re-sends the peer's whole Adj-RIB-Out for
// the family (or all) followed by EOR. SetPolicy installs a control policy
// (package policy, docs/policy.md) applied to every path learned from a
// peer as it enters the RIB: a controller applies it to the routes it
// reflects, an edge to the routes it receives.
//
// # Concurrency and scale
//
// All methods are safe for concurrent use (one mutex). Paths, exported
// entries and destinations live in pointer-free chunked arenas indexed by
// uint32; attribute sets are interned (one per distinct combination; a
// path holds only its effective set, whose base is the received one when
// policy changed it); a destination keeps its key in 12 bytes (low half
// of the VPN ID, IPv4 address or interned NLRI id, meta), an IPv6
// address or a VPN ID over 32 bits going to a wide record of its own, and
// is found through an open-addressing index of 8-byte slots (hash tag and
// dest index, kept in tag order, grown by half); the Adj-RIB-Out is a
// cursor and a bitset per peer over one shared change log per family
// (chunked too), compacted as it doubles. An exported entry names its
// path, which gives its NLRI and originator; a path withdrawn while
// exported stays until the withdrawal has been seen by every peer.
// Where the platform allows, these tables live outside the Go heap, in
// mapped memory released when the RIB is collected (mem.go), so that
// they do not pace the garbage collector; MappedBytes says how much.
// Apply takes an UPDATE's NLRI as a batch: keys and hashes first, then
// their index slots touched together, then the updates. About 80 bytes
// per IPv4 vRoute through a controller (20 dest, 32 path, 12 export,
// 11 to 16 index, 4 log; an IPv6 one 24 more); BenchmarkReflect measures
// time and memory per route, and `ompconform bench-scale` a controller
// daemon's (81 bytes per route of peak RSS at a million routes, the Go
// heap's garbage between collections included).
package rib
