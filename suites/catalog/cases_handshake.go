package catalog

import (
	"fmt"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
)

// HANDSHAKE cases (section 3.1.2 and its subsections): every field, every
// option, every capability, every HANDSHAKE subcode. Each is sent as the
// first message of a fresh connection.

const (
	reqHSFields  = "Version : 1 byte, Site ID : 4 bytes, Domain ID : 4 bytes, Hold Time : 2 bytes, Peer Router ID : 4 bytes, Options Length : 1 byte"
	reqHSVersion = "Version : 1 byte [...] OMP_SUB_ERR_HANDSHAKE_VERSION = 1"
	reqHSOMPID   = "Peer Router ID : 4 bytes [...] OMP_SUB_ERR_HANDSHAKE_OMPID = 2"
	reqHSOpt     = "Options Type : 1 byte. Types: Authentication = 1, Capabilities = 2 [...] OMP_SUB_ERR_HANDSHAKE_UNSUP_OPT = 3"
	reqHSOptLen  = "Options Length : 1 byte. Length of data excluding options type and length."
	reqHSAuth    = "Options Type [...] Authentication = 1 [...] OMP_SUB_ERR_HANDSHAKE_AUTH = 4"
	reqHSHold    = "Hold Time MUST be either zero or at least three seconds. An implementation MAY reject connections on the basis of the Hold Time. [...] it MUST reject Hold Time values of one or two seconds."
	reqHSCap     = "If the option is of type Capability, then the format of Capability is as following: Code : 1 byte [...] Length : 1 byte. Length of data excluding code and length field."
	reqHSPerson  = "OMP_SUB_ERR_HANDSHAKE_PERSONALITY_MISMATCH = 7. SDN Routers: [...] peers with Routing controller with OMP."
	reqHSDomain  = "Domain ID : 4 bytes [...] OMP_SUB_ERR_HANDSHAKE_DOMAIN_MISMATCH = 8"
)

// handshakeAccepted is the script of a HANDSHAKE the DUT must accept: it
// answers with its own HANDSHAKE and, after the harness's HELLO, neither
// ALERTs nor closes.
func handshakeAccepted(hs M) []Step {
	return []Step{Connect(0), Send(0, hs), ExpectOn(0, ExpectMessage(omp.TypeHandshake, HandshakeValid())), Send(0, Hello()), ExpectOn(0, Accept())}
}

// RouterIDOf sets the Peer Router ID to fake peer j's.
func RouterIDOf(j int) HSOpt {
	return hsOpt(fmt.Sprintf("peer%d's Router ID", j), func(e *Env, _ int, h *omp.Handshake) { h.PeerRouterID = e.Peer(j).RouterID })
}

func handshakeCases() []Case {
	refuse := func(sub omp.Subcode) AlertExp { return Alert(omp.ErrHandshake, sub).ThenClose() }
	cs := []Case{
		{ID: "HS-001", Section: "3.1.2", Level: MUST, Basis: BGP, Source: "RFC 4271 8.2.2",
			Requirement: "If the TCP connection succeeds, the local system [...] sends an OPEN message to its peer [...] and changes its state to OpenSent.",
			Reading:     "The draft does not say who sends HANDSHAKE first; as in BGP, each side sends one, so the DUT answers a valid HANDSHAKE with its own.",
			Script:      handshakeAccepted(Handshake())},
		{ID: "HS-002", Section: "3.1.2", Level: MUST, Basis: Draft, Requirement: reqHSFields,
			Reading: "The DUT's own HANDSHAKE is as the draft draws it: Version 1 (the value ompconform reads), Hold Time 0 or at least 3, a non-zero Router ID.",
			Phase:   mutators.PhaseOpening, Send: Handshake(), Expect: ExpectMessage(omp.TypeHandshake, HandshakeValid()).First()},
		{ID: "HS-003", Section: "3.1.2.2", Level: SHOULD, Basis: Draft,
			Requirement: "IDENTITY Capability: Peer Type : 4 bytes. Types: VIP_DEVICE_VDEDGE = 1, VIP_DEVICE_VHUB = 2, VIP_DEVICE_VSMART = 3",
			Reading:     "The DUT says what it is: its HANDSHAKE carries IDENTITY with the Peer Type of its role.",
			Phase:       mutators.PhaseOpening, Send: Handshake(), Expect: ExpectMessage(omp.TypeHandshake, HasCap(omp.CapCodeIdentity), IdentityOfDUT())},
		{ID: "HS-004", Section: "3.1.2.1", Level: INFORMATIONAL, Basis: Draft,
			Requirement: "MP Capability Format: Code=1, Length=4, AFI, SAFI VERSION, SAFI",
			Reading:     "Records whether the DUT lists its address families in MP capabilities.",
			Phase:       mutators.PhaseOpening, Send: Handshake(), Expect: ExpectMessage(omp.TypeHandshake, HasCap(omp.CapCodeMP))},
	}

	// Version.
	for _, v := range []idv[uint64]{{"HS-010", 0}, {"HS-011", 2}, {"HS-012", 255}} {
		cs = append(cs, Case{ID: v.id, Section: "3.1.2", Level: SHOULD, Basis: Project, Requirement: reqHSVersion,
			Reading: "The draft does not state the Version value; ompconform reads 1 (docs/wire-format.md), so any other is unsupported.",
			Phase:   mutators.PhaseOpening, Send: Handshake().Mutate("handshake.version", Set(v.v)), Expect: refuse(omp.SubErrHandshakeVersion)})
	}

	// Peer Router ID.
	cs = append(cs,
		Case{ID: "HS-020", Section: "3.1.2", Level: MUST, Basis: Draft, Requirement: reqHSOMPID,
			Reading: "A Peer Router ID of 0.0.0.0 names no router.",
			Phase:   mutators.PhaseOpening, Send: Handshake().Mutate("handshake.peer_router_id", Zero()), Expect: refuse(omp.SubErrHandshakeOMPID)},
		Case{ID: "HS-021", Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.2",
			Requirement: "If the BGP Identifier field of the OPEN message is syntactically incorrect, then the Error Subcode MUST be set to Bad BGP Identifier.",
			Reading:     "A peer that claims the DUT's own Router ID cannot be a distinct router.",
			Phase:       mutators.PhaseOpening, Send: HandshakeWith("the DUT's own Router ID", DUTRouterID()), Expect: refuse(omp.SubErrHandshakeOMPID)},
		Case{ID: "HS-022", Section: "3.1.2", Level: SHOULD, Basis: BGP, Source: "RFC 4271 6.8",
			Requirement: "Connection collision detection: [...] the BGP Identifier [...] one of the connections MUST be closed.",
			Reading:     "A second session claiming the Router ID of a session already up is not a second router: the DUT refuses the newcomer with OMPID (the established session stays, as RFC 4271 6.8 keeps an Established one).",
			Script: []Step{Open(0), Connect(1), Send(1, HandshakeWith("peer0's Router ID", RouterIDOf(0))),
				ExpectOn(1, Alert(omp.ErrHandshake, omp.SubErrHandshakeOMPID).ThenClose())}},
	)

	// Options.
	for _, t := range []idv[omp.OptionType]{{"HS-030", 0}, {"HS-031", 3}, {"HS-032", 255}} {
		cs = append(cs, Case{ID: t.id, Section: "3.1.2", Level: MUST, Basis: Draft, Requirement: reqHSOpt,
			Phase: mutators.PhaseOpening, Send: HandshakeWith(fmt.Sprintf("an option of Type %d", t.v), AddOptions(&omp.RawOption{Type: t.v, Data: []byte{0, 0}})),
			Expect: refuse(omp.SubErrHandshakeUnsupOpt)})
	}
	cs = append(cs,
		Case{ID: "HS-033", Section: "3.1.2", Level: MUST, Basis: Draft, Requirement: reqHSOptLen,
			Reading: "An option Length that runs past the options is an option the DUT cannot read.",
			Phase:   mutators.PhaseOpening, Send: Handshake().Mutate("handshake.option[0].length", Set(200)),
			Expect: refuse(omp.SubErrHandshakeUnsupOpt).Or(omp.ErrHeader, omp.SubErrHeaderLength)},
		Case{ID: "HS-034", Section: "3.1.2", Level: MUST, Basis: Draft, Requirement: "Options Length : 1 byte",
			Reading: "An Options Length that runs past the message.",
			Phase:   mutators.PhaseOpening, Send: Handshake().Mutate("handshake.options_length", Inc()),
			Expect: Alert(omp.ErrHeader, omp.SubErrHeaderLength).Or(omp.ErrHandshake, omp.SubErrHandshakeUnsupOpt).ThenClose()},
		Case{ID: "HS-035", Section: "3.1.2", Level: MUST, Basis: Draft, Requirement: "Options Length : 1 byte",
			Reading: "An Options Length one short of the options cuts the last option.",
			Phase:   mutators.PhaseOpening, Send: Handshake().Mutate("handshake.options_length", Dec()),
			Expect: Alert(omp.ErrHandshake, omp.SubErrHandshakeUnsupOpt).Or(omp.ErrHeader, omp.SubErrHeaderLength).ThenClose()},
		Case{ID: "HS-037", Section: "3.1.2", Level: MUST, Basis: BGP, Source: "RFC 4271 6.1",
			Requirement: "if the Length field of an OPEN message is [...] inconsistent with the message, the Error Subcode MUST be set to Bad Message Length.",
			Reading:     "One byte after the options, which the Options Length does not count: the message is longer than its fields.",
			Phase:       mutators.PhaseOpening, Send: Handshake().Mutate("handshake", Extend([]byte{0})),
			Expect: Alert(omp.ErrHeader, omp.SubErrHeaderLength).ThenClose()},
		Case{ID: "HS-036", Section: "3.1.2", Level: INFORMATIONAL, Basis: Draft,
			Requirement: "If Options Length is not zero, then following options information MAY be included",
			Reading:     "A HANDSHAKE without options (so without IDENTITY): records whether the DUT accepts it or refuses it.",
			Phase:       mutators.PhaseOpening, Send: HandshakeWith("no options", NoOptions()),
			Expect: Alert(omp.ErrHandshake, omp.SubErrHandshakePersonalityMismatch).Or(omp.ErrHandshake, omp.SubErrHandshakeUnsupCap).OrAccept()},
	)

	// Authentication.
	cs = append(cs,
		Case{ID: "HS-040", Section: "3.1.2", Level: SHOULD, Basis: Project, Requirement: reqHSAuth,
			Reading: "The draft gives no format for the Authentication option; ompconform's is Key ID and an HMAC-SHA256 (33 bytes). A 5-byte option cannot be one: AUTH; a DUT without authentication does not support the option at all, and UNSUP_OPT is as right.",
			Phase:   mutators.PhaseOpening, Send: HandshakeWith("a 5-byte Authentication option", AddOptions(&omp.RawOption{Type: omp.OptionAuthentication, Data: []byte{1, 2, 3, 4, 5}})),
			Expect: refuse(omp.SubErrHandshakeAuth).Or(omp.ErrHandshake, omp.SubErrHandshakeUnsupOpt)},
		Case{ID: "HS-041", Section: "3.1.2", Level: SHOULD, Basis: Project, Requirement: reqHSAuth,
			Reading: "An Authentication option whose MAC verifies under no key the harness could share with the DUT: AUTH, or UNSUP_OPT from a DUT without authentication.",
			Phase:   mutators.PhaseOpening, Send: HandshakeWith("an Authentication option with a zero MAC", AddOptions(&omp.AuthenticationOption{KeyID: 1})),
			Expect: refuse(omp.SubErrHandshakeAuth).Or(omp.ErrHandshake, omp.SubErrHandshakeUnsupOpt)},
		Case{ID: "HS-042", Section: "3.1.2", Level: INFORMATIONAL, Basis: Project, Requirement: reqHSAuth,
			Reading: "Two Authentication options: records whether the DUT refuses them with AUTH.",
			Phase:   mutators.PhaseOpening, Send: HandshakeWith("two Authentication options", AddOptions(&omp.AuthenticationOption{KeyID: 1}, &omp.AuthenticationOption{KeyID: 2})),
			Expect: refuse(omp.SubErrHandshakeAuth).OrAccept()},
	)

	// Hold Time.
	for _, h := range []idv[uint16]{{"HS-050", 1}, {"HS-051", 2}} {
		cs = append(cs, Case{ID: h.id, Section: "3.1.2", Level: MUST, Basis: BGP, Source: "RFC 4271 4.2, 6.2", Requirement: reqHSHold,
			Reading: "The draft defines OMP_SUB_ERR_HANDSHAKE_HOLDTIME and, with BGP, the unit of seconds.",
			Phase:   mutators.PhaseOpening, Send: HandshakeWith(fmt.Sprintf("Hold Time %d", h.v), HoldTime(h.v)), Expect: refuse(omp.SubErrHandshakeHoldtime)})
	}
	for _, h := range []idv[uint16]{{"HS-052", 0}, {"HS-053", 3}, {"HS-054", 65535}} {
		cs = append(cs, Case{ID: h.id, Section: "3.1.2", Level: INFORMATIONAL, Basis: BGP, Source: "RFC 4271 4.2, 6.2", Requirement: reqHSHold,
			Reading: fmt.Sprintf("A Hold Time of %d is valid: the DUT accepts it, or (MAY) refuses it with HOLDTIME; both are right, so this records which.", h.v),
			Phase:   mutators.PhaseOpening, Send: HandshakeWith(fmt.Sprintf("Hold Time %d", h.v), HoldTime(h.v)), Expect: refuse(omp.SubErrHandshakeHoldtime).OrAccept()})
	}

	// Capabilities with a Length their code does not allow.
	badLen := []struct {
		id   string
		code omp.CapCode
		data []byte
		want string
	}{
		{"HS-060", omp.CapCodeMP, []byte{0, 1, 0}, "3.1.2.1 MP: Length : 1 byte. Value is 4."},
		{"HS-061", omp.CapCodeIdentity, []byte{0, 1}, "3.1.2.2 IDENTITY: Length : 1 byte. Value is 4"},
		{"HS-062", omp.CapCodeGracefulRestart, nil, "3.1.2.3 GRACEFUL RESTART: Length : 1 byte. Value is 4 bytes."},
		{"HS-063", omp.CapCodeRefresh, []byte{1}, "3.1.2.4 REFRESH: Length : 1 byte. Value is 0."},
		{"HS-064", omp.CapCodeSecurity, []byte{1, 2}, "3.1.2.6 SECURITY: Length : 1 byte. Value is 0."},
		{"HS-065", omp.CapCodeOverlayID, []byte{0, 0, 1}, "3.1.2.5 OVERLAY_ID: Length : 1 byte. Value is 4."},
	}
	for _, b := range badLen {
		cs = append(cs, Case{ID: b.id, Section: b.want[:7], Level: MUST, Basis: Draft,
			Requirement: b.want[8:] + " [...] OMP_SUB_ERR_HANDSHAKE_UNSUP_CAP = 6",
			Phase:       mutators.PhaseOpening,
			Send:        HandshakeWith(fmt.Sprintf("a %s capability of Length %d", b.code, len(b.data)), DropCaps(b.code), AddCaps(&omp.RawCapability{Code: b.code, Data: b.data})),
			Expect:      refuse(omp.SubErrHandshakeUnsupCap)})
	}
	cs = append(cs, Case{ID: "HS-066", Section: "3.1.2", Level: MUST, Basis: Draft, Requirement: reqHSCap,
		Reading: "A capability Length that runs past its option.",
		Phase:   mutators.PhaseOpening, Send: Handshake().Mutate("handshake.option[0].capability[0].length", Set(250)),
		Expect: refuse(omp.SubErrHandshakeUnsupCap).Or(omp.ErrHandshake, omp.SubErrHandshakeUnsupOpt).Or(omp.ErrHeader, omp.SubErrHeaderLength)})

	// Capabilities and values the draft does not define: the DUT may
	// ignore them or refuse them with UNSUP_CAP.
	unknown := []struct {
		id, desc string
		c        omp.Capability
	}{
		{"HS-070", "capability Code 0", &omp.RawCapability{Code: 0}},
		{"HS-071", "capability Code 7", &omp.RawCapability{Code: 7, Data: []byte{1, 2}}},
		{"HS-072", "capability Code 255", &omp.RawCapability{Code: 255}},
		{"HS-073", "MP with AFI 3", &omp.CapMP{AFI: 3, SAFI: omp.SAFIVRoute}},
		{"HS-074", "MP with SAFI 8", &omp.CapMP{AFI: omp.AFIIPv4, SAFI: 8}},
		{"HS-075", "MP with SAFI version 1", &omp.CapMP{AFI: omp.AFIIPv4, SAFIVersion: 1, SAFI: omp.SAFIVRoute}},
	}
	for _, u := range unknown {
		cs = append(cs, Case{ID: u.id, Section: "3.1.2", Level: INFORMATIONAL, Basis: BGP, Source: "RFC 5492 5",
			Requirement: "A BGP speaker [...] MAY send a NOTIFICATION message [...] with the Error Subcode set to Unsupported Capability [...]; a speaker that does not recognise a capability SHOULD ignore it.",
			Reading:     "Records whether the DUT ignores a " + u.desc + " or refuses it with UNSUP_CAP.",
			Phase:       mutators.PhaseOpening, Send: HandshakeWith(u.desc, AddCaps(u.c)), Expect: refuse(omp.SubErrHandshakeUnsupCap).OrAccept()})
	}

	// Every capability the draft defines, accepted.
	accept := []struct {
		id, section, req, desc string
		opts                   []HSOpt
		needs                  []Need
	}{
		{"HS-080", "3.1.2.3", "GRACEFUL RESTART Capability Format: Code=3, Length=4, GR Interval : 4 bytes", "GRACEFUL RESTART (120 s)",
			[]HSOpt{AddCaps(&omp.CapGracefulRestart{GRInterval: 120})}, nil},
		{"HS-081", "3.1.2.4", "REFRESH Capability Format: Code=4, Length=0", "only REFRESH besides IDENTITY",
			[]HSOpt{DropCaps(omp.CapCodeMP, omp.CapCodeOverlayID)}, nil},
		{"HS-082", "3.1.2.6", "SECURITY Capability Format: Code=5, Length=0", "SECURITY",
			[]HSOpt{AddCaps(&omp.CapSecurity{})}, nil},
		{"HS-083", "3.1.2.5", "OVERLAY_ID Capability Format: Code=6, Length=4, Overlay ID: 4 bytes", "OVERLAY ID (the DUT's)",
			[]HSOpt{DropCaps(omp.CapCodeOverlayID), dutOverlay()}, nil},
		{"HS-084", "3.1.2.1", "SAFI Version: 1 byte. Types: OMP_AFI_SAFI_DEFAULT_VERSION = 0, OMP_AFI_SAFI_VERSION_TWO = 2", "MP AFI_IPV4/SAFI_VROUTE with SAFI version two",
			[]HSOpt{DropCaps(omp.CapCodeMP), AddCaps(&omp.CapMP{AFI: omp.AFIIPv4, SAFIVersion: omp.SAFIVersionTwo, SAFI: omp.SAFIVRoute})},
			[]Need{NeedFamily(omp.AFIIPv4, omp.SAFIVRoute)}},
		{"HS-085", "3.1.2", "Options Type : 1 byte. Types: Authentication = 1, Capabilities = 2", "the capabilities split over two Capabilities options",
			[]HSOpt{splitCaps()}, nil},
		{"HS-086", "3.1.2.1", "MP Capability Format: Code=1, Length=4 [...] (RFC 5492 4: a capability may appear more than once)", "the MP capability for AFI_IPV4/SAFI_VROUTE twice",
			[]HSOpt{AddCaps(&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute})}, nil},
	}
	for _, a := range accept {
		cs = append(cs, Case{ID: a.id, Section: a.section, Level: SHOULD, Basis: Draft, Requirement: a.req,
			Reading: "A HANDSHAKE with " + a.desc + " is valid: the DUT opens the session.", Needs: a.needs,
			Script: handshakeAccepted(HandshakeWith(a.desc, a.opts...))})
	}
	// One MP capability per family the draft lists, alone.
	for _, f := range []struct {
		id   string
		afi  omp.AFI
		safi omp.SAFI
	}{
		{"HS-090", omp.AFIIPv4, omp.SAFIVRoute},
		{"HS-091", omp.AFIIPv4, omp.SAFITLOC},
		{"HS-092", omp.AFIIPv4, omp.SAFIService},
		{"HS-093", omp.AFIIPv4, omp.SAFIMulticast},
		{"HS-094", omp.AFIIPv4, omp.SAFISecurity},
		{"HS-095", omp.AFIIPv4, omp.SAFILink},
		{"HS-096", omp.AFIIPv4, omp.SAFICXP},
		{"HS-097", omp.AFIIPv6, omp.SAFIVRoute},
		{"HS-098", omp.AFIIPv6, omp.SAFITLOC},
		{"HS-099", omp.AFIIPv6, omp.SAFIService},
		{"HS-100", omp.AFIIPv6, omp.SAFIMulticast},
		{"HS-101", omp.AFIIPv6, omp.SAFISecurity},
		{"HS-102", omp.AFIIPv6, omp.SAFILink},
		{"HS-103", omp.AFIIPv6, omp.SAFICXP},
	} {
		cs = append(cs, Case{ID: f.id, Section: "3.1.2.1", Level: SHOULD, Basis: Draft,
			Requirement: "MP Capability Format: AFI : 2 bytes (AFI_IPV4 = 1, AFI_IPv6 = 2) [...] SAFI : 1 byte (SAFI_VROUTE = 1 .. SAFI_CXP = 7)",
			Reading:     fmt.Sprintf("A HANDSHAKE offering only %s/%s opens a session with a DUT that carries that family.", f.afi, f.safi),
			Needs:       []Need{NeedFamily(f.afi, f.safi)},
			Script:      handshakeAccepted(HandshakeWith(fmt.Sprintf("only MP %s/%s", f.afi, f.safi), DropCaps(omp.CapCodeMP), AddCaps(&omp.CapMP{AFI: f.afi, SAFI: f.safi})))})
	}

	// Personality.
	person := []struct {
		id    string
		roles Role
		pt    omp.PeerType
		desc  string
	}{
		{"HS-110", AnyRole, 0, "Peer Type 0, which the draft does not define"},
		{"HS-111", AnyRole, 4, "Peer Type 4, which the draft does not define"},
		{"HS-112", Edges, omp.PeerTypeVEdge, "VIP_DEVICE_VDEDGE towards an SDN router"},
		{"HS-113", Edges, omp.PeerTypeVHub, "VIP_DEVICE_VHUB towards an SDN router"},
	}
	for _, p := range person {
		c := Case{ID: p.id, Section: "3.1.2.2", Level: SHOULD, Basis: Draft, Requirement: reqHSPerson,
			Reading: "Every session has a routing controller on one side (section 2); an IDENTITY of " + p.desc + " is a personality mismatch.",
			Roles:   p.roles, Phase: mutators.PhaseOpening, Send: HandshakeWith("IDENTITY "+p.desc, PeerType(p.pt)),
			Expect: refuse(omp.SubErrHandshakePersonalityMismatch)}
		if p.pt == omp.PeerTypeVHub {
			// The draft names VIP_DEVICE_VHUB and nothing more: that a
			// hub is an SDN router, which peers only with controllers,
			// is this project's reading, which the draft does not make
			// a requirement: an edge that takes a hub as a peer is not
			// failed (an independent edge did).
			c.Basis = Project
			c.Reading += " The draft names VIP_DEVICE_VHUB without describing it; ompconform reads a hub as an SDN router, which peers with controllers only, and takes the session opening too."
			c.Expect = refuse(omp.SubErrHandshakePersonalityMismatch).OrAccept()
		}
		cs = append(cs, c)
	}
	// (An IDENTITY of VIP_DEVICE_VDEDGE is the standard HANDSHAKE, which
	// HS-001 opens with.)
	for _, p := range []idv[omp.PeerType]{{"HS-115", omp.PeerTypeVHub}, {"HS-116", omp.PeerTypeVSmart}} {
		cs = append(cs, Case{ID: p.id, Section: "2", Level: SHOULD, Basis: Draft, Requirement: reqController,
			Reading: "A routing controller peers with SDN routers, hubs and other controllers: an IDENTITY of " + p.v.String() + " opens the session.",
			Roles:   Controller, Script: handshakeAccepted(HandshakeWith("IDENTITY "+p.v.String(), PeerType(p.v)))})
	}

	// Overlay.
	cs = append(cs, Case{ID: "HS-121", Section: "3.1.2.5", Level: SHOULD, Basis: Project, Requirement: "OVERLAY_ID Capability Format: Code=6, Length=4, Overlay ID: 4 bytes",
		Reading: "A peer in another overlay than the DUT's own (its OVERLAY ID capability) cannot join it. The draft names no subcode for it; ompconform reads it as a capability the DUT cannot accept, OMP_SUB_ERR_HANDSHAKE_UNSUP_CAP, and an overlay as an administrative domain is as defensible: DOMAIN_MISMATCH.",
		Needs:   []Need{NeedCap(omp.CapCodeOverlayID)}, Phase: mutators.PhaseOpening,
		Send:   HandshakeWith("another Overlay ID than the DUT's", DropCaps(omp.CapCodeOverlayID), otherOverlay()),
		Expect: refuse(omp.SubErrHandshakeUnsupCap).Or(omp.ErrHandshake, omp.SubErrHandshakeDomainMismatch)})

	// Domain.
	cs = append(cs, Case{ID: "HS-120", Section: "3.1.2", Level: SHOULD, Basis: Draft, Requirement: reqHSDomain,
		Reading: "A peer of another Domain ID than the DUT's own is refused.",
		Phase:   mutators.PhaseOpening, Send: HandshakeWith("another Domain ID", OtherDomain()), Expect: refuse(omp.SubErrHandshakeDomainMismatch)})
	return cs
}

// dutOverlayID is the DUT's Overlay ID (its OVERLAY ID capability), 1
// if it sent none.
func dutOverlayID(e *Env) uint32 {
	if e.DUT != nil {
		if o, ok := omp.CapOf[*omp.CapOverlayID](e.DUT); ok {
			return o.OverlayID
		}
	}
	return 1
}

// dutOverlay adds an OVERLAY ID capability with the DUT's Overlay ID.
func dutOverlay() HSOpt {
	return hsOpt("the DUT's Overlay ID", func(e *Env, i int, h *omp.Handshake) {
		AddCaps(&omp.CapOverlayID{OverlayID: dutOverlayID(e)}).apply(e, i, h)
	})
}

// otherOverlay adds an OVERLAY ID capability with an Overlay ID the DUT's
// is not.
func otherOverlay() HSOpt {
	return hsOpt("another Overlay ID than the DUT's", func(e *Env, i int, h *omp.Handshake) {
		AddCaps(&omp.CapOverlayID{OverlayID: dutOverlayID(e) + 1}).apply(e, i, h)
	})
}

// splitCaps moves every capability after the first into a second
// Capabilities option.
func splitCaps() HSOpt {
	return hsOpt("the capabilities in two options", func(_ *Env, _ int, h *omp.Handshake) {
		for k, o := range h.Options {
			if co, ok := o.(*omp.CapabilitiesOption); ok && len(co.Capabilities) > 1 {
				rest := &omp.CapabilitiesOption{Capabilities: co.Capabilities[1:]}
				h.Options[k] = &omp.CapabilitiesOption{Capabilities: co.Capabilities[:1]}
				h.Options = append(h.Options, rest)
				return
			}
		}
	})
}
