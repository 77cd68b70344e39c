package netfuzz

import (
	"bufio"
	"io"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
)

// behaviour is how a test DUT misbehaves.
type behaviour int

const (
	// behaveWell: decode with the codec, answer as docs/fsm.md says,
	// HELLO every hold/3, End-of-RIB when established and on
	// REFRESH_REQUEST. No semantics: every message that decodes and
	// that the state allows is taken.
	behaveWell behaviour = iota
	// behaveDie: the first message after establishment other than HELLO
	// and REFRESH_REQUEST kills the DUT: listener and connections close.
	behaveDie
	// behaveMute: once established, never writes again (no HELLO, no
	// ALERT, no End-of-RIB), and reads on.
	behaveMute
	// behaveWrongSubcode: answers decode errors with the codec's Code
	// and the Subcode after the codec's.
	behaveWrongSubcode
	// behaveLenient: skips a message that does not decode and goes on,
	// as if it had not come.
	behaveLenient
	// behaveWaits: behaves well, but sends its HANDSHAKE only once the
	// peer's first message has arrived (a responder).
	behaveWaits
)

const (
	testUnit = 10 * time.Millisecond
	testHold = 20 // units: 200ms
)

// testDUT is a small controller for the tests.
type testDUT struct {
	how behaviour
	srv *testdut.Server
}

func startTestDUT(t testing.TB, how behaviour) *testDUT {
	t.Helper()
	d := &testDUT{how: how, srv: testdut.Listen(t, "127.0.0.1:0", nil)}
	d.srv.Serve(d.serve)
	return d
}

func (d *testDUT) addr() string { return d.srv.Addr() }

// die closes the listener and every connection.
func (d *testDUT) die() { d.srv.Stop() }

var testDUTID = netip.MustParseAddr("10.9.9.9")

func testDUTHandshake() *omp.Handshake {
	return &omp.Handshake{Version: omp.Version, SiteID: 1, DomainID: 1, HoldTime: testHold, PeerRouterID: testDUTID,
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{
			&omp.CapMP{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute},
			&omp.CapIdentity{PeerType: omp.PeerTypeVSmart},
			&omp.CapRefresh{},
		}}}}
}

// dconn is one connection of the test DUT.
type dconn struct {
	d    *testDUT
	c    net.Conn
	wmu  sync.Mutex
	mute bool
}

func (k *dconn) write(m omp.Message) {
	k.wmu.Lock()
	defer k.wmu.Unlock()
	if k.mute {
		return
	}
	b, err := omp.Encode(m)
	if err != nil {
		panic(err)
	}
	k.c.SetWriteDeadline(time.Now().Add(2 * time.Second))
	k.c.Write(b)
}

// hang reads on, answering nothing, when the DUT is mute.
func (k *dconn) hang() {
	k.wmu.Lock()
	mute := k.mute
	k.wmu.Unlock()
	if mute {
		k.c.SetReadDeadline(time.Now().Add(5 * time.Second))
		io.Copy(io.Discard, k.c)
	}
}

func (k *dconn) alert(a *omp.Alert) {
	if k.d.how == behaveWrongSubcode {
		a = &omp.Alert{Code: a.Code, Subcode: a.Subcode + 1, Data: a.Data}
	}
	k.write(a)
}

func (d *testDUT) serve(c net.Conn) {
	k := &dconn{d: d, c: c}
	var in io.Reader = c
	if d.how == behaveWaits {
		br := bufio.NewReader(c)
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := br.Peek(1); err != nil {
			return
		}
		in = br
	}
	k.write(testDUTHandshake())
	r := omp.NewReader(in)
	st := reference.StateHandshakeSent
	done := make(chan struct{})
	var hellos sync.WaitGroup
	defer func() {
		close(done)
		hellos.Wait()
	}()
	for {
		c.SetReadDeadline(time.Now().Add(5 * time.Second))
		raw, err := r.ReadRaw()
		if err != nil {
			if e, ok := omp.AsError(err); ok {
				k.alert(e.Alert())
				k.hang()
			}
			return
		}
		m, err := omp.Decode(raw)
		if err != nil && d.how == behaveLenient {
			continue
		}
		if st == reference.StateEstablished && d.how == behaveDie {
			if _, ok := m.(*omp.Hello); !ok && !isRefresh(m) {
				d.die()
				return
			}
		}
		if err != nil {
			if e, ok := omp.AsError(err); ok {
				k.alert(e.Alert())
			}
			k.hang()
			return
		}
		if m.Type() == omp.TypeAlert {
			return
		}
		next, fsm, _ := allowed(st, m.Type())
		if fsm != nil {
			k.alert(&omp.Alert{Code: fsm.Code, Subcode: fsm.Subcode, Data: []byte{byte(m.Type())}})
			return
		}
		switch {
		case st == reference.StateHandshakeSent:
			k.write(&omp.Hello{})
		case st == reference.StateHandshakeConfirm:
			if d.how == behaveMute {
				k.wmu.Lock()
				k.mute = true
				k.wmu.Unlock()
			}
			k.write(&omp.Inform{InformType: omp.InformEOR, AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute})
			hellos.Add(1)
			go func() {
				defer hellos.Done()
				t := time.NewTicker(testHold * testUnit / 3)
				defer t.Stop()
				for {
					select {
					case <-done:
						return
					case <-d.srv.Stopped():
						return
					case <-t.C:
						k.write(&omp.Hello{})
					}
				}
			}()
		case isRefresh(m):
			in := m.(*omp.Inform)
			k.write(&omp.Inform{InformType: omp.InformEOR, AllFamilies: in.AllFamilies, AFI: in.AFI, SAFI: in.SAFI})
		}
		st = next
	}
}

func isRefresh(m omp.Message) bool {
	in, ok := m.(*omp.Inform)
	return ok && in.InformType == omp.InformRefreshRequest
}
