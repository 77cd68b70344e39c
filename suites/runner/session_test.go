package runner

import (
	"bytes"
	"context"
	"io"
	"net"
	"slices"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/fake"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/transcript"
)

// TestSendWritesTheBuiltBytes: the DUT gets the catalogue's bytes as
// catalog.Msg.Build made them, mutations included, and the transcript
// records those bytes with what they decode to. A Wire whose bytes were
// changed after the build proves that nothing is encoded or mutated again
// on the way.
func TestSendWritesTheBuiltBytes(t *testing.T) {
	got := make(chan []byte, 1)
	dut := testdut.Start(t, func(c net.Conn) {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		b, _ := io.ReadAll(c)
		got <- b
	})

	tr := transcript.New(transcript.Limits{})
	p, err := fake.Dial(fake.Config{Name: "peer0", LocalAddr: "127.0.0.1", Transcript: tr, DisableAutoHello: true}, dut.Addr(), 2*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(context.Background(), p)

	env := catalog.DefaultEnv(catalog.Controller)
	mutated, err := catalog.RouteUpdate().Mutate("update.attr[0].length", catalog.Set(200)).Build(env, 0)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := catalog.Hello().Build(env, 0)
	if err != nil {
		t.Fatal(err)
	}
	// The same mutated UPDATE, its last byte changed after the build: a
	// sender that encoded Message and applied Muts again would not send it.
	tampered := mutated
	tampered.Bytes = slices.Clone(mutated.Bytes)
	tampered.Bytes[len(tampered.Bytes)-1] ^= 0xFF

	wires := []catalog.Wire{mutated, plain, tampered}
	var want []byte
	for _, w := range wires {
		if err := s.Send(w); err != nil {
			t.Fatal(err)
		}
		want = append(want, w.Bytes...)
	}
	s.Close()
	if b := <-got; !bytes.Equal(b, want) {
		t.Fatalf("on the wire:\n%x\nbuilt:\n%x", b, want)
	}

	var sent []transcript.Entry
	for _, e := range tr.Entries() {
		if e.Dir == transcript.Sent {
			sent = append(sent, e)
		}
	}
	if len(sent) != len(wires) {
		t.Fatalf("%d sent entries in the transcript, want %d", len(sent), len(wires))
	}
	for i, w := range wires {
		e := sent[i]
		if !bytes.Equal(e.Raw, w.Bytes) {
			t.Errorf("entry %d: transcript bytes %x, built %x", i, e.Raw, w.Bytes)
		}
		if len(w.Muts) == 0 {
			if e.Message != w.Message || e.Err != nil || e.Note != "" {
				t.Errorf("entry %d: plain message recorded as %v, %v, %q", i, e.Message, e.Err, e.Note)
			}
			continue
		}
		if e.Note != "mutated: "+w.Note {
			t.Errorf("entry %d: note %q, want %q", i, e.Note, "mutated: "+w.Note)
		}
		if _, derr := omp.Decode(w.Bytes); (derr == nil) != (e.Err == nil) {
			t.Errorf("entry %d: recorded decode error %v, the bytes decode with %v", i, e.Err, derr)
		}
	}
}
