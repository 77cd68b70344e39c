package reference

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"net/netip"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Offsets in an encoded HANDSHAKE, header included.
const (
	hsOptionsLenAt = omp.HeaderLen + 15 // Options Length
	hsOptionsAt    = omp.HeaderLen + 16 // first option
)

// alertError is a refusal: the ALERT to send and why, for the log.
type alertError struct {
	alert  *omp.Alert
	reason string
}

func (e *alertError) Error() string {
	return e.alert.ID().String() + ": " + e.reason
}

func refuse(code omp.AlertCode, sub omp.Subcode, data []byte, format string, args ...any) *alertError {
	return &alertError{alert: &omp.Alert{Code: code, Subcode: sub, Data: data}, reason: fmt.Sprintf(format, args...)}
}

func refuseHS(sub omp.Subcode, data []byte, format string, args ...any) *alertError {
	return refuse(omp.ErrHandshake, sub, data, format, args...)
}

// negotiated is what a HANDSHAKE exchange settled.
type negotiated struct {
	HoldTime   uint16        `json:"hold_time"` // wire units; 0: no HELLO, no hold timer
	Hold       time.Duration `json:"-"`
	Hello      time.Duration `json:"-"`
	PeerHold   uint16        `json:"peer_hold_time"`
	Families   []omp.Family  `json:"families"`
	GR         bool          `json:"graceful_restart"`
	GRInterval uint32        `json:"gr_interval,omitempty"`
	Refresh    bool          `json:"refresh"`
	Security   bool          `json:"security"`
	OverlayID  uint32        `json:"overlay_id,omitempty"`
	PeerRole   omp.Role      `json:"peer_role"`
	// PeerRoleAssumed: the peer sent no IDENTITY; PeerRole is inferred.
	PeerRoleAssumed bool `json:"peer_role_assumed,omitempty"`
	// Ignored lists capability codes the draft does not define, ignored.
	Ignored     []omp.CapCode `json:"ignored_capabilities,omitempty"`
	PeerSiteID  uint32        `json:"peer_site_id"`
	PeerDomain  uint32        `json:"peer_domain_id"`
	PeerRouter  netip.Addr    `json:"peer_router_id"`
	AuthChecked bool          `json:"authenticated"`
}

// handshake is the HANDSHAKE this speaker sends.
func (s *settings) handshake() *omp.Handshake {
	var caps []omp.Capability
	for _, f := range s.families {
		caps = append(caps, &omp.CapMP{AFI: f.AFI, SAFIVersion: omp.SAFIVersionDefault, SAFI: f.SAFI})
	}
	pt := s.Role.PeerType()
	if s.faults.has(fHSIdentityWrongPeerType) {
		pt = wrongPeerType(s.Role)
	}
	caps = append(caps, &omp.CapIdentity{PeerType: pt})
	if s.grInterval > 0 {
		caps = append(caps, &omp.CapGracefulRestart{GRInterval: s.grInterval})
	}
	if !s.NoRefresh {
		caps = append(caps, &omp.CapRefresh{})
	}
	if s.Security {
		caps = append(caps, &omp.CapSecurity{})
	}
	if s.OverlayID != 0 {
		caps = append(caps, &omp.CapOverlayID{OverlayID: s.OverlayID})
	}
	h := &omp.Handshake{
		Version:      omp.Version,
		SiteID:       s.SiteID,
		DomainID:     s.DomainID,
		HoldTime:     s.holdTime,
		PeerRouterID: s.RouterID,
		Options:      []omp.Option{&omp.CapabilitiesOption{Capabilities: caps}},
	}
	if len(s.AuthKey) > 0 {
		h.Options = append(h.Options, &omp.AuthenticationOption{KeyID: s.AuthKeyID})
	}
	return h
}

// encodeHandshake encodes the speaker's HANDSHAKE, signed when a key is
// configured.
func (s *settings) encodeHandshake() ([]byte, error) {
	b, err := omp.Encode(s.handshake())
	if err != nil {
		return nil, err
	}
	if len(s.AuthKey) > 0 {
		if err := Sign(b, s.AuthKey); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// authOptions returns the offset of the data of every Authentication
// option in an encoded HANDSHAKE.
func authOptions(raw []byte) []int {
	if len(raw) <= hsOptionsLenAt {
		return nil
	}
	end := min(hsOptionsAt+int(raw[hsOptionsLenAt]), len(raw))
	var out []int
	for at := hsOptionsAt; at+2 <= end; at += 2 + int(raw[at+1]) {
		if omp.OptionType(raw[at]) == omp.OptionAuthentication {
			out = append(out, at+2)
		}
	}
	return out
}

// MAC computes the Authentication option MAC of an encoded HANDSHAKE:
// HMAC-SHA256 under key over the whole message, header included, with
// the MAC field set to zero (the Key ID byte is covered).
func MAC(raw []byte, key []byte) ([omp.AuthMACLen]byte, error) {
	var out [omp.AuthMACLen]byte
	at := authOptions(raw)
	if len(at) != 1 {
		return out, fmt.Errorf("HANDSHAKE has %d Authentication options, want 1", len(at))
	}
	macAt := at[0] + 1
	if macAt+omp.AuthMACLen > len(raw) {
		return out, fmt.Errorf("Authentication option is truncated")
	}
	m := hmac.New(sha256.New, key)
	m.Write(raw[:macAt])
	m.Write(make([]byte, omp.AuthMACLen))
	m.Write(raw[macAt+omp.AuthMACLen:])
	copy(out[:], m.Sum(nil))
	return out, nil
}

// Sign fills in the MAC of the one Authentication option of an encoded
// HANDSHAKE.
func Sign(raw []byte, key []byte) error {
	mac, err := MAC(raw, key)
	if err != nil {
		return err
	}
	copy(raw[authOptions(raw)[0]+1:], mac[:])
	return nil
}

// capBytes is a capability as it appears on the wire: Code, Length, Data.
func capBytes(c omp.Capability) []byte {
	h := &omp.Handshake{Version: omp.Version, PeerRouterID: netip.AddrFrom4([4]byte{1, 1, 1, 1}),
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{c}}}}
	b, err := omp.Encode(h)
	if err != nil || len(b) < hsOptionsAt+2 {
		return []byte{byte(c.CapCode())}
	}
	return b[hsOptionsAt+2:]
}

func u16b(v uint16) []byte { return binary.BigEndian.AppendUint16(nil, v) }
func u32b(v uint32) []byte { return binary.BigEndian.AppendUint32(nil, v) }

// checkHandshake decides on a peer's decoded HANDSHAKE (raw is its bytes).
// The checks run in this order: AUTH, OMPID, HOLDTIME, UNSUP_CAP,
// PERSONALITY_MISMATCH, DOMAIN_MISMATCH (docs/fsm.md). The OMPID check
// against sessions already up is the speaker's, after this one.
func (s *settings) checkHandshake(h *omp.Handshake, raw []byte) (*negotiated, *alertError) {
	n := &negotiated{PeerHold: h.HoldTime, PeerSiteID: h.SiteID, PeerDomain: h.DomainID, PeerRouter: h.PeerRouterID}

	// AUTH.
	var auth *omp.AuthenticationOption
	nAuth := 0
	for _, o := range h.Options {
		if a, ok := o.(*omp.AuthenticationOption); ok {
			auth = a
			nAuth++
		}
	}
	switch {
	case nAuth > 1:
		return nil, refuseHS(omp.SubErrHandshakeAuth, nil, "%d Authentication options", nAuth)
	case len(s.AuthKey) > 0 && auth == nil:
		return nil, refuseHS(omp.SubErrHandshakeAuth, nil, "no Authentication option, and a key is configured")
	case len(s.AuthKey) == 0 && auth != nil:
		return nil, refuseHS(omp.SubErrHandshakeAuth, []byte{auth.KeyID}, "Authentication option, and no key is configured")
	case auth != nil && auth.KeyID != s.AuthKeyID:
		return nil, refuseHS(omp.SubErrHandshakeAuth, []byte{auth.KeyID}, "Key ID %d, want %d", auth.KeyID, s.AuthKeyID)
	case auth != nil:
		want, err := MAC(raw, s.AuthKey)
		if err != nil {
			return nil, refuseHS(omp.SubErrHandshakeAuth, []byte{auth.KeyID}, "%v", err)
		}
		if !hmac.Equal(want[:], auth.MAC[:]) && !s.faults.has(fHSAuthMACUnchecked) {
			return nil, refuseHS(omp.SubErrHandshakeAuth, []byte{auth.KeyID}, "MAC does not verify under key %d", auth.KeyID)
		}
		n.AuthChecked = true
	}

	// OMPID: the codec refused 0.0.0.0; a peer cannot be this speaker.
	if h.PeerRouterID == s.RouterID && !s.faults.has(fHSOwnRouterIDAccepted) {
		return nil, refuseHS(omp.SubErrHandshakeOMPID, h.PeerRouterID.AsSlice(), "Peer Router ID %s is this speaker's", h.PeerRouterID)
	}

	// HOLDTIME: the codec refused 1 and 2.
	if s.MinHoldTime > 0 && h.HoldTime < s.MinHoldTime {
		return nil, refuseHS(omp.SubErrHandshakeHoldtime, u16b(h.HoldTime), "Hold Time %d is below the minimum %d", h.HoldTime, s.MinHoldTime)
	}
	n.HoldTime = min(h.HoldTime, s.holdTime)
	switch {
	case s.faults.has(fHoldTimerOwnOffer), h.HoldTime == 0 && s.faults.has(fHoldTimeZeroAsUnset):
		n.HoldTime = s.holdTime
	case s.faults.has(fHoldTimerPeerOffer):
		n.HoldTime = h.HoldTime
	}
	n.Hold = s.units(uint32(n.HoldTime))
	n.Hello = n.Hold / 3

	// Capabilities.
	var identity *omp.CapIdentity
	var peerGR uint32
	seen := map[omp.CapCode]bool{}
	for _, c := range h.Capabilities() {
		code := c.CapCode()
		if code != omp.CapCodeMP && seen[code] {
			return nil, refuseHS(omp.SubErrHandshakeUnsupCap, capBytes(c), "%s capability appears twice", code)
		}
		seen[code] = true
		switch c := c.(type) {
		case *omp.CapMP:
			f := omp.Family{AFI: c.AFI, SAFI: c.SAFI}
			if c.SAFIVersion != omp.SAFIVersionDefault && c.SAFIVersion != omp.SAFIVersionTwo {
				return nil, refuseHS(omp.SubErrHandshakeUnsupCap, capBytes(c), "MP %s with SAFI version %d", f, c.SAFIVersion)
			}
			if !hasFamily(s.families, f) {
				return nil, refuseHS(omp.SubErrHandshakeUnsupCap, capBytes(c), "MP %s is not a family this speaker carries", f)
			}
			if !hasFamily(n.Families, f) {
				n.Families = append(n.Families, f)
			}
		case *omp.CapIdentity:
			identity = c
		case *omp.CapGracefulRestart:
			peerGR = c.GRInterval
		case *omp.CapRefresh:
			n.Refresh = !s.NoRefresh
		case *omp.CapSecurity:
			n.Security = s.Security
		case *omp.CapOverlayID:
			if s.OverlayID != 0 && c.OverlayID != s.OverlayID && !s.faults.has(fHSOverlayMismatchAccepted) {
				return nil, refuseHS(omp.SubErrHandshakeUnsupCap, capBytes(c), "Overlay ID %d, this speaker's is %d", c.OverlayID, s.OverlayID)
			}
			n.OverlayID = c.OverlayID
		default:
			// A capability code the draft does not define is ignored,
			// as RFC 5492 section 5 has a speaker do.
			n.Ignored = append(n.Ignored, code)
		}
	}
	if !seen[omp.CapCodeMP] {
		if s.faults.has(fHSMPRequired) {
			return nil, refuseHS(omp.SubErrHandshakeUnsupCap, nil, "no MP capability")
		}
		n.Families = append([]omp.Family(nil), s.families...)
	}
	if peerGR == 0 && s.faults.has(fGRWithoutPeerCap) {
		peerGR = s.grInterval
	}
	if peerGR > 0 && s.grInterval > 0 {
		n.GR = true
		n.GRInterval = min(peerGR, s.grInterval)
	}

	// PERSONALITY_MISMATCH: every session has a controller on one side.
	// Options MAY be included (3.1.2): without IDENTITY the peer is taken
	// to be what a session with this speaker needs, a controller for an
	// edge or hub, an edge for a controller.
	if identity == nil {
		identity = &omp.CapIdentity{PeerType: s.Role.Counterpart().PeerType()}
		n.PeerRoleAssumed = true
	}
	n.PeerRole = omp.RoleOf(identity.PeerType)
	if n.PeerRole == 0 {
		return nil, refuseHS(omp.SubErrHandshakePersonalityMismatch, u32b(uint32(identity.PeerType)), "IDENTITY Peer Type %d is not defined", identity.PeerType)
	}
	if s.Role != omp.RoleController && n.PeerRole != omp.RoleController && !s.faults.has(fHSPersonalityUnchecked) {
		return nil, refuseHS(omp.SubErrHandshakePersonalityMismatch, u32b(uint32(identity.PeerType)), "%s cannot peer with %s: one side must be a controller", s.Role, n.PeerRole)
	}

	// DOMAIN_MISMATCH.
	if h.DomainID != s.DomainID && !s.faults.has(fHSDomainMismatchAccepted) {
		return nil, refuseHS(omp.SubErrHandshakeDomainMismatch, u32b(h.DomainID), "Domain ID %d, this speaker's is %d", h.DomainID, s.DomainID)
	}
	return n, nil
}
