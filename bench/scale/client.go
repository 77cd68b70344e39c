package scale

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// readBuffer is the receive buffer of each client.
const readBuffer = 256 << 10

// client is a raw OMP edge: one TCP session to the controller opened with
// the codec (HANDSHAKE, HELLO), HELLOs answered, and every UPDATE decoded
// with omp.Reader. A receiver counts the distinct benchmark vRoutes its
// REACHABLES carry and stamps the arrival of the last one.
type client struct {
	name     string
	routerID netip.Addr
	siteID   uint32
	holdTime uint16
	conn     net.Conn

	wmu      sync.Mutex // one writer at a time; writes end on message boundaries
	deadline time.Time  // the run's: every read and write ends by it

	up       chan struct{} // the controller's HELLO arrived
	upOnce   sync.Once
	eor      chan struct{} // the controller's first INFORM EOR arrived
	eorOnce  sync.Once
	hello    chan struct{} // a HELLO to answer
	done     chan struct{} // the read loop ended
	ended    chan struct{} // shared: signalled when a read loop ends
	helloEnd chan struct{} // the HELLO loop ended
	errv     atomic.Pointer[error]
	closing  atomic.Bool

	// Receiver side; written by the read loop only.
	want      int           // routes expected (0: a sender, counts nothing)
	tloc      omp.TLOCNLRI  // the next hop every vRoute must carry
	seen      []uint64      // bitset of route indexes received
	complete  chan struct{} // all want routes arrived
	distinct  atomic.Int64
	dups      int
	foreign   int // vRoutes that are not the benchmark's
	badNH     int // UPDATEs of vRoutes whose ATTR_TYPE_TLOC is not the sender's
	withdrawn int
	tlocs     int
	updates   int
	firstAt   time.Time // first benchmark vRoute
	lastAt    time.Time // the want-th distinct route
}

func newClient(name string, rid netip.Addr, site uint32, hold uint16, want int, tl omp.TLOCNLRI, deadline time.Time) *client {
	c := &client{name: name, routerID: rid, siteID: site, holdTime: hold, want: want, tloc: tl, deadline: deadline,
		up: make(chan struct{}), eor: make(chan struct{}), hello: make(chan struct{}, 1),
		done: make(chan struct{}), helloEnd: make(chan struct{}), complete: make(chan struct{})}
	if want > 0 {
		c.seen = make([]uint64, (want+63)/64)
	}
	return c
}

// handshake is the client's HANDSHAKE: an edge (IDENTITY VEDGE) carrying
// IPv4 vRoutes and TLOCs, no graceful restart, REFRESH offered.
func (c *client) handshake() *omp.Handshake {
	return &omp.Handshake{Version: omp.Version, SiteID: c.siteID, HoldTime: c.holdTime, PeerRouterID: c.routerID,
		Options: []omp.Option{&omp.CapabilitiesOption{Capabilities: []omp.Capability{
			&omp.CapMP{AFI: omp.AFIIPv4, SAFIVersion: omp.SAFIVersionDefault, SAFI: omp.SAFIVRoute},
			&omp.CapMP{AFI: omp.AFIIPv4, SAFIVersion: omp.SAFIVersionDefault, SAFI: omp.SAFITLOC},
			&omp.CapIdentity{PeerType: omp.PeerTypeVEdge},
			&omp.CapRefresh{},
		}}}}
}

// start dials the controller from local (an address on 127.0.0.0/8),
// sends HANDSHAKE and HELLO, and starts the read and HELLO loops. The
// controller handles the HELLO after the HANDSHAKE, so anything written
// after start finds the session Established.
func (c *client) start(ctx context.Context, local netip.Addr, controller string) error {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: local.AsSlice()}, Deadline: c.deadline}
	conn, err := d.DialContext(ctx, "tcp", controller)
	if err != nil {
		return fmt.Errorf("%s: dial %s from %s: %w", c.name, controller, local, err)
	}
	c.conn = conn
	conn.SetDeadline(c.deadline)
	b, err := omp.Append(nil, c.handshake())
	if err == nil {
		b, err = omp.Append(b, &omp.Hello{})
	}
	if err != nil {
		conn.Close()
		return fmt.Errorf("%s: encode HANDSHAKE: %w", c.name, err)
	}
	if err := c.write(b); err != nil {
		conn.Close()
		return err
	}
	part := "receiver"
	if c.want == 0 {
		part = "sender"
	}
	pprof.Do(ctx, pprof.Labels("part", part), func(context.Context) {
		go c.readLoop()
		go c.helloLoop()
	})
	return nil
}

// write writes whole messages.
func (c *client) write(b []byte) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if _, err := c.conn.Write(b); err != nil {
		return fmt.Errorf("%s: write: %w", c.name, err)
	}
	return nil
}

// fail records the first error that ends the client.
func (c *client) fail(err error) {
	c.errv.CompareAndSwap(nil, &err)
}

// err is why the client ended (nil while it runs or after close).
func (c *client) err() error {
	if p := c.errv.Load(); p != nil {
		return *p
	}
	return nil
}

// close ends the session and waits for its loops.
func (c *client) close() {
	if c.conn == nil {
		return
	}
	c.closing.Store(true)
	c.conn.Close()
	<-c.done
	<-c.helloEnd
}

// helloLoop answers each HELLO of the controller with one, off the read
// loop, so that a long write never stalls reading.
func (c *client) helloLoop() {
	defer close(c.helloEnd)
	b, _ := omp.Append(nil, &omp.Hello{})
	for {
		select {
		case <-c.done:
			return
		case <-c.hello:
			if err := c.write(b); err != nil {
				if !c.closing.Load() {
					c.fail(err)
				}
				return
			}
		}
	}
}

func (c *client) readLoop() {
	defer func() {
		close(c.done)
		select {
		case c.ended <- struct{}{}:
		default:
		}
	}()
	// omp.NewReader keeps a bufio.Reader that is large enough: fewer,
	// larger reads than its own 8 KiB buffer.
	r := omp.NewReader(bufio.NewReaderSize(c.conn, readBuffer))
	for {
		m, _, err := r.ReadMessage()
		if err != nil {
			if !c.closing.Load() {
				switch {
				case errors.Is(err, io.EOF):
					c.fail(fmt.Errorf("%s: the controller closed the session", c.name))
				default:
					c.fail(fmt.Errorf("%s: read: %w", c.name, err))
				}
			}
			return
		}
		if err := c.handle(m); err != nil {
			c.fail(err)
			return
		}
	}
}

func (c *client) handle(m omp.Message) error {
	switch m := m.(type) {
	case *omp.Hello:
		c.upOnce.Do(func() { close(c.up) })
		select {
		case c.hello <- struct{}{}:
		default:
		}
	case *omp.Alert:
		return fmt.Errorf("%s: the controller sent ALERT %s/%s (data %x)", c.name, m.Code, m.Code.SubcodeName(m.Subcode), m.Data)
	case *omp.Inform:
		if m.InformType == omp.InformEOR {
			c.eorOnce.Do(func() { close(c.eor) })
		}
	case *omp.Update:
		c.update(m)
	}
	return nil
}

// update counts an UPDATE's routes.
func (c *client) update(m *omp.Update) {
	c.updates++
	if v, ok := m.Find(omp.AttrTypeUnreachables); ok {
		c.withdrawn += v.(*omp.AttrUnreachables).Len()
	}
	v, ok := m.Find(omp.AttrTypeReachables)
	if !ok {
		return
	}
	r := v.(*omp.AttrReachables)
	c.tlocs += len(r.TLOCs)
	if len(r.VRoutes) == 0 || c.want == 0 {
		return
	}
	if nh, ok := m.Find(omp.AttrTypeTLOC); !ok || !sameTLOC(nh.(*omp.AttrTLOC), c.tloc) {
		c.badNH++
	}
	n := c.distinct.Load()
	was := n
	for i := range r.VRoutes {
		idx := routeIndex(&r.VRoutes[i])
		if idx < 0 || idx >= c.want {
			c.foreign++
			continue
		}
		w, bit := idx>>6, uint64(1)<<(idx&63)
		if c.seen[w]&bit != 0 {
			c.dups++
			continue
		}
		c.seen[w] |= bit
		n++
	}
	if n == was {
		return
	}
	if was == 0 {
		c.firstAt = time.Now()
	}
	if n == int64(c.want) {
		c.lastAt = time.Now()
		close(c.complete)
	}
	c.distinct.Store(n)
}

func sameTLOC(a *omp.AttrTLOC, t omp.TLOCNLRI) bool {
	return a.Address == t.Address && a.Color == t.Color && a.Encap == t.Encap
}
