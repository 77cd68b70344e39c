package reference

import (
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/omp"
)

// Defaults for the session parameters the draft leaves open (docs/fsm.md).
const (
	DefaultQueueLen   = 256      // messages queued for one peer
	DefaultQueueBytes = 16 << 20 // bytes of them (a lone message may be more)
	DefaultAuthKeyID  = 1

	// Limits (docs/fsm.md, Limits).
	DefaultMaxConnections          = 4096      // sessions open at once
	DefaultMaxConnectionsPerSource = 1024      // of them from one remote address
	DefaultMaxRoutesPerPeer        = 2_000_000 // paths one peer may have in the RIB
	DefaultMaxPathsPerPrefix       = 64        // paths one peer may have to one destination
	DefaultMaxAttrSetsPerPeer      = 100_000   // distinct attribute sets one peer's routes may carry
	DefaultPeerHistory             = 256       // ended sessions remembered for the state API
)

// Neighbor is a peer the speaker connects to (active open).
type Neighbor struct {
	// Address is host:port; a bare host gets omp.DefaultPort.
	Address string
	// ServerName checks the peer's TLS certificate; empty uses the host.
	ServerName string
	// Shutdown keeps the neighbor administratively down: never dialled.
	Shutdown bool
}

// Config is everything a Speaker needs. Zero values take the defaults
// documented on each field.
type Config struct {
	Role      omp.Role   // required
	RouterID  netip.Addr // system IP, IPv4, required
	SiteID    uint32
	DomainID  uint32
	OverlayID uint32 // 0: no OVERLAY ID capability sent, any accepted

	// Listen are host:port addresses for passive open ("127.0.0.1:0",
	// "[::1]:0", ":12346"). Neighbors are dialled (active open).
	Listen    []string
	Neighbors []Neighbor

	// HoldTime offered in the HANDSHAKE, in TimeUnits; 0 disables HELLOs
	// and the hold timer. Unset (nil) means omp.DefaultHoldTime.
	HoldTime *uint16
	// MinHoldTime refuses a peer offering less (0 included) with
	// HANDSHAKE/HOLDTIME. 0: only the codec's rule (1 and 2 refused).
	MinHoldTime uint16
	// GRInterval offered in the GRACEFUL RESTART capability, in TimeUnits.
	// Unset (nil) means omp.DefaultGRInterval; 0 disables graceful restart.
	GRInterval *uint32
	// NoRefresh leaves the REFRESH capability out.
	NoRefresh bool
	// Security sends the SECURITY capability.
	Security bool
	// Families offered in MP capabilities; empty: all the routing carries.
	Families []omp.Family

	// AuthKey, when set, signs every HANDSHAKE with the Authentication
	// option and requires it of peers (docs/fsm.md). AuthKeyID defaults
	// to DefaultAuthKeyID.
	AuthKey   []byte
	AuthKeyID uint8

	// TLS, when set, runs every session over TLS: the listener requires
	// and verifies client certificates (ClientCAs), the dialler verifies
	// the server (RootCAs) and presents Certificates.
	TLS *tls.Config

	// HelloVSmarts are the addresses sent in the HELLO VSMARTS TLV.
	HelloVSmarts []netip.Addr

	// Originated routes, TLOCs and policy, handed to the routing half.
	Routes []RouteConfig
	TLOCs  []TLOCConfig
	Policy []byte

	// TimeUnit is the length of one second of Hold Time and GR Interval
	// on the wire. Tests shrink it; default time.Second.
	TimeUnit time.Duration
	// HandshakeTimeout bounds the wait for the peer's HANDSHAKE and for
	// its first HELLO when the hold time is 0. Default 30 s.
	HandshakeTimeout time.Duration
	// Responder makes a session the speaker accepts send its HANDSHAKE
	// only once the peer's first bytes have arrived, instead of on
	// connect: a speaker that answers rather than opens, which the draft
	// allows (it says nothing of who speaks first). Sessions it dials
	// still speak first.
	Responder bool
	// ConnectRetry is the first wait before redialling a neighbor; it
	// doubles up to ConnectRetryMax. Defaults 1 s and 30 s.
	ConnectRetry    time.Duration
	ConnectRetryMax time.Duration
	// WriteTimeout drops a session whose peer does not take a write
	// within it. Default 30 s.
	WriteTimeout time.Duration
	// QueueLen bounds the messages waiting to be written to one peer.
	QueueLen int
	// QueueBytes bounds the bytes of those messages (QUERY answers are
	// the large ones), but for a lone message: past it the peer is a
	// slow receiver, as past QueueLen. 0: DefaultQueueBytes.
	QueueBytes int

	// MaxConnections bounds the sessions open at once (inbound and
	// outbound); MaxConnectionsPerSource those from one remote address.
	// An inbound connection over either is closed at once, before any
	// HANDSHAKE. 0: the defaults (DefaultMaxConnections,
	// DefaultMaxConnectionsPerSource); negative: no limit.
	MaxConnections          int
	MaxConnectionsPerSource int
	// MaxRoutesPerPeer bounds the paths one peer may have in the RIB: an
	// UPDATE that takes it past the limit closes the session with ALERT
	// OMP_ERR_OPER/OMP_SUB_ERR_OPER_CLEAR, data the limit (4 octets), and
	// its routes are withdrawn. 0: DefaultMaxRoutesPerPeer; negative: no
	// limit. The in-tree RIB only.
	MaxRoutesPerPeer int
	// MaxPathsPerPrefix bounds the paths one peer may have to one
	// destination (a vRoute prefix, a TLOC, ...; path IDs and
	// originators make them many): the UPDATE NLRI that would pass it
	// is refused, the NLRI before it applied, and the session closed as
	// for MaxRoutesPerPeer, data the limit. Selecting among many paths
	// to one destination costs their square under the RIB lock. 0:
	// DefaultMaxPathsPerPrefix; negative: no limit. The in-tree RIB only.
	MaxPathsPerPrefix int
	// MaxAttrSetsPerPeer bounds the distinct attribute sets one peer's
	// routes may carry in the RIB: an UPDATE that would bring one more is
	// refused whole and the session closed as for MaxRoutesPerPeer, data
	// the limit. A set costs about 1.7 KB of memory where a route that
	// shares one costs about 100 bytes: routes that each came with
	// attributes of their own took 3.5 GB at the route limit. 0:
	// DefaultMaxAttrSetsPerPeer; negative: no limit. The in-tree RIB only.
	MaxAttrSetsPerPeer int
	// PeerHistory is how many ended sessions the state API remembers
	// (their last ALERTs and reason), the oldest forgotten first. 0:
	// DefaultPeerHistory; negative: none.
	PeerHistory int

	// Faults are deliberate bugs to have (docs/faults.md, Faults()), for
	// showing that the conformance suite catches them. Empty: the correct
	// speaker. Start refuses an unknown name. The faults of the routing
	// half (best path, reflection, GR, End-of-RIB, QUERY, POLICY) apply
	// to the in-tree RIB only. They cannot change at run time.
	Faults []Fault

	// Routing is the routing half; nil uses the in-tree RIB (or, until
	// it exists, a routing half that accepts and ignores routes).
	Routing Routing
	// Logger receives session events; nil discards them.
	Logger *slog.Logger
}

// RouteConfig is a vRoute the speaker originates.
type RouteConfig struct {
	VPN        uint64       `yaml:"vpn" json:"vpn"`
	Prefix     netip.Prefix `yaml:"prefix" json:"prefix"`
	TLOC       TLOCKey      `yaml:"tloc" json:"tloc"` // zero: the first TLOC
	Preference uint32       `yaml:"preference" json:"preference,omitempty"`
	Tag        uint32       `yaml:"tag" json:"tag,omitempty"`
	Origin     string       `yaml:"origin" json:"origin,omitempty"` // connected, static, ...
	Label      uint32       `yaml:"label" json:"label,omitempty"`
}

// TLOCKey names a TLOC: address, color, encapsulation.
type TLOCKey struct {
	Address netip.Addr `yaml:"address" json:"address"`
	Color   uint8      `yaml:"color" json:"color"`
	Encap   uint8      `yaml:"encap" json:"encap"`
}

// TLOCConfig is a TLOC the speaker originates.
type TLOCConfig struct {
	TLOCKey    `yaml:",inline" json:",inline"`
	Preference uint32         `yaml:"preference" json:"preference,omitempty"`
	Weight     uint32         `yaml:"weight" json:"weight,omitempty"`
	Private    netip.AddrPort `yaml:"private" json:"private,omitzero"`
	Public     netip.AddrPort `yaml:"public" json:"public,omitzero"`
}

// settings are the Config after defaults, as the sessions use it.
type settings struct {
	Config
	holdTime   uint16
	grInterval uint32
	families   []omp.Family
	faults     faultSet
}

func (c *Config) settle(r Routing) (*settings, error) {
	s := &settings{Config: *c}
	err := s.check()
	if err != nil {
		return nil, err
	}
	s.holdTime = omp.DefaultHoldTime
	if c.HoldTime != nil {
		s.holdTime = *c.HoldTime
	}
	s.grInterval = omp.DefaultGRInterval
	if c.GRInterval != nil {
		s.grInterval = *c.GRInterval
	}
	if s.faults, err = resolveFaults(c.Faults); err != nil {
		return nil, err
	}
	if s.holdTime == 1 || s.holdTime == 2 {
		return nil, fmt.Errorf("hold time %d: must be 0 or at least 3", s.holdTime)
	}
	if s.MinHoldTime > 0 && s.holdTime < s.MinHoldTime {
		return nil, fmt.Errorf("hold time %d is below the minimum %d", s.holdTime, s.MinHoldTime)
	}
	if s.AuthKeyID == 0 {
		s.AuthKeyID = DefaultAuthKeyID
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&s.TimeUnit, time.Second)
	def(&s.HandshakeTimeout, 30*time.Second)
	def(&s.ConnectRetry, time.Second)
	def(&s.ConnectRetryMax, 30*time.Second)
	def(&s.WriteTimeout, 30*time.Second)
	if s.ConnectRetryMax < s.ConnectRetry {
		s.ConnectRetryMax = s.ConnectRetry
	}
	defaults.Positive(&s.QueueLen, DefaultQueueLen)
	defaults.Positive(&s.QueueBytes, DefaultQueueBytes)
	limit := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	limit(&s.MaxConnections, DefaultMaxConnections)
	limit(&s.MaxConnectionsPerSource, DefaultMaxConnectionsPerSource)
	limit(&s.MaxRoutesPerPeer, DefaultMaxRoutesPerPeer)
	limit(&s.MaxPathsPerPrefix, DefaultMaxPathsPerPrefix)
	limit(&s.MaxAttrSetsPerPeer, DefaultMaxAttrSetsPerPeer)
	limit(&s.PeerHistory, DefaultPeerHistory)
	carried := r.Families()
	s.families = c.Families
	if len(s.families) == 0 {
		s.families = carried
	}
	for _, f := range s.families {
		if !hasFamily(carried, f) {
			return nil, fmt.Errorf("family %s: the routing half does not carry it", f)
		}
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	return s, nil
}

func (c *Config) check() error {
	var errs []error
	switch c.Role {
	case omp.RoleController, omp.RoleEdge, omp.RoleHub:
	default:
		errs = append(errs, errors.New("role: want controller, edge or hub (--role, or role in the YAML file)"))
	}
	if !c.RouterID.Is4() || c.RouterID.IsUnspecified() {
		errs = append(errs, fmt.Errorf("router ID %v: want a non-zero IPv4 address (--system-ip, or system-ip in the YAML file)", c.RouterID))
	}
	for _, l := range c.Listen {
		if _, _, err := net.SplitHostPort(l); err != nil {
			errs = append(errs, fmt.Errorf("listen %q: %v", l, err))
		}
	}
	for _, n := range c.Neighbors {
		if n.Address == "" {
			errs = append(errs, errors.New("neighbor without an address"))
		}
	}
	if len(c.AuthKey) == 0 && c.AuthKeyID != 0 {
		errs = append(errs, errors.New("auth key ID without an auth key"))
	}
	if _, err := resolveFaults(c.Faults); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// limitOf is a limit setting v after its default d: 0 is d, a negative
// value no limit (0).
func limitOf(v, d int) int {
	switch {
	case v == 0:
		return d
	case v < 0:
		return 0
	}
	return v
}

// dialAddress adds omp.DefaultPort to an address that has none.
func dialAddress(a string) string {
	if _, _, err := net.SplitHostPort(a); err == nil {
		return a
	}
	if ip, err := netip.ParseAddr(a); err == nil {
		return netip.AddrPortFrom(ip, omp.DefaultPort).String()
	}
	return net.JoinHostPort(a, fmt.Sprint(omp.DefaultPort))
}

func hasFamily(fs []omp.Family, f omp.Family) bool {
	for _, g := range fs {
		if g == f {
			return true
		}
	}
	return false
}

// units converts wire seconds to a duration.
func (s *settings) units(n uint32) time.Duration { return time.Duration(n) * s.TimeUnit }
