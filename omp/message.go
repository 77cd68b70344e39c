package omp

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"sync"
)

// Message is one OMP message: its body, without the header, which the
// codec computes on encode and checks on decode.
type Message interface {
	// Type is the header Type of the message.
	Type() MsgType
	// walk is the layout of the body.
	walk(w *walker)
}

var msgFieldNames = [...]string{"body", "handshake", "update", "alert", "hello", "query", "policy", "inform"}

// fieldName is the root name of a message's fields in the field map.
func fieldName(t MsgType) string {
	if t >= TypeHandshake && t <= TypeInform {
		return msgFieldNames[t]
	}
	return "body"
}

// trailing is the ALERT for bytes left over after a message's body.
func trailing(t MsgType) AlertID {
	if t == TypeUpdate || t == TypeQuery {
		return errUpAttrList
	}
	return errHeaderLength
}

var marker = bytes.Repeat([]byte{0xFF}, MarkerLen)

// Decode decodes exactly one message, header included. A malformed
// message gives an *Error that carries the ALERT to answer with.
func Decode(b []byte) (Message, error) {
	m, _, err := decode(b, false)
	return m, err
}

// DecodeFields decodes one message and returns its field map. On a
// decode error the map covers the fields read before the error, so a
// report can still annotate the bytes.
func DecodeFields(b []byte) (Message, FieldMap, error) {
	return decode(b, true)
}

func decode(b []byte, rec bool) (Message, FieldMap, error) {
	w := newDecoder(b, rec)
	defer w.release()
	t, ok := w.header(len(b))
	if !ok {
		return nil, w.fields, w.err
	}
	m := newMessage(t)
	w.trunc = errHeaderLength
	w.group(fieldName(t), -1, func() { m.walk(w) })
	if w.ok() && w.off != len(b) {
		w.push(fieldName(t), -1)
		w.failAt(trailing(t), "", w.off, len(b)-w.off, "%d bytes follow the end of the %s body", len(b)-w.off, t)
		w.pop()
	}
	if w.err != nil {
		return nil, w.fields, w.err
	}
	return m, w.fields, nil
}

// FrameLength is the framing rule of section 3.1.1, the one the decoder,
// the Reader and the mutators apply: the header at the start of h frames
// a message if its Marker is all ones and its Length is 19..4096 (the
// header included; no length rule depends on a flag). It returns that
// Length, which may run past h, with the error too. A header that cannot frame a message
// gives an *Error, ErrHeader with SubErrHeaderUnsync (the Marker) or
// SubErrHeaderLength (the Length), naming the field: the ALERT to send,
// after which the stream cannot be resynchronised. Fewer than HeaderLen
// bytes give ErrTruncated.
func FrameLength(h []byte) (int, error) {
	if len(h) < HeaderLen {
		return 0, ErrTruncated
	}
	n, fault := frameCheck(h)
	if fault == frameOK {
		return n, nil
	}
	w := newDecoder(h[:HeaderLen], false)
	defer w.release()
	w.header(-1) // names the fault
	return n, w.err
}

// Offsets of the header fields (section 3.1.1): Marker, Length, Type.
const (
	lengthAt = MarkerLen     // the 2-byte Length
	typeAt   = MarkerLen + 2 // the 1-byte Type
)

// HeaderLength is the Length field of the header at the start of h, read
// as it is, whatever the Marker and the rest hold (FrameLength applies
// the framing rule to it); false if h ends before the Length does.
func HeaderLength(h []byte) (int, bool) {
	if len(h) < lengthAt+2 {
		return 0, false
	}
	return int(binary.BigEndian.Uint16(h[lengthAt:])), true
}

// PutLength writes len(msg) into the header Length of msg, a message
// whose header is whole: what the encoder writes, for bytes built, cut or
// grown by hand.
func PutLength(msg []byte) { binary.BigEndian.PutUint16(msg[lengthAt:], uint16(len(msg))) }

// TypeOf is the header Type of raw, a message header included, read as
// it is, whether or not the message decodes; false if raw is shorter
// than a header.
func TypeOf(raw []byte) (MsgType, bool) {
	if len(raw) < HeaderLen {
		return 0, false
	}
	return MsgType(raw[typeAt]), true
}

// frameFault is what keeps a header from framing a message.
type frameFault uint8

const (
	frameOK     frameFault = iota
	frameMarker            // the Marker is not all ones
	frameShort             // the Length is under the header's 19 bytes
	frameLong              // the Length is over 4096
)

// frameCheck applies the framing rule to the header at the start of h,
// which holds HeaderLen bytes or more, and returns the header's Length.
func frameCheck(h []byte) (int, frameFault) {
	n := int(binary.BigEndian.Uint16(h[lengthAt:]))
	switch {
	case [MarkerLen]byte(h) != allOnes:
		return n, frameMarker
	case n < HeaderLen:
		return n, frameShort
	case n > MaxMessageLen:
		return n, frameLong
	}
	return n, frameOK
}

var allOnes = [MarkerLen]byte(marker)

// header reads and checks the 19-byte header of a message of n bytes.
// With n < 0 (framing a stream: the body is not read yet) it checks only
// what frames a message (frameCheck) and leaves the Type to the decoder.
func (w *walker) header(n int) (MsgType, bool) {
	at := w.enter("header", -1)
	defer w.leave(at)
	frame := n < 0
	if frame {
		n = len(w.buf)
	}
	if n < HeaderLen {
		w.failAt(errHeaderLength, "", 0, n, "message of %d bytes is shorter than the %d-byte header", n, HeaderLen)
		return 0, false
	}
	_, fault := frameCheck(w.buf)
	mk := w.take("marker", MarkerLen)
	if w.rec && mk != nil {
		w.record("marker", 0, MarkerLen, FieldLeaf, "", hex.EncodeToString(mk))
	}
	if fault == frameMarker {
		w.failAt(errHeaderUnsync, "marker", 0, MarkerLen, "Marker is not all ones")
		return 0, false
	}
	var length uint16
	lenAt := len(w.fields)
	w.u16("length", &length)
	if w.rec {
		w.fields[lenAt].Kind, w.fields[lenAt].Counts = FieldLength, "message"
	}
	switch {
	case fault == frameShort:
		w.failAt(errHeaderLength, "length", 16, 2, "Length %d is less than the %d-byte header", length, HeaderLen)
	case fault == frameLong:
		w.failAt(errHeaderLength, "length", 16, 2, "Length %d exceeds the %d-byte maximum", length, MaxMessageLen)
	case int(length) != n && !frame:
		w.failAt(errHeaderLength, "length", 16, 2, "Length %d but the message has %d bytes", length, n)
	}
	if frame {
		return 0, w.ok()
	}
	var t uint8
	w.u8("type", &t)
	note(w, MsgType(t))
	if !w.ok() {
		return 0, false
	}
	mt := MsgType(t)
	if mt == TypeInvalid || mt > TypeInform {
		w.failAt(errHeaderType, "type", 18, 1, "Type %d is not a message type", t)
		return 0, false
	}
	if body := n - HeaderLen; body < minBody[mt] {
		w.failAt(errHeaderLength, "length", 16, 2, "Length %d is too short for %s, which needs at least %d", length, mt, HeaderLen+minBody[mt])
		return 0, false
	}
	return mt, true
}

func newMessage(t MsgType) Message {
	switch t {
	case TypeHandshake:
		return &Handshake{}
	case TypeUpdate:
		return &Update{}
	case TypeAlert:
		return &Alert{}
	case TypeHello:
		return &Hello{}
	case TypeQuery:
		return &Query{}
	case TypePolicy:
		return &Policy{}
	case TypeInform:
		return &Inform{}
	}
	return nil
}

// EncodeOptions change how a message is encoded.
type EncodeOptions struct {
	// Lengths pins length and count fields, by field map name, to the
	// given values instead of the computed ones, so a deliberately wrong
	// length stays as given: {"update.attr[1].length": 3}. "header.length"
	// pins the header Length.
	Lengths map[string]int
	// Fields asks for the field map of the encoded message.
	Fields bool
	// Oversize allows messages longer than 4096 bytes (up to 65535).
	Oversize bool
}

// Encode encodes m with its header, in one allocation of its size.
func Encode(m Message) ([]byte, error) {
	sp := scratchPool.Get().(*[]byte)
	defer scratchPool.Put(sp)
	b, err := Append((*sp)[:0], m)
	if cap(b) <= MaxMessageLen {
		*sp = b[:0] // keep the buffer for the next call
	}
	if err != nil {
		return nil, err
	}
	return append([]byte(nil), b...), nil
}

// scratchPool holds the buffers Encode encodes into before it copies the
// message out at its size: one allocation, and no more memory than the
// message holds on to.
var scratchPool = sync.Pool{New: func() any { b := make([]byte, 0, MaxMessageLen); return &b }}

// Append appends m, header included, to dst.
func Append(dst []byte, m Message) ([]byte, error) {
	b, _, err := AppendWith(dst, m, nil)
	return b, err
}

// EncodeFields encodes m and returns its field map.
func EncodeFields(m Message) ([]byte, FieldMap, error) {
	return AppendWith(nil, m, &EncodeOptions{Fields: true})
}

// AppendWith appends m to dst under opts (nil for none) and returns the
// field map if opts asks for it.
func AppendWith(dst []byte, m Message, opts *EncodeOptions) ([]byte, FieldMap, error) {
	var w *walker
	if opts != nil {
		w = newEncoder(dst, opts.Fields, opts.Lengths)
	} else {
		w = newEncoder(dst, false, nil)
	}
	defer w.release()
	t := m.Type()
	if w.rec {
		w.record("header", 0, HeaderLen, FieldGroup, "", "")
		w.record("header.marker", 0, MarkerLen, FieldLeaf, "", "ffffffffffffffffffffffffffffffff")
		w.record("header.length", MarkerLen, 2, FieldLength, "message", "")
		w.record("header.type", MarkerLen+2, 1, FieldLeaf, "", t.String())
	}
	w.buf = append(w.buf, marker...)
	w.buf = append(w.buf, 0, 0, byte(t))
	w.group(fieldName(t), -1, func() { m.walk(w) })
	if w.eerr != nil {
		return dst, nil, w.eerr
	}
	n := len(w.buf) - w.base
	if n > MaxMessageLen && (opts == nil || !opts.Oversize) {
		w.encFail("%s of %d bytes exceeds the %d-byte maximum", t, n, MaxMessageLen)
		return dst, nil, w.eerr
	}
	if n > 0xFFFF {
		w.encFail("%s of %d bytes does not fit the 2-byte Length", t, n)
		return dst, nil, w.eerr
	}
	v := n
	if p, ok := w.pins["header.length"]; ok {
		v = p
	}
	binary.BigEndian.PutUint16(w.buf[w.base+MarkerLen:], uint16(v))
	if w.rec {
		w.fields[2].Value = itoa(v)
	}
	return w.buf, w.fields, nil
}

// RawMessage is a message of any Type with a body given as bytes. The
// decoder never returns one; it exists to send what the draft does not
// define (Type 0, Type 8 and up, bodies of any shape).
type RawMessage struct {
	MsgType MsgType
	Body    []byte
}

func (m *RawMessage) Type() MsgType { return m.MsgType }

func (m *RawMessage) walk(w *walker) { w.bytes("data", &m.Body, -1) }
