package fake

import (
	"bytes"
	"errors"
	"io"
	"net"
	"regexp"
	"slices"
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
	quick(t, time.Second, func() { _, err = p.Expect(150*time.Millisecond, anAlert) })
	var et *ErrTimeout
	if !errors.As(err, &et) {
		t.Fatalf("want *ErrTimeout, got %T %v", err, err)
	}
	if et.Partial != 0 || len(et.Seen) != 0 || et.Name != "Expect" {
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
	// The DUT keeps the connection.
	if _, closed := p.Closed(); closed {
		t.Error("closed")
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
	quick(t, time.Second, func() { _, err = p.Expect(2*time.Second, anAlert) })
	var ec *ErrClosed
	if !errors.As(err, &ec) {
		t.Fatalf("want *ErrClosed, got %T %v", err, err)
	}
	if len(ec.Seen) != 1 || !ec.Seen[0].Unframeable {
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
	r, err := p.Expect(time.Second, anyMessage)
	if err != nil {
		t.Fatal(err)
	}
	oe, ok := omp.AsError(r.Err)
	if r.Msg != nil || !ok || oe.Subcode != omp.SubErrHeaderType || r.Unframeable {
		t.Errorf("received %v", r)
	}
	if !strings.HasPrefix(r.What(), "undecodable TYPE_9 (19 bytes: OMP_ERR_HEADER/OMP_SUB_ERR_HEADER_TYPE at header.type") {
		t.Errorf("What: %s", r.What())
	}
}

// A message over 4096 bytes is read whole by its Length, and the stream
// goes on; past maxOversize of them, the next is unframeable and nothing
// after it is delivered, so a DUT cannot queue Buffer x 64 KB.
func TestOversizeMessages(t *testing.T) {
	big := make([]byte, 6000)
	copy(big, bytes.Repeat([]byte{0xFF}, omp.MarkerLen))
	big[omp.HeaderLen-1] = byte(omp.TypeUpdate)
	omp.PutLength(big)
	hello, _ := omp.Encode(&omp.Hello{})
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		c.Write(append(bytes.Clone(big), hello...))
		for range maxOversize {
			c.Write(big)
		}
		c.Write(hello)
		drain(c)
	})
	p := dial(t, Config{}, addr)
	first, err := p.Expect(time.Second, anyMessage)
	if err != nil {
		t.Fatal(err)
	}
	if oe, ok := omp.AsError(first.Err); !ok || oe.Subcode != omp.SubErrHeaderLength || first.Unframeable || len(first.Raw) != len(big) {
		t.Fatalf("first: %v (unframeable %v, %d bytes)", first, first.Unframeable, len(first.Raw))
	}
	if r, err := p.Expect(time.Second, anyMessage); err != nil || r.Type() != omp.TypeHello {
		t.Fatalf("after it: %v, %v; want the HELLO", r, err)
	}
	for i := 1; i <= maxOversize; i++ {
		r, err := p.Expect(time.Second, anyMessage)
		if err != nil {
			t.Fatal(err)
		}
		if want := i == maxOversize; r.Unframeable != want {
			t.Fatalf("oversize message %d: unframeable %v, want %v", i+1, r.Unframeable, want)
		}
	}
	if r, err := p.Expect(300*time.Millisecond, anyMessage); err == nil {
		t.Fatalf("after the unframeable one: %v", r)
	}
}

// SendBuilt sends bytes built beforehand exactly as they are, and records
// them, what they decode to (here the ALERT the DUT should send) and the
// mutations; its plain encoding, with the message itself.
func TestSendBuilt(t *testing.T) {
	got := make(chan []byte, 1)
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		b, _ := io.ReadAll(c)
		got <- b
	})
	p := dial(t, Config{}, addr)
	muts := []mutators.Mutation{mutators.On("update.attr[1].value", mutators.Extend([]byte{0}))}
	mutated, err := mutators.Message(mutators.BaseUpdate(), muts...)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.SendBuilt(mutated, mutators.BaseUpdate(), muts...); err != nil {
		t.Fatal(err)
	}
	built := slices.Clone(mutated)
	built[len(built)-1] ^= 0xFF // not what encoding and mutating again gives
	if err := p.SendBuilt(built, mutators.BaseUpdate(), muts...); err != nil {
		t.Fatal(err)
	}
	plain, _ := omp.Encode(&omp.Hello{})
	if err := p.SendBuilt(plain, &omp.Hello{}); err != nil {
		t.Fatal(err)
	}
	p.Close()
	if b := <-got; !bytes.Equal(b, slices.Concat(mutated, built, plain)) {
		t.Errorf("the DUT got %x", b)
	}
	var sent []transcript.Entry
	for _, e := range p.Transcript().Entries() {
		if e.Dir == transcript.Sent {
			sent = append(sent, e)
		}
	}
	if len(sent) != 3 {
		t.Fatalf("%d sent entries", len(sent))
	}
	for _, e := range sent[:2] {
		oe, ok := omp.AsError(e.Err)
		if !strings.Contains(e.Note, "mutated: extend update.attr[1].value by 1 byte") || !ok || oe.Subcode != omp.SubErrUpdateLength {
			t.Errorf("sent entry: %+v", e)
		}
	}
	if !bytes.Equal(sent[1].Raw, built) {
		t.Errorf("recorded %x, sent %x", sent[1].Raw, built)
	}
	if _, ok := sent[2].Message.(*omp.Hello); !ok || sent[2].Note != "" || sent[2].Err != nil {
		t.Errorf("plain entry: %+v", sent[2])
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
	if len(ec.Seen) != 2 || ec.Kind != CloseEOF || ec.Name != "ExpectType" {
		t.Fatalf("%+v", ec)
	}
	if a, ok := ec.Seen[1].Alert(); !ok || a.Subcode != omp.SubErrOperShut {
		t.Errorf("the ALERT before the close: %v", ec.Seen[1])
	}
	re := regexp.MustCompile(`^127\.0\.0\.1: expected INFORM within 2s; received UPDATE \(105 bytes\) at \+\S+, ALERT OMP_ERR_OPER/OMP_SUB_ERR_OPER_SHUT \(21 bytes\) at \+\S+, then connection closed by DUT at \+\S+$`)
	if !re.MatchString(err.Error()) {
		t.Errorf("message: %v", err)
	}
}

// ALERT, then close: the ALERT is delivered, then the close.
func TestAlertThenClose(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		mustWrite(c, &omp.Alert{Code: omp.ErrHeader, Subcode: omp.SubErrHeaderLength})
	})
	p := dial(t, Config{}, addr)
	r, err := p.Expect(2*time.Second, anAlert)
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := r.Alert(); a.Subcode != omp.SubErrHeaderLength {
		t.Errorf("%v", r)
	}
	_, err = p.Expect(2*time.Second, anyMessage)
	var ec *ErrClosed
	if !errors.As(err, &ec) || ec.Kind != CloseEOF || len(ec.Seen) != 0 {
		t.Errorf("after the ALERT: %v", err)
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
	quick(t, time.Second, func() { _, err = p.Expect(3*time.Second, anAlert) })
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
	_, err := p.Expect(2*time.Second, anAlert)
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
	_, err = p.Expect(100*time.Millisecond, anAlert)
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
	p := dial(t, Config{Buffer: 32, OverflowWait: 100 * time.Millisecond}, addr)
	deadline := time.Now().Add(2 * time.Second)
	for {
		if _, ok := p.Closed(); ok || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	var err error
	quick(t, 500*time.Millisecond, func() { _, err = p.Expect(5*time.Second, anAlert) })
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

// A DUT that sends more than the queue holds before a step reads, and
// then the message the step waits for, loses nothing: the full queue
// holds the reading back until the step makes room (a controller
// sending a large table one route to an UPDATE).
func TestFullQueueWaitsForTheStep(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, func(c net.Conn) {
		b, _ := omp.Encode(mutators.BaseUpdate())
		a, _ := omp.Encode(&omp.Alert{Code: omp.ErrOper, Subcode: omp.SubErrOperClear})
		c.SetWriteDeadline(time.Now().Add(5 * time.Second))
		c.Write(append(bytes.Repeat(b, 2000), a...))
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, c) // until the peer closes
	})
	p := dial(t, Config{Buffer: 32}, addr)
	time.Sleep(200 * time.Millisecond) // the queue fills, unread
	if _, err := p.Expect(5*time.Second, anAlert); err != nil {
		t.Fatalf("the ALERT after 2000 UPDATEs: %.300v", err)
	}
}

// A flooding DUT while a step reads: the step gives up after MaxSeen.
func TestFloodDuringStep(t *testing.T) {
	addr := startDUT(t, "127.0.0.1:0", nil, flood)
	// A receive queue far larger than MaxSeen, so that the step's own
	// limit, not the queue's, is what trips even on a loaded machine.
	p := dial(t, Config{MaxSeen: 500, Buffer: 200000}, addr)
	var err error
	quick(t, 2*time.Second, func() { _, err = p.Expect(10*time.Second, anAlert) })
	var ec *ErrClosed
	if !errors.As(err, &ec) || ec.Kind != CloseFlood {
		t.Fatalf("want ErrClosed flood, got %v", err)
	}
	if !strings.Contains(err.Error(), "flood: the DUT sent more than 500 messages during Expect without ALERT") {
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
	quick(t, time.Second, func() { _, err = p.Expect(5*time.Second, anAlert) })
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
	a, ok := eu.Event.Alert()
	if !ok || a.Subcode != omp.SubErrHandshakePersonalityMismatch {
		t.Errorf("alert %v", a)
	}
	if !strings.Contains(err.Error(), "expected HANDSHAKE within 1s; unexpected ALERT OMP_ERR_HANDSHAKE/OMP_SUB_ERR_HANDSHAKE_PERSONALITY_MISMATCH") {
		t.Errorf("message: %v", err)
	}
}
