package fake

import (
	"bytes"
	"errors"
	"net"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/transcript"
)

// A DUT that never answers: the step times out on time, no hang.
func TestSilentDUT(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, drain)
	p := dial(t, Config{}, addr)
	if err := p.Send(p.Handshake()); err != nil {
		t.Fatal(err)
	}
	var err error
	quick(t, time.Second, func() { _, err = p.ExpectAlert(150 * time.Millisecond) })
	var et *ErrTimeout
	if !errors.As(err, &et) {
		t.Fatalf("want *ErrTimeout, got %T %v", err, err)
	}
	if et.Partial != 0 || len(et.Seen) != 0 || et.Name != "ExpectAlert" {
		t.Errorf("timeout: %+v", et)
	}
	if !strings.Contains(err.Error(), "expected ALERT within 150ms; received nothing") {
		t.Errorf("message: %v", err)
	}
	// Open against silence fails the same way.
	quick(t, time.Second, func() { _, err = p.Open(100 * time.Millisecond) })
	if !errors.As(err, &et) || et.Expected != "HANDSHAKE" {
		t.Errorf("Open: %v", err)
	}
	// ExpectSilence passes.
	if err := p.ExpectSilence(50 * time.Millisecond); err != nil {
		t.Errorf("silence: %v", err)
	}
	// ExpectClose times out: the DUT keeps the connection.
	if _, err := p.ExpectClose(50 * time.Millisecond); !errors.As(err, &et) {
		t.Errorf("ExpectClose: %v", err)
	}
}

// A DUT that answers garbage: an unframeable chunk is delivered once, the
// stream is given up, and the close is still seen.
func TestGarbageDUT(t *testing.T) {
	garbage := bytes.Repeat([]byte{0xDE, 0xAD}, 30)
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		omp.NewReader(c).ReadMessage()
		c.Write(garbage)
		time.Sleep(30 * time.Millisecond)
	})
	p := dial(t, Config{}, addr)
	p.Send(p.Handshake())
	var err error
	quick(t, time.Second, func() { _, err = p.ExpectAlert(2 * time.Second) })
	var ec *ErrClosed
	if !errors.As(err, &ec) {
		t.Fatalf("want *ErrClosed, got %T %v", err, err)
	}
	if len(ec.Seen) != 1 || !ec.Seen[0].Unframeable || ec.AlertSeen {
		t.Fatalf("seen: %v", ec.Seen)
	}
	oe, ok := omp.AsError(ec.Seen[0].Err)
	if !ok || oe.Subcode != omp.SubErrHeaderUnsync {
		t.Errorf("garbage error: %v", ec.Seen[0].Err)
	}
	if ec.Kind != CloseEOF {
		t.Errorf("close kind %s", ec.Kind)
	}
	if !strings.Contains(err.Error(), "received unframeable data (19 bytes: OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_UNSYNC") ||
		!strings.Contains(err.Error(), "then connection closed by DUT at +") {
		t.Errorf("message: %v", err)
	}
	// The garbage after the first header is in the transcript, not queued.
	n := 0
	for _, e := range p.Transcript().Entries() {
		if e.Dir == transcript.Received {
			n += len(e.Raw)
		}
	}
	if n != len(garbage) {
		t.Errorf("transcript holds %d received bytes, want %d", n, len(garbage))
	}
}

// A framed message that does not decode arrives with its *omp.Error.
func TestUndecodableMessage(t *testing.T) {
	bad, err := mutators.Message(&omp.Hello{}, mutators.On("header.type", mutators.Set(9)))
	if err != nil {
		t.Fatal(err)
	}
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		c.Write(bad)
		drain(c)
	})
	p := dial(t, Config{}, addr)
	r, err := p.Next(time.Second)
	if err != nil {
		t.Fatal(err)
	}
	oe, ok := omp.AsError(r.Err)
	if r.Message != nil || !ok || oe.Subcode != omp.SubErrHeaderType || r.Unframeable {
		t.Errorf("received %v", r)
	}
	if !strings.HasPrefix(r.String(), "undecodable TYPE_9 (19 bytes: OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_TYPE at header.type") {
		t.Errorf("String: %s", r)
	}
}

// A DUT that sends the wrong subcode: ExpectAlertCode fails at once with
// *ErrWrongAlert carrying what it sent.
func TestWrongSubcode(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		r := omp.NewReader(c)
		r.ReadMessage()
		mustWrite(c, &omp.Alert{Code: omp.ErrUpdate, Subcode: omp.SubErrUpdateFlags, Data: []byte{1}})
		drain(c)
	})
	p := dial(t, Config{}, addr)
	if err := p.SendMutated(mutators.BaseUpdate(), mutators.On("update.attr[1].value", mutators.Extend([]byte{0}))); err != nil {
		t.Fatal(err)
	}
	var err error
	quick(t, time.Second, func() {
		_, err = p.ExpectAlertCode(omp.ErrUpdate, omp.SubErrUpdateLength, 2*time.Second)
	})
	var ew *ErrWrongAlert
	if !errors.As(err, &ew) {
		t.Fatalf("want *ErrWrongAlert, got %T %v", err, err)
	}
	if ew.Alert.Subcode != omp.SubErrUpdateFlags || ew.Want.Subcode != omp.SubErrUpdateLength {
		t.Errorf("%+v", ew)
	}
	re := regexp.MustCompile(`expected ALERT OMP_ERR_UPDATE/OMP_SUB_ERR_UPDATE_LENGTH within 2s; received ALERT OMP_ERR_UPDATE/OMP_SUB_ERR_UPDATE_FLAGS \(22 bytes\) at \+[0-9.]+[µm]?s instead`)
	if !re.MatchString(err.Error()) {
		t.Errorf("message: %v", err)
	}
	if a, ok := AlertOf(err); !ok || a.Code != omp.ErrUpdate {
		t.Error("AlertOf")
	}
	// The transcript notes the mutation and what the DUT should have said.
	var sent *transcript.Entry
	for _, e := range p.Transcript().Entries() {
		if e.Dir == transcript.Sent {
			sent = &e
		}
	}
	oe, ok := omp.AsError(sent.Err)
	if sent == nil || !strings.Contains(sent.Note, "extend update.attr[1].value by 1 byte") || !ok || oe.Subcode != omp.SubErrUpdateLength {
		t.Errorf("sent entry: %+v", sent)
	}
}

// The brief's example: an UPDATE, then a close, while an ALERT was expected.
func TestClosedAfterMessage(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		mustWrite(c, mutators.BaseUpdate())
		time.Sleep(10 * time.Millisecond)
		mustWrite(c, &omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperShut})
	})
	p := dial(t, Config{}, addr)
	_, err := p.ExpectType(omp.TypeInform, 2*time.Second)
	var ec *ErrClosed
	if !errors.As(err, &ec) {
		t.Fatalf("want *ErrClosed, got %v", err)
	}
	if !ec.AlertSeen || ec.Alert.Subcode != omp.SubErrOperShut || len(ec.Seen) != 2 || ec.Kind != CloseEOF {
		t.Errorf("%+v", ec)
	}
	re := regexp.MustCompile(`^127\.0\.0\.1: expected INFORM within 2s; received UPDATE \(105 bytes\) at \+\S+, ALERT OMP_ERR_OPER/OMP_SUB_ERR_OPER_SHUT \(21 bytes\) at \+\S+, then connection closed by DUT at \+\S+$`)
	if !re.MatchString(err.Error()) {
		t.Errorf("message: %v", err)
	}
	if st, ok := StepOf(err); !ok || st.Name != "ExpectType" {
		t.Error("StepOf")
	}
}

// ExpectClose: ALERT, then close.
func TestExpectClose(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		mustWrite(c, &omp.Alert{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength})
	})
	p := dial(t, Config{}, addr)
	res, err := p.ExpectClose(2 * time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != CloseEOF || res.Alert == nil || res.Alert.Subcode != omp.SubErrHeaderLength || len(res.Skipped) != 1 {
		t.Errorf("%+v", res)
	}
	if ci, ok := p.Closed(); !ok || ci.Kind != CloseEOF {
		t.Error("Closed")
	}
}

// A DUT that resets the connection in the middle of a message.
func TestResetMidMessage(t *testing.T) {
	upd, _ := omp.Encode(mutators.BaseUpdate())
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		c.Write(upd[:30])
		time.Sleep(50 * time.Millisecond)
		c.(*net.TCPConn).SetLinger(0)
		c.Close()
	})
	p := dial(t, Config{}, addr)
	var err error
	quick(t, time.Second, func() { _, err = p.ExpectAlert(3 * time.Second) })
	var ec *ErrClosed
	if !errors.As(err, &ec) {
		t.Fatalf("want *ErrClosed, got %v", err)
	}
	if ec.Kind != CloseReset || ec.Partial != 30 {
		t.Errorf("kind %s partial %d: %v", ec.Kind, ec.Partial, err)
	}
}

// A DUT that closes (FIN) in the middle of a message, and one that stalls
// there.
func TestHalfWrittenMessage(t *testing.T) {
	upd, _ := omp.Encode(mutators.BaseUpdate())
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) { c.Write(upd[:30]) })
	p := dial(t, Config{}, addr)
	_, err := p.ExpectAlert(2 * time.Second)
	var ec *ErrClosed
	if !errors.As(err, &ec) || ec.Kind != CloseMidMessage || ec.Partial != 30 || ec.Want != len(upd) {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "connection closed by DUT inside a message (30 of 105 bytes)") {
		t.Errorf("message: %v", err)
	}

	addr = startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) { c.Write(upd[:30]); drain(c) })
	p = dial(t, Config{}, addr)
	time.Sleep(20 * time.Millisecond)
	_, err = p.ExpectAlert(100 * time.Millisecond)
	var et *ErrTimeout
	if !errors.As(err, &et) || et.Partial != 30 {
		t.Fatalf("got %v", err)
	}
	if !strings.Contains(err.Error(), "30 bytes of an unfinished message pending") {
		t.Errorf("message: %v", err)
	}
}

// flood writes UPDATEs until the connection breaks.
func flood(c net.Conn) {
	b, _ := omp.Encode(mutators.BaseUpdate())
	batch := bytes.Repeat(b, 50)
	for {
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		if _, err := c.Write(batch); err != nil {
			return
		}
	}
}

// A flooding DUT while no step reads: the queue overflows and the
// connection is dropped; the next step says so at once.
func TestFloodUnread(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, flood)
	p := dial(t, Config{Buffer: 32}, addr)
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, ok := p.Closed(); ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	var err error
	quick(t, 500*time.Millisecond, func() { _, err = p.ExpectAlert(5 * time.Second) })
	var ec *ErrClosed
	if !errors.As(err, &ec) || ec.Kind != CloseOverflow {
		t.Fatalf("want ErrClosed overflow, got %v", err)
	}
	if len(ec.Seen) != 32 {
		t.Errorf("seen %d, want the 32 queued", len(ec.Seen))
	}
	if !strings.Contains(err.Error(), "receive queue overflow: more than 32 received messages unread") {
		t.Errorf("message: %v", err)
	}
}

// A flooding DUT while a step reads: the step gives up after MaxSeen.
func TestFloodDuringStep(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, flood)
	// A receive queue far larger than MaxSeen, so that the step's own
	// limit, not the queue's, is what trips even on a loaded machine.
	p := dial(t, Config{MaxSeen: 500, Buffer: 200000}, addr)
	var err error
	quick(t, 2*time.Second, func() { _, err = p.ExpectAlert(10 * time.Second) })
	var ec *ErrClosed
	if !errors.As(err, &ec) || ec.Kind != CloseOverflow {
		t.Fatalf("want ErrClosed overflow, got %v", err)
	}
	if !strings.Contains(err.Error(), "flood: the DUT sent more than 500 messages during ExpectAlert without ALERT") {
		t.Errorf("message: %.300s", err)
	}
	if !strings.Contains(err.Error(), "and ") {
		t.Errorf("long Seen list not shortened: %.300s", err)
	}
}

// Close from another goroutine ends a waiting step.
func TestCloseDuringStep(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, drain)
	p := dial(t, Config{}, addr)
	go func() {
		time.Sleep(30 * time.Millisecond)
		p.Close()
	}()
	var err error
	quick(t, time.Second, func() { _, err = p.ExpectAlert(5 * time.Second) })
	var ec *ErrClosed
	if !errors.As(err, &ec) || ec.Kind != CloseLocal {
		t.Fatalf("got %v", err)
	}
	if err := p.Send(&omp.Hello{}); err == nil {
		t.Error("send after close")
	}
	p.Close() // again: no panic, no hang
}

// A DUT that answers something else than a HANDSHAKE during Open.
func TestOpenAlert(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		omp.NewReader(c).ReadMessage()
		mustWrite(c, &omp.Alert{Code: omp.ErrHandshake, Subcode: omp.SubErrHandshakePersonalityMismatch})
		drain(c)
	})
	p := dial(t, Config{}, addr)
	_, err := p.Open(time.Second)
	var eu *ErrUnexpected
	if !errors.As(err, &eu) {
		t.Fatalf("got %v", err)
	}
	a, ok := AlertOf(err)
	if !ok || a.Subcode != omp.SubErrHandshakePersonalityMismatch {
		t.Errorf("alert %v", a)
	}
	if !strings.Contains(err.Error(), "expected HANDSHAKE within 1s; unexpected ALERT OMP_ERR_HANDSHAKE/OMP_SUB_ERR_HANDSHAKE_PERSONALITY_MISMATCH") {
		t.Errorf("message: %v", err)
	}
}
