package rib

import (
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// The families the RIB keeps, in the order Next sends them. The last
// eight are the SAFIs the draft lists without an NLRI format: the RIB
// stores and reflects each ATTR_TYPE_REACHABLES NLRI of theirs as one
// opaque route (Route.Raw; see the package documentation).
var (
	TLOC4      = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFITLOC}
	TLOC6      = omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFITLOC}
	VRoute4    = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}
	VRoute6    = omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFIVRoute}
	Multicast4 = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIMulticast}
	Multicast6 = omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFIMulticast}
	Service4   = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFIService}
	Service6   = omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFIService}
	Security4  = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFISecurity}
	Security6  = omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFISecurity}
	Link4      = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFILink}
	Link6      = omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFILink}
	CXP4       = omp.Family{AFI: omp.AFIIPv4, SAFI: omp.SAFICXP}
	CXP6       = omp.Family{AFI: omp.AFIIPv6, SAFI: omp.SAFICXP}
)

// Families lists the fourteen families in output order (TLOCs first, so
// a receiver can validate vRoutes as they arrive; the raw families last).
func Families() []omp.Family { return slices.Clone(famList[:]) }

// DistanceOMP is the administrative distance of every OMP-learned path.
const DistanceOMP = 250

// Config configures a RIB.
type Config struct {
	Role     omp.Role
	RouterID netip.Addr // this device's system IP (IPv4): ORIGINATOR of local routes
	SiteID   uint32     // SITE_ID of local routes
	// Now stamps graceful-restart deadlines; nil means time.Now.
	Now func() time.Time
	// Log receives debug and warning records; nil discards them.
	Log *slog.Logger
	// MaxPathsPerDest bounds the paths one peer may have to one
	// destination: a new path past it is refused (Apply returns a
	// *PathLimitError). 0: no limit. Local routes are not counted.
	MaxPathsPerDest int
	// MaxSetsPerPeer bounds the attribute sets a peer's UPDATEs brought
	// into the RIB that are still in use: an UPDATE whose attributes
	// would make one more is refused with *SetLimitError, and nothing of
	// its NLRI is applied (its withdrawals are). A set costs about 1.7 KB
	// where a route costs about 100 bytes: routes that each came with
	// attributes of their own took 15 times the memory. 0: no limit.
	MaxSetsPerPeer int
	// Quirks are deliberate bugs (fault injection); zero is correct.
	Quirks Quirks
}

// PeerID names a peer. PeerLocal (0) is this device's own routes.
type PeerID uint16

// PeerLocal is the pseudo-peer of locally originated routes.
const PeerLocal PeerID = 0

// PeerInfo describes a peer whose session came up: what its HANDSHAKE
// said and what was negotiated.
type PeerInfo struct {
	RouterID netip.Addr   // HANDSHAKE Peer Router ID (IPv4); identifies the peer across restarts
	SiteID   uint32       // HANDSHAKE Site ID
	Type     omp.PeerType // IDENTITY Peer Type (0 if not sent)
	// GracefulRestart is the negotiated GR interval; 0 means none: the
	// peer's paths go as soon as its session does.
	GracefulRestart time.Duration
	// Families are the negotiated MP families; nil means all of Families().
	Families []omp.Family
}

// Errors returned by the API.
var (
	ErrUnknownPeer = errors.New("rib: unknown or down peer")
	ErrPeerUp      = errors.New("rib: a session with this router ID is already up")
	ErrBadRoute    = errors.New("rib: bad local route")
	// ErrTooManyPeers: MaxPeers peers have a session or a graceful-restart
	// window at once.
	ErrTooManyPeers = errors.New("rib: too many peers at once (sessions and graceful-restart windows)")
)

// MaxPeers bounds the peers the RIB holds at once: those with a session
// and those in a graceful-restart window. A peer's slot is freed when it
// has neither, so router-ID churn does not use slots up; when every slot
// is held, a new peer takes the slot of a graceful-restart window (one
// without paths first, else the earliest deadline's, its stale paths
// purged), so that windows alone cannot keep new peers out.
const MaxPeers = 0xFFFF - 1

// LocalRoute is a vRoute this device originates (connected, static, ...).
// The RIB adds ATTR_TYPE_ORIGINATOR (Config.RouterID), ATTR_TYPE_SITE_ID
// (Config.SiteID), ATTR_TYPE_TLOC, ATTR_TYPE_PREF (when Pref is not 0) and
// ATTR_TYPE_ORIGIN; Attrs adds further attributes as they are.
type LocalRoute struct {
	VPN    uint64
	Prefix netip.Prefix
	PathID uint32
	Label  uint32 // 24 bits
	TLOC   omp.TLOCNLRI
	Pref   uint32
	Origin uint8 // omp.OriginConnected ... omp.OriginIBGP; others rank unknown
	Metric uint32
	// Distance is the administrative distance (step 2); 0 means the
	// origin's default (connected 0, static 1, EBGP 20, OSPF 110, IBGP
	// 200, other 240).
	Distance uint8
	Attrs    []omp.Attribute
}

// LocalTLOC is a TLOC this device originates. The RIB adds ORIGINATOR and
// SITE_ID, PREF when Pref is not 0, and the private and public address
// attributes (V4 or V6 by the address family) when given.
type LocalTLOC struct {
	TLOC    omp.TLOCNLRI
	Pref    uint32
	Private netip.AddrPort
	Public  netip.AddrPort
	Attrs   []omp.Attribute
}

// Route is one path as the state API shows it.
type Route struct {
	Family    omp.Family
	VPN       uint64       // vRoute
	Prefix    netip.Prefix // vRoute
	TLOC      omp.TLOCNLRI // TLOC route: its NLRI
	Multicast []byte       // multicast route: its NLRI bytes
	Raw       []byte       // SAFI_SERVICE, SECURITY, LINK, CXP: the whole NLRI of its REACHABLES
	PathID    uint32
	Label     uint32

	Originator netip.Addr
	SiteID     uint32
	Peer       PeerID
	// Attrs are the path's effective attributes (after policy), without
	// REACHABLES; the slice is shared and read-only.
	Attrs []omp.Attribute

	Valid    bool // step 1
	Best     bool // in the Loc-RIB's best set
	Stale    bool // kept by graceful restart, not yet refreshed
	Rejected bool // rejected by policy
}

// FIBEntry is an installed vRoute: its prefix and the TLOCs that are its
// next hops (the distinct ATTR_TYPE_TLOC of its best paths). Local is set
// when a best path is this device's own route.
type FIBEntry struct {
	VPN      uint64
	Prefix   netip.Prefix
	NextHops []omp.TLOCNLRI
	Local    bool
}
