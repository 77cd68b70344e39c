package reference

import (
	"bufio"
	"encoding/binary"
	"errors"
	"io"
	"net/netip"
	"strings"

	"github.com/ompconform/ompconform/omp"
)

// The faults of the codec's checks (faults.go). The codec is correct and
// stays so: a speaker with one of these faults takes the codec's refusal
// of a message, recognises the check the fault skips (by its ALERT code,
// subcode and field), and carries on as the faulty check would have: it
// mends the message and decodes it again, or drops it silently.

// framingFaults need the speaker's own framing of the byte stream.
var framingFaults = faultsOf(fHeaderMarkerUnchecked, fHeaderLength4097Accepted, fFramingOneReadPerMessage)

// decodeFaults are the faults redecode knows.
var decodeFaults = faultsOf(fHeaderLength4097Accepted, fHeaderUnknownTypeIgnored,
	fHSVersionUnchecked, fHSHoldTimeOneTwoAccepted, fHSRouterIDZeroAccepted,
	fHSUnknownOptionIgnored, fHSBadCapLengthIgnored,
	fUpdateFlagsUnchecked, fUpdateDuplicateAttrAccepted, fUpdateMissingTLOCAccepted,
	fUpdateUnknownAttrAccepted, fUpdateBadPrefixLenAccepted, fUpdateBadAttrLenIgnored,
	fUpdateBadNexthopIgnored, fQueryTrailingBytesIgnored, fQueryAttrLengthUnchecked)

// framer is omp.Reader.ReadRaw as a speaker with the framing faults
// frames messages: on conn itself (framing-one-read-per-message), or on
// br, conn's buffered reader (looseFramer).
func (s faultSet) framer(br *bufio.Reader, conn io.Reader) func() ([]byte, error) {
	if s.has(fFramingOneReadPerMessage) {
		return oneReadFramer(conn)
	}
	return s.looseFramer(br)
}

// looseFramer is omp.Reader.ReadRaw on br as a speaker with the header
// faults frames messages: Marker not checked (header-marker-unchecked;
// the message is handed on with its Marker set), Length up to 4097
// (header-length-4097-accepted).
func (s faultSet) looseFramer(br *bufio.Reader) func() ([]byte, error) {
	f := &looseFrame{br: br, max: omp.MaxMessageLen, anyMarker: s.has(fHeaderMarkerUnchecked)}
	if s.has(fHeaderLength4097Accepted) {
		f.max++
	}
	return f.read
}

type looseFrame struct {
	br        *bufio.Reader
	max       int  // largest Length framed
	anyMarker bool // the Marker is not checked
	last      int  // bytes to discard before the next read
	buf       []byte
}

func (f *looseFrame) read() ([]byte, error) {
	if f.last > 0 {
		if _, err := f.br.Discard(f.last); err != nil {
			return nil, err
		}
		f.last = 0
	}
	h, err := f.br.Peek(omp.HeaderLen)
	if err != nil {
		if errors.Is(err, io.EOF) {
			if len(h) == 0 {
				return nil, io.EOF
			}
			return h, omp.ErrTruncated
		}
		return h, err
	}
	n, err := omp.FrameLength(h)
	if err != nil {
		err = f.relaxed(h, n)
	}
	if err != nil {
		f.last = omp.HeaderLen
		return h, err
	}
	b, err := f.br.Peek(n)
	if err != nil {
		if errors.Is(err, io.EOF) {
			return b, omp.ErrTruncated
		}
		return b, err
	}
	f.last = n
	if !f.anyMarker {
		return b, nil
	}
	f.buf = append(f.buf[:0], b...)
	setMarker(f.buf)
	return f.buf, nil
}

// relaxed is the framing rule (omp.FrameLength) for h, a header of
// Length n that does not frame a message, with the speaker's faults: the
// header as they read it (any Marker taken for all ones, a Length of 4097
// for 4096) frames one, or the codec names the error, as omp.Reader has
// it do.
func (f *looseFrame) relaxed(h []byte, n int) error {
	hdr := append([]byte(nil), h[:omp.HeaderLen]...)
	if f.anyMarker {
		setMarker(hdr)
	}
	if n > omp.MaxMessageLen && n <= f.max {
		binary.BigEndian.PutUint16(hdr[omp.MarkerLen:], omp.MaxMessageLen)
	}
	_, err := omp.FrameLength(hdr)
	return err
}

func allOnes(b []byte) bool {
	for _, c := range b {
		if c != 0xFF {
			return false
		}
	}
	return true
}

func setMarker(b []byte) {
	for i := range omp.MarkerLen {
		b[i] = 0xFF
	}
}

// maxRepairs bounds the checks one message may get past.
const maxRepairs = 16

// redecode is what a speaker with faults s makes of raw, which the codec
// refused with err: the message decoded as the faulty checks let it
// through; nil and nil to drop it silently; or nil and the (last) error
// when no fault covers it.
func (s faultSet) redecode(raw []byte, err error) (omp.Message, error) {
	b := append([]byte(nil), raw...)
	var hs hsRestore
	for range maxRepairs {
		e, ok := omp.AsError(err)
		if !ok {
			return nil, err
		}
		var act repairAction
		b, act = s.repair(b, e, &hs)
		switch act {
		case giveUp:
			return nil, err
		case drop:
			return nil, nil
		case asQuery:
			return decodeAsQuery(b)
		}
		var m omp.Message
		if m, err = omp.Decode(b); err == nil {
			hs.apply(m)
			return m, nil
		}
	}
	return nil, err
}

type repairAction uint8

const (
	giveUp  repairAction = iota // no fault covers the error
	drop                        // drop the message silently
	retry                       // mended: decode again
	asQuery                     // decode without the UPDATE-only check
)

// hsRestore puts back, after decoding, HANDSHAKE fields mended only so
// that the codec would take them.
type hsRestore struct {
	hold     bool
	holdTime uint16
	zeroRID  bool
}

func (r *hsRestore) apply(m omp.Message) {
	h, ok := m.(*omp.Handshake)
	if !ok {
		return
	}
	if r.hold {
		h.HoldTime = r.holdTime
	}
	if r.zeroRID {
		h.PeerRouterID = netip.AddrFrom4([4]byte{})
	}
}

// repair mends b past the check that failed with e, when a fault in s
// skips that check.
func (s faultSet) repair(b []byte, e *omp.Error, hs *hsRestore) ([]byte, repairAction) {
	at, field := e.Offset, e.Field
	ok := func(f fault) bool { return s.has(f) && at >= 0 && at < len(b) }
	switch e.Code {
	case omp.ErrHeader:
		switch {
		case e.Subcode == omp.SubErrHeaderType && field == "header.type" && s.has(fHeaderUnknownTypeIgnored):
			return b, drop
		case e.Subcode == omp.SubErrHeaderLength && field == "header.length" && len(b) == omp.MaxMessageLen+1 && s.has(fHeaderLength4097Accepted):
			return b, drop
		}
	case omp.ErrHandshake:
		switch {
		case e.Subcode == omp.SubErrHandshakeVersion && field == "handshake.version" && ok(fHSVersionUnchecked):
			b[at] = omp.Version
			return b, retry
		case e.Subcode == omp.SubErrHandshakeHoldtime && field == "handshake.holdtime" && ok(fHSHoldTimeOneTwoAccepted) && at+2 <= len(b):
			hs.hold, hs.holdTime = true, binary.BigEndian.Uint16(b[at:])
			binary.BigEndian.PutUint16(b[at:], 3)
			return b, retry
		case e.Subcode == omp.SubErrHandshakeOMPID && field == "handshake.peer_router_id" && ok(fHSRouterIDZeroAccepted) && at+4 <= len(b):
			hs.zeroRID = true
			b[at+3] = 1
			return b, retry
		case e.Subcode == omp.SubErrHandshakeUnsupOpt && strings.HasSuffix(field, ".type") && ok(fHSUnknownOptionIgnored):
			return cutHandshake(b, at, -1)
		case e.Subcode == omp.SubErrHandshakeUnsupCap && strings.HasSuffix(field, ".length") && strings.Contains(field, ".capability[") && ok(fHSBadCapLengthIgnored):
			return cutHandshake(b, at-1, optionAt(b, at))
		}
	case omp.ErrUpdate:
		switch e.Subcode {
		case omp.SubErrUpdateFlags:
			if strings.HasSuffix(field, ".flags") && ok(fUpdateFlagsUnchecked) {
				f := omp.AttrFlags(b[at]) & (omp.AttrOptional | omp.AttrPartial | omp.AttrExtended)
				if f&omp.AttrOptional == 0 {
					f &^= omp.AttrPartial
				}
				b[at] = byte(f)
				return b, retry
			}
		case omp.SubErrUpdateAttrList:
			if strings.HasSuffix(field, ".type") && ok(fUpdateDuplicateAttrAccepted) {
				return cutAttribute(b, at-1)
			}
			if field == "query" && s.has(fQueryTrailingBytesIgnored) && len(b) >= attrsAt {
				b = b[:min(len(b), attrsAt+int(binary.BigEndian.Uint16(b[attrsLenAt:])))]
				omp.PutLength(b)
				return b, retry
			}
		case omp.SubErrUpdateMissing:
			if t, _ := omp.TypeOf(b); s.has(fUpdateMissingTLOCAccepted) && len(b) > omp.HeaderLen && t == omp.TypeUpdate {
				return b, asQuery
			}
		case omp.SubErrUpdateUnknown:
			if strings.HasSuffix(field, ".type") && ok(fUpdateUnknownAttrAccepted) && at >= 1 {
				b[at-1] |= byte(omp.AttrOptional)
				return b, retry
			}
		case omp.SubErrUpdateBadNet:
			if strings.HasSuffix(field, "prefix_length") && ok(fUpdateBadPrefixLenAccepted) {
				if bits, found := reachBits(b, at); found && b[at] > bits {
					b[at] = bits
					return b, retry
				}
			}
		case omp.SubErrUpdateLength:
			if strings.HasPrefix(field, "query.attr[") && strings.HasSuffix(field, "].length") && ok(fQueryAttrLengthUnchecked) {
				return cutAttribute(b, at-2) // flags and type before the Length
			}
			if s.has(fUpdateBadAttrLenIgnored) {
				return b, drop
			}
		case omp.SubErrUpdateNexthop:
			if s.has(fUpdateBadNexthopIgnored) {
				return b, drop
			}
		}
	}
	return b, giveUp
}

// Offsets in an encoded UPDATE or QUERY, header included.
const (
	attrsLenAt = omp.HeaderLen     // Attributes Length
	attrsAt    = omp.HeaderLen + 2 // first attribute
)

// optionAt is the offset of the HANDSHAKE option whose data holds offset
// at, -1 if none.
func optionAt(b []byte, at int) int {
	if len(b) <= hsOptionsLenAt {
		return -1
	}
	end := min(hsOptionsAt+int(b[hsOptionsLenAt]), len(b))
	for o := hsOptionsAt; o+2 <= end; o += 2 + int(b[o+1]) {
		if at >= o+2 && at < o+2+int(b[o+1]) {
			return o
		}
	}
	return -1
}

// cutHandshake removes the option or capability (Type or Code, Length,
// Data) at offset at of an encoded HANDSHAKE; opt is the option that
// holds it (a capability), -1 for an option.
func cutHandshake(b []byte, at, opt int) ([]byte, repairAction) {
	if at < hsOptionsAt || at+2 > len(b) || opt >= 0 && opt+2 > len(b) {
		return b, giveUp
	}
	n := 2 + int(b[at+1])
	end := hsOptionsAt + int(b[hsOptionsLenAt])
	if opt >= 0 {
		end = opt + 2 + int(b[opt+1])
	}
	if at+n > end || end > len(b) {
		return b, giveUp
	}
	if opt >= 0 {
		b[opt+1] -= byte(n)
	}
	b[hsOptionsLenAt] -= byte(n)
	b = append(b[:at], b[at+n:]...)
	omp.PutLength(b)
	return b, retry
}

// cutAttribute removes the attribute at offset at of an encoded UPDATE or
// QUERY.
func cutAttribute(b []byte, at int) ([]byte, repairAction) {
	h, ok := omp.AttrSpan(b, at)
	if !ok || h.End > len(b) || at < attrsAt {
		return b, giveUp
	}
	b = append(b[:at], b[h.End:]...)
	omp.PutLength(b)
	binary.BigEndian.PutUint16(b[attrsLenAt:], uint16(len(b)-attrsAt))
	return b, retry
}

// reachBits is the address size in bits of the REACHABLES or
// UNREACHABLES attribute of an encoded UPDATE or QUERY whose data holds
// offset at.
func reachBits(b []byte, at int) (byte, bool) {
	if len(b) < attrsAt {
		return 0, false
	}
	end := min(attrsAt+int(binary.BigEndian.Uint16(b[attrsLenAt:])), len(b))
	for a := attrsAt; a < end; {
		h, ok := omp.AttrSpan(b, a)
		if !ok || h.End > len(b) {
			return 0, false
		}
		if at >= h.Data && at < h.End {
			if (h.Type != omp.AttrTypeReachables && h.Type != omp.AttrTypeUnreachables) || h.End-h.Data < 2 {
				return 0, false
			}
			if omp.AFI(binary.BigEndian.Uint16(b[h.Data:])) == omp.AFIIPv4 {
				return 32, true
			}
			return 128, true
		}
		a = h.End
	}
	return 0, false
}

// decodeAsQuery decodes an UPDATE's attributes as a QUERY's, which the
// codec takes without the UPDATE's MISSING check
// (update-missing-tloc-accepted).
func decodeAsQuery(b []byte) (omp.Message, error) {
	q := append([]byte(nil), b...)
	q[omp.HeaderLen-1] = byte(omp.TypeQuery)
	m, err := omp.Decode(q)
	if err != nil {
		return nil, err
	}
	return &omp.Update{Attributes: m.(*omp.Query).Attributes}, nil
}
