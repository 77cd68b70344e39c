package reference

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// bigAnswers answers every QUERY with 1 MiB of HELLOs, as a whole-family
// QUERY on a large table is answered with megabytes.
type bigAnswers struct{ nullRouting }

type bigAnswersPeer struct{ *nullPeer }

func (r *bigAnswers) Up(p PeerInfo) (PeerRouting, error) {
	np, _ := r.nullRouting.Up(p)
	return bigAnswersPeer{np.(*nullPeer)}, nil
}

func (p bigAnswersPeer) Receive(m omp.Message) ([]byte, error) {
	if _, ok := m.(*omp.Query); !ok {
		return p.nullPeer.Receive(m)
	}
	var b []byte
	for len(b) < 1<<20 {
		b, _ = omp.Append(b, &omp.Hello{})
	}
	return b, nil
}

// A peer that sends QUERYs and does not read is a slow receiver once
// its answers queued pass QueueBytes, long before QueueLen answers (256
// of 10 MB each took a daemon to gigabytes) or WriteTimeout.
func TestQueryAnswersBoundedInBytes(t *testing.T) {
	sp := startWith(t, func(c *Config) {
		c.Routing = &bigAnswers{nullRouting{received: map[string]int{}}}
		c.WriteTimeout = time.Minute
		c.QueueBytes = 4 << 20
	})
	p := dialPeer(t, sp.Addr())
	if tc, ok := p.conn.(*net.TCPConn); ok {
		tc.SetReadBuffer(64 << 10)
	}
	p.establish(edgeHandshake())
	q, err := omp.Encode(&omp.Query{Attributes: []omp.Attribute{omp.Attr(&omp.AttrReachables{Reach: omp.Reach{AFI: omp.AFIIPv4, SAFI: omp.SAFIVRoute}})}})
	if err != nil {
		t.Fatal(err)
	}
	p.conn.SetWriteDeadline(time.Now().Add(testTimeout))
	for range 40 { // 40 MiB of answers if all were queued
		if _, err := p.conn.Write(q); err != nil {
			break // the speaker closed already
		}
	}
	waitFor(t, "the session dropped as a slow receiver", func() bool {
		ps, ok := sp.Peer(edgeID.String())
		return ok && strings.Contains(ps.LastReason, "send queue full")
	})
}
