package omp

import (
	"fmt"
	"net/netip"
)

// Handshake is the HANDSHAKE message (section 3.1.2).
type Handshake struct {
	Version      uint8
	SiteID       uint32
	DomainID     uint32
	HoldTime     uint16 // seconds (unit not stated by the draft)
	PeerRouterID netip.Addr
	Options      []Option
}

func (*Handshake) Type() MsgType { return TypeHandshake }

func (m *Handshake) walk(w *walker) {
	start := w.pos()
	w.u8("version", &m.Version)
	if w.decode && w.ok() && m.Version != Version {
		w.failAt(errHsVersion, "version", start, 1, "Version %d is not supported (only %d)", m.Version, Version)
	}
	w.u32("site_id", &m.SiteID)
	w.u32("domain_id", &m.DomainID)
	at := w.pos()
	w.u16("holdtime", &m.HoldTime)
	if w.decode && w.ok() && (m.HoldTime == 1 || m.HoldTime == 2) {
		w.failAt(errHsHoldtime, "holdtime", at, 2, "Hold Time %d: must be 0 or at least 3 seconds", m.HoldTime)
	}
	at = w.pos()
	w.addr("peer_router_id", &m.PeerRouterID, 4)
	if w.decode && w.ok() && m.PeerRouterID.IsUnspecified() {
		w.failAt(errHsOMPID, "peer_router_id", at, 4, "Peer Router ID is 0.0.0.0")
	}
	w.length1("options_length", "options", errHeaderLength, func() {
		list(w, "option", &m.Options, 0, func(o *Option) { walkOption(w, o) })
	})
}

// Option is a HANDSHAKE option: *CapabilitiesOption, *AuthenticationOption,
// or *RawOption (only for sending what the draft does not define).
type Option interface {
	OptionType() OptionType
	walk(w *walker)
}

func walkOption(w *walker, o *Option) {
	var t OptionType
	if !w.decode {
		t = (*o).OptionType()
	}
	at := w.pos()
	enumField(w, "type", &t)
	if w.decode && w.ok() {
		switch t {
		case OptionCapabilities:
			*o = &CapabilitiesOption{}
		case OptionAuthentication:
			*o = &AuthenticationOption{}
		default:
			w.failAt(errHsUnsupOpt, "type", at, 1, "Option Type %d is not supported", t)
			return
		}
	}
	w.length1("length", "data", errHsUnsupOpt, func() { (*o).walk(w) })
}

// CapabilitiesOption is the Capabilities option (type 2): a sequence of
// capabilities.
type CapabilitiesOption struct {
	Capabilities []Capability
}

func (*CapabilitiesOption) OptionType() OptionType { return OptionCapabilities }

func (c *CapabilitiesOption) walk(w *walker) {
	list(w, "capability", &c.Capabilities, 0, func(cp *Capability) { walkCapability(w, cp) })
}

// AuthMACLen is the size of the MAC in the Authentication option: the
// draft leaves the option's format open; ompconform defines it as a Key ID
// byte and an HMAC-SHA256 (docs/wire-format.md).
const AuthMACLen = 32

// AuthenticationOption is the Authentication option (type 1) in the
// format ompconform defines: Key ID (1 byte), MAC (32 bytes).
type AuthenticationOption struct {
	KeyID uint8
	MAC   [AuthMACLen]byte
}

func (*AuthenticationOption) OptionType() OptionType { return OptionAuthentication }

func (a *AuthenticationOption) walk(w *walker) {
	if w.decode && w.remaining() != 1+AuthMACLen {
		// The option's Length (the byte before its data) is wrong.
		w.failAt(errHsAuth, "length", w.off-1, 1, "Authentication option has %d bytes; it must be %d (Key ID, HMAC-SHA256)", w.remaining(), 1+AuthMACLen)
		return
	}
	w.u8("key_id", &a.KeyID)
	mac := a.MAC[:]
	w.bytes("mac", &mac, AuthMACLen)
	if w.decode && w.ok() {
		copy(a.MAC[:], mac)
	}
}

// RawOption is an option of any type with its data as bytes.
type RawOption struct {
	Type OptionType
	Data []byte
}

func (o *RawOption) OptionType() OptionType { return o.Type }
func (o *RawOption) walk(w *walker)         { w.bytes("data", &o.Data, -1) }

// Capability is one capability of the Capabilities option.
type Capability interface {
	CapCode() CapCode
	walk(w *walker)
}

// capTypes is the one table of the capabilities the draft defines: the
// value decoding a Code fills. Their data lengths come from the layouts
// (capLen).
var capTypes = [...]func() Capability{
	CapCodeMP:              func() Capability { return &CapMP{} },
	CapCodeIdentity:        func() Capability { return &CapIdentity{} },
	CapCodeGracefulRestart: func() Capability { return &CapGracefulRestart{} },
	CapCodeRefresh:         func() Capability { return &CapRefresh{} },
	CapCodeSecurity:        func() Capability { return &CapSecurity{} },
	CapCodeOverlayID:       func() Capability { return &CapOverlayID{} },
}

// capLen is the data length each capability of capTypes must have: the
// size of its layout, which is fixed (a plan, fixed.go); -1 for a Code
// the draft does not define. A layout that is not fixed is a programming
// error: it panics, at init.
var capLen = func() (z [len(capTypes)]int) {
	for code, mk := range capTypes {
		z[code] = -1
		if mk == nil {
			continue
		}
		c := mk()
		n, err := fixedSize(c, c.walk)
		if err != nil {
			panic(fmt.Sprintf("omp: capability %s is not a fixed layout: %v", CapCode(code), err))
		}
		z[code] = n
	}
	return z
}()

// newCapability is the value decoding a capability of code fills: a
// type of capTypes, or a RawCapability.
func newCapability(code CapCode) Capability {
	if int(code) < len(capTypes) && capTypes[code] != nil {
		return capTypes[code]()
	}
	// Unknown capabilities are carried, as RFC 5492 ignores them;
	// whether to refuse one is the session's choice.
	return &RawCapability{Code: code}
}

func walkCapability(w *walker, c *Capability) {
	var code CapCode
	if !w.decode {
		code = (*c).CapCode()
	}
	enumField(w, "code", &code)
	if w.decode && w.ok() {
		*c = newCapability(code)
	}
	w.length1("length", "data", errHsUnsupCap, func() {
		if w.decode && int(code) < len(capLen) && capLen[code] >= 0 && w.remaining() != capLen[code] {
			w.failAt(errHsUnsupCap, "length", w.off-1, 1, "%s capability Length is %d; the draft gives %d", code, w.remaining(), capLen[code])
			return
		}
		(*c).walk(w)
		w.jsonFix(*c)
	})
}

// CapMP is the MP capability (section 3.1.2.1).
type CapMP struct {
	AFI         AFI
	SAFIVersion uint8
	SAFI        SAFI
}

func (*CapMP) CapCode() CapCode { return CapCodeMP }

func (c *CapMP) walk(w *walker) {
	enumField(w, "afi", &c.AFI)
	w.u8("safi_version", &c.SAFIVersion)
	enumField(w, "safi", &c.SAFI)
}

// CapIdentity is the IDENTITY capability (section 3.1.2.2).
type CapIdentity struct{ PeerType PeerType }

func (*CapIdentity) CapCode() CapCode { return CapCodeIdentity }

func (c *CapIdentity) walk(w *walker) {
	w.u32("peer_type", (*uint32)(&c.PeerType))
	note(w, c.PeerType)
}

// CapGracefulRestart is the GRACEFUL RESTART capability (section 3.1.2.3).
type CapGracefulRestart struct {
	GRInterval uint32 // seconds (unit not stated by the draft)
}

func (*CapGracefulRestart) CapCode() CapCode { return CapCodeGracefulRestart }
func (c *CapGracefulRestart) walk(w *walker) { w.u32("gr_interval", &c.GRInterval) }

// CapRefresh is the REFRESH capability (section 3.1.2.4), with no data.
type CapRefresh struct{}

func (*CapRefresh) CapCode() CapCode { return CapCodeRefresh }
func (*CapRefresh) walk(*walker)     {}

// CapSecurity is the SECURITY capability (section 3.1.2.6), with no data.
type CapSecurity struct{}

func (*CapSecurity) CapCode() CapCode { return CapCodeSecurity }
func (*CapSecurity) walk(*walker)     {}

// CapOverlayID is the OVERLAY_ID capability (section 3.1.2.5).
type CapOverlayID struct{ OverlayID uint32 }

func (*CapOverlayID) CapCode() CapCode { return CapCodeOverlayID }
func (c *CapOverlayID) walk(w *walker) { w.u32("overlay_id", &c.OverlayID) }

// RawCapability is a capability the draft does not define, carried as is.
type RawCapability struct {
	Code CapCode
	Data []byte
}

func (c *RawCapability) CapCode() CapCode { return c.Code }
func (c *RawCapability) walk(w *walker)   { w.bytes("data", &c.Data, -1) }

// Capabilities returns every capability of every Capabilities option.
func (m *Handshake) Capabilities() []Capability {
	var out []Capability
	for _, o := range m.Options {
		if c, ok := o.(*CapabilitiesOption); ok {
			out = append(out, c.Capabilities...)
		}
	}
	return out
}
