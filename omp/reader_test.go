package omp

import (
	"bytes"
	"errors"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// pipe returns a Reader on one end of a net.Pipe and runs write on the
// other end in a goroutine, closing it afterwards. The test waits for
// the writer before it returns, and the reader end has a deadline.
func pipe(t *testing.T, write func(c net.Conn)) (*Reader, net.Conn) {
	t.Helper()
	a, b := net.Pipe()
	if err := a.SetDeadline(time.Now().Add(5 * time.Second)); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer b.Close()
		_ = b.SetDeadline(time.Now().Add(5 * time.Second))
		write(b)
	}()
	t.Cleanup(func() {
		a.Close()
		<-done
	})
	return NewReader(a), a
}

func mustEncode(t testing.TB, m Message) []byte {
	t.Helper()
	b, err := Encode(m)
	if err != nil {
		t.Fatalf("encode %T: %v", m, err)
	}
	return b
}

func TestReaderBackToBack(t *testing.T) {
	msgs := [][]byte{
		mustEncode(t, benchHandshake()),
		mustEncode(t, benchUpdate()),
		mustEncode(t, &Hello{}),
		mustEncode(t, &Inform{InformType: InformEOR, AllFamilies: true}),
	}
	r, _ := pipe(t, func(c net.Conn) { c.Write(bytes.Join(msgs, nil)) })
	for i, want := range msgs {
		m, raw, err := r.ReadMessage()
		if err != nil {
			t.Fatalf("message %d: %v", i, err)
		}
		if !bytes.Equal(raw, want) {
			t.Fatalf("message %d: raw %x, want %x", i, raw, want)
		}
		if m.Type() != MsgType(want[18]) {
			t.Fatalf("message %d: type %s, want %d", i, m.Type(), want[18])
		}
	}
	if _, err := r.ReadRaw(); err != io.EOF {
		t.Fatalf("after the last message: %v, want io.EOF", err)
	}
}

func TestReaderOneByteWrites(t *testing.T) {
	want := append(mustEncode(t, benchUpdate()), mustEncode(t, benchHandshake())...)
	r, _ := pipe(t, func(c net.Conn) {
		for i := range want {
			if _, err := c.Write(want[i : i+1]); err != nil {
				return
			}
		}
	})
	var got []byte
	for range 2 {
		raw, err := r.ReadRaw()
		if err != nil {
			t.Fatal(err)
		}
		if _, err := Decode(raw); err != nil {
			t.Fatal(err)
		}
		got = append(got, raw...)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("got %x\nwant %x", got, want)
	}
	if _, err := r.ReadRaw(); err != io.EOF {
		t.Fatalf("got %v, want io.EOF", err)
	}
}

func TestReaderTruncated(t *testing.T) {
	msg := mustEncode(t, benchHandshake())
	for _, n := range []int{1, HeaderLen - 1, HeaderLen, HeaderLen + 1, len(msg) - 1} {
		r, _ := pipe(t, func(c net.Conn) { c.Write(msg[:n]) })
		raw, err := r.ReadRaw()
		if !errors.Is(err, ErrTruncated) {
			t.Fatalf("%d of %d bytes: %v, want ErrTruncated", n, len(msg), err)
		}
		if !bytes.Equal(raw, msg[:n]) {
			t.Fatalf("%d bytes: raw %x, want what arrived", n, raw)
		}
	}
}

func TestReaderCleanEOF(t *testing.T) {
	r, _ := pipe(t, func(net.Conn) {})
	if raw, err := r.ReadRaw(); err != io.EOF || raw != nil {
		t.Fatalf("got %x, %v; want nil, io.EOF", raw, err)
	}
}

func TestReaderBadHeader(t *testing.T) {
	good := mustEncode(t, &Hello{})
	patch := func(off int, b ...byte) []byte {
		p := bytes.Clone(good)
		copy(p[off:], b)
		return p
	}
	for _, c := range []struct {
		name   string
		wire   []byte
		sub    Subcode
		field  string
		offset int
		data   []byte
	}{
		{"marker", patch(3, 0xFE), SubErrHeaderUnsync, "header.marker", 0, patch(3, 0xFE)[:16]},
		{"marker and length", patch(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0), SubErrHeaderUnsync, "header.marker", 0, make([]byte, 16)},
		{"length 0", patch(16, 0, 0), SubErrHeaderLength, "header.length", 16, []byte{0, 0}},
		{"length 18", patch(16, 0, 18), SubErrHeaderLength, "header.length", 16, []byte{0, 18}},
		{"length 4097", patch(16, 0x10, 0x01), SubErrHeaderLength, "header.length", 16, []byte{0x10, 0x01}},
		{"length 65535", patch(16, 0xFF, 0xFF), SubErrHeaderLength, "header.length", 16, []byte{0xFF, 0xFF}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r, _ := pipe(t, func(conn net.Conn) { conn.Write(c.wire) })
			raw, err := r.ReadRaw()
			e, ok := AsError(err)
			if !ok {
				t.Fatalf("got %v, want an *Error", err)
			}
			if e.Code != ErrHeader || e.Subcode != c.sub || e.Field != c.field || e.Offset != c.offset || !bytes.Equal(e.Data, c.data) {
				t.Fatalf("got %s/%s %s@%d data %x; want %s %s@%d data %x", e.Code, e.Code.SubcodeName(e.Subcode), e.Field, e.Offset, e.Data,
					ErrHeader.SubcodeName(c.sub), c.field, c.offset, c.data)
			}
			if !bytes.Equal(raw, c.wire[:HeaderLen]) {
				t.Fatalf("raw %x, want the header", raw)
			}
		})
	}
}

// A header with a bad Type frames a message: the Reader returns it, and
// the decoder refuses it.
func TestReaderBadTypeFrames(t *testing.T) {
	wire := mustEncode(t, &Hello{})
	wire[18] = 9
	r, _ := pipe(t, func(c net.Conn) { c.Write(wire) })
	_, raw, err := r.ReadMessage()
	e, ok := AsError(err)
	if !ok || e.Subcode != SubErrHeaderType || e.Field != "header.type" {
		t.Fatalf("got %v", err)
	}
	if !bytes.Equal(raw, wire) {
		t.Fatalf("raw %x", raw)
	}
}

func TestReaderDeadline(t *testing.T) {
	msg := mustEncode(t, benchHandshake())
	for _, n := range []int{0, 5, HeaderLen + 3} {
		release := make(chan struct{})
		r, conn := pipe(t, func(c net.Conn) {
			c.Write(msg[:n])
			<-release
		})
		if err := conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		_, err := r.ReadRaw()
		close(release)
		if !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("%d bytes then silence: %v, want a deadline error", n, err)
		}
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("ReadRaw took %v after a 50ms deadline", d)
		}
	}
}

// A deadline that expires inside a message does not lose the bytes read:
// the next call, with a new deadline, returns the whole message.
func TestReaderDeadlineThenResume(t *testing.T) {
	msg := mustEncode(t, benchHandshake())
	more := make(chan struct{})
	r, conn := pipe(t, func(c net.Conn) {
		c.Write(msg[:HeaderLen+3])
		<-more
		c.Write(msg[HeaderLen+3:])
	})
	conn.SetReadDeadline(time.Now().Add(50 * time.Millisecond))
	if _, err := r.ReadRaw(); !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Fatalf("got %v, want a deadline error", err)
	}
	close(more)
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	raw, err := r.ReadRaw()
	if err != nil || !bytes.Equal(raw, msg) {
		t.Fatalf("got %x, %v; want the message", raw, err)
	}
}

// With Oversize, a Length over 4096 behind a good Marker frames the
// message all the same: it comes back whole with its LENGTH error, and
// the message after it is read; cut short, it is ErrTruncated.
func TestReaderOversize(t *testing.T) {
	big := make([]byte, 5000)
	copy(big, marker)
	big[HeaderLen-1] = byte(TypeUpdate)
	PutLength(big)
	hello := mustEncode(t, &Hello{})
	r, _ := pipe(t, func(c net.Conn) { c.Write(append(bytes.Clone(big), hello...)) })
	r.Oversize = true
	raw, err := r.ReadRaw()
	if e, ok := AsError(err); !ok || e.Subcode != SubErrHeaderLength || !bytes.Equal(raw, big) {
		t.Fatalf("got %d bytes, %v; want the 5000-byte message and HEADER/LENGTH", len(raw), err)
	}
	if m, _, err := r.ReadMessage(); err != nil || m.Type() != TypeHello {
		t.Fatalf("after it: %v, %v; want the HELLO", m, err)
	}

	r, _ = pipe(t, func(c net.Conn) { c.Write(big[:3000]) })
	r.Oversize = true
	if raw, err := r.ReadRaw(); !errors.Is(err, ErrTruncated) || len(raw) != 3000 {
		t.Fatalf("cut short: %d bytes, %v; want 3000 and ErrTruncated", len(raw), err)
	}
}
