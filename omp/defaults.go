package omp

// Defaults for what the draft leaves to the implementation, as a vSmart
// has them (docs/fsm.md); the reference speaker, the fake peers and the
// fuzzer's HANDSHAKEs all take them from here.
const (
	// DefaultPort is the TCP port an OMP speaker listens on. The draft
	// names no port; ompconform uses 12346, the base port of Cisco SD-WAN
	// control connections.
	DefaultPort = 12346
	// DefaultHoldTime is the Hold Time offered, in seconds: a vSmart's
	// default OMP hold time.
	DefaultHoldTime = 60
	// DefaultGRInterval is the GRACEFUL RESTART capability's interval, in
	// seconds (12 h): a vSmart's default graceful restart timer.
	DefaultGRInterval = 43200
)

// DefaultFamilies are the MP families a speaker carries unless told
// otherwise, in the order it announces them: vRoutes and TLOCs over IPv4
// and IPv6.
func DefaultFamilies() []Family {
	return []Family{
		{AFI: AFIIPv4, SAFI: SAFIVRoute}, {AFI: AFIIPv6, SAFI: SAFIVRoute},
		{AFI: AFIIPv4, SAFI: SAFITLOC}, {AFI: AFIIPv6, SAFI: SAFITLOC},
	}
}

// DefaultCapabilities is the capability list of a speaker of Peer Type
// pt in overlay overlayID that says nothing otherwise: MP for each of
// DefaultFamilies, IDENTITY, GRACEFUL RESTART (DefaultGRInterval),
// REFRESH, OVERLAY ID.
func DefaultCapabilities(pt PeerType, overlayID uint32) []Capability {
	return CapabilitiesFor(pt, overlayID, DefaultFamilies())
}

// CapabilitiesFor is DefaultCapabilities with MP for the families fams
// instead: what a speaker offers a peer that carries only those.
func CapabilitiesFor(pt PeerType, overlayID uint32, fams []Family) []Capability {
	var cs []Capability
	for _, f := range fams {
		cs = append(cs, &CapMP{AFI: f.AFI, SAFI: f.SAFI})
	}
	return append(cs,
		&CapIdentity{PeerType: pt},
		&CapGracefulRestart{GRInterval: DefaultGRInterval},
		&CapRefresh{},
		&CapOverlayID{OverlayID: overlayID},
	)
}
