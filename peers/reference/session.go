package reference

import (
	"bufio"
	"context"
	"crypto/tls"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

// lingerTime is how long a closing session keeps reading (and dropping)
// after its final ALERT, so that the peer reads the ALERT before the
// close resets the connection.
const lingerTime = 500 * time.Millisecond

// alertTimeout bounds the write of a final ALERT.
const alertTimeout = time.Second

// session is one connection and its state machine. Five goroutines: run
// (the owner), the reader (which reads and decodes messages), the
// handler (which drives the state machine with what the reader decoded,
// in order, through a short bounded queue, so that decoding the next
// UPDATEs overlaps applying this one), the writer (the only one that
// writes to conn) and the timers (hold timer, HELLO cadence). run starts
// the others and waits for them.
type session struct {
	sp       *Speaker
	set      *settings
	id       uint64
	conn     net.Conn
	outbound bool
	nb       *neighbor // the neighbor dialled, for outbound sessions
	remote   netip.AddrPort
	local    netip.AddrPort
	raw      net.Conn // the TCP connection (conn is the TLS one over it)
	logp     atomic.Pointer[slog.Logger]
	started  time.Time

	cnt      counters
	lastRecv atomic.Int64 // unix nanoseconds of the last message read

	ctrl     *ctrlQueue    // bounded queue of messages to write
	wake     chan struct{} // the routing half has messages
	kick     chan struct{} // state changed: timers re-read it
	stop     chan struct{} // closed by fail
	stopOnce sync.Once

	routes atomic.Pointer[peerRoutingBox] // set at Established: the writer pulls

	handleMu mutex[handleRank] // held by the handler while it handles a message
	quiesced bool              // under handleMu: handle no more messages

	mu          mutex[sessionRank]
	state       State
	neg         *negotiated
	routerID    netip.Addr // from the peer's HANDSHAKE, accepted or not
	registered  bool       // holds the speaker's OMPID slot for routerID
	down        bool       // sessionDown has run
	evicted     bool       // closed for a new connection (Speaker.evictIdle)
	final       *omp.Alert // ALERT to write before closing
	reason      string     // why the session ended
	graceful    bool       // graceful restart applies to the end
	alertIn     *AlertRecord
	alertOut    *AlertRecord
	established time.Time
	pr          PeerRouting // from Routing.Up, at HandshakeConfirm
}

type peerRoutingBox struct{ PeerRouting }

func (sp *Speaker) newSession(conn net.Conn, nb *neighbor) *session {
	s := &session{
		sp:       sp,
		set:      sp.settings(),
		conn:     conn,
		raw:      conn,
		outbound: nb != nil,
		nb:       nb,
		started:  time.Now(),
		ctrl:     newCtrlQueue(sp.settings().QueueLen, sp.settings().QueueBytes),
		wake:     make(chan struct{}, 1),
		kick:     make(chan struct{}, 1),
		stop:     make(chan struct{}),
		state:    StateHandshakeSent,
	}
	if a, ok := conn.RemoteAddr().(*net.TCPAddr); ok {
		s.remote = a.AddrPort()
	}
	if a, ok := conn.LocalAddr().(*net.TCPAddr); ok {
		s.local = a.AddrPort()
	}
	s.lastRecv.Store(s.started.UnixNano())
	dir := "in"
	if s.outbound {
		dir = "out"
	}
	s.id = sp.nextSessionID()
	s.logp.Store(s.set.Logger.With("session", s.id, "remote", s.remote.String(), "dir", dir))
	return s
}

// awaitPeer is a responder's wait for the peer's first bytes, at most
// HandshakeTimeout, and no longer than the session or the speaker runs:
// false (the session ended) if none come. What it reads stays for the
// reader (peekConn).
func (s *session) awaitPeer(ctx context.Context) bool {
	pc := &peekConn{Conn: s.conn, r: bufio.NewReader(s.conn)}
	s.conn.SetReadDeadline(time.Now().Add(s.set.HandshakeTimeout))
	// The speaker stopping (ctx) or the session failing (s.stop) ends
	// the wait at once: the read's deadline moves to now.
	unblock := func() { s.conn.SetReadDeadline(time.Now()) }
	stopCtx := context.AfterFunc(ctx, unblock)
	waited := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		select {
		case <-s.stop:
			unblock()
		case <-waited:
		}
	}()
	_, err := pc.r.Peek(1)
	close(waited)
	wg.Wait()
	stopCtx()
	s.conn.SetReadDeadline(time.Time{})
	if err != nil {
		s.endBeforeStart("no HANDSHAKE from the peer to answer: " + err.Error())
		return false
	}
	s.conn = pc
	return true
}

// peekConn is a connection whose first bytes were read ahead into r.
type peekConn struct {
	net.Conn
	r *bufio.Reader
}

func (c *peekConn) Read(b []byte) (int, error) { return c.r.Read(b) }

// CloseWrite half-closes the connection underneath, as close does after
// the final ALERT (a TCP FIN, or TLS close_notify).
func (c *peekConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return nil
}

// run is the session's life: TLS, HANDSHAKE exchange, Established, close.
// It returns when every goroutine of the session has stopped and conn is
// closed.
func (s *session) run(ctx context.Context) {
	defer s.conn.Close()
	if s.set.TLS != nil {
		tc, err := s.startTLS(ctx)
		if err != nil {
			s.logger().Info("TLS handshake failed", "err", err)
			s.endBeforeStart("TLS: " + err.Error())
			return
		}
		s.conn = tc
	}
	s.logger().Info("connected", "local", s.local.String())
	if s.set.Responder && !s.outbound && !s.awaitPeer(ctx) {
		return
	}
	hs, err := s.set.encodeHandshake()
	if err != nil {
		s.endBeforeStart("encode HANDSHAKE: " + err.Error())
		return
	}
	if s.set.faults.has(fHSHelloFirst) {
		hs = s.helloFirst(hs)
	}
	// Both sides send HANDSHAKE on connect: it is written here, before
	// the reader starts, so it precedes anything the session sends, a
	// final ALERT included (docs/fsm.md, HandshakeSent).
	s.conn.SetWriteDeadline(time.Now().Add(s.set.WriteTimeout))
	if _, err := s.conn.Write(hs); err != nil {
		s.endBeforeStart("write HANDSHAKE: " + err.Error())
		return
	}
	s.conn.SetWriteDeadline(time.Time{})
	s.cnt.countOut(omp.TypeHandshake)

	var wg sync.WaitGroup
	// Each done channel is closed by the goroutine it names.
	handlerDone := make(chan struct{}) // nothing more is handled
	readerDone := make(chan struct{})  // nothing more is read
	writerDone := make(chan struct{})  // nothing more is written
	in := make(chan inMsg, inQueueLen)
	wg.Add(3)
	go func() { defer wg.Done(); defer close(writerDone); s.writeLoop() }()
	go func() { defer wg.Done(); s.timerLoop() }()
	go func() { defer wg.Done(); defer close(readerDone); s.readLoop(in, handlerDone) }()
	go func() { defer close(handlerDone); s.handleLoop(in) }()

	select {
	case <-s.stop:
	case <-ctx.Done():
		s.step(evStop, input{reason: "speaker stopped"})
	}
	<-writerDone
	if s.set.faults.has(fHandlesAfterError) {
		// What the peer sent behind the error is still read and handled,
		// for lingerTime after the ALERT; only then does the session go
		// down.
		s.conn.SetReadDeadline(time.Now().Add(lingerTime))
		<-handlerDone
	}
	// The routing half is no longer called once the writer has stopped
	// and the reader is out of its handler: the session can go down and
	// free its router ID before the connection is closed.
	s.handleMu.Lock()
	s.quiesced = true
	s.handleMu.Unlock()
	s.sp.sessionDown(s)
	s.mu.Lock()
	wrote := s.alertOut != nil && s.alertOut.Written
	s.mu.Unlock()
	switch {
	case wrote && s.set.faults.has(fAlertNoClose):
		s.lingerForever(ctx, readerDone)
	case wrote:
		// Half-close and drain, so the peer reads the ALERT before any
		// reset caused by unread data.
		if cw, ok := s.conn.(interface{ CloseWrite() error }); ok {
			cw.CloseWrite()
		}
		s.conn.SetReadDeadline(time.Now().Add(lingerTime))
	default:
		s.conn.SetReadDeadline(time.Now())
	}
	<-handlerDone
	s.conn.Close()
	wg.Wait()
	s.sp.sessionEnded(s)
}

func (s *session) startTLS(ctx context.Context) (*tls.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, s.set.HandshakeTimeout)
	defer cancel()
	cfg := s.set.TLS.Clone()
	var tc *tls.Conn
	if s.outbound {
		s.nb.mu.Lock()
		name := s.nb.cfg.ServerName
		s.nb.mu.Unlock()
		if name != "" {
			cfg.ServerName = name
		} else if cfg.ServerName == "" {
			if h, _, err := net.SplitHostPort(s.nb.addr); err == nil {
				cfg.ServerName = h
			}
		}
		tc = tls.Client(s.conn, cfg)
	} else {
		if cfg.ClientAuth == tls.NoClientCert {
			cfg.ClientAuth = tls.RequireAndVerifyClientCert
		}
		tc = tls.Server(s.conn, cfg)
	}
	if err := tc.HandshakeContext(ctx); err != nil {
		return nil, err
	}
	return tc, nil
}

// endBeforeStart ends a session that never exchanged a message.
func (s *session) endBeforeStart(reason string) {
	s.stopOnce.Do(func() {
		s.mu.Lock()
		s.reason = reason
		s.mu.Unlock()
		close(s.stop)
	})
	s.conn.Close()
	s.sp.sessionDown(s)
	s.sp.sessionEnded(s)
}

// fail ends the session: a (if not nil) is written as the last message,
// then the connection is closed. Only the first call counts. graceful
// says whether graceful restart keeps the peer's routes.
func (s *session) fail(a *omp.Alert, reason string, graceful bool) {
	s.stopOnce.Do(func() {
		a = s.set.faults.alertToSend(a)
		s.mu.Lock()
		s.final = a
		s.reason = reason
		s.graceful = graceful
		if a != nil {
			s.alertOut = newAlertRecord(a, reason)
		}
		state := s.state
		s.mu.Unlock()
		if a != nil {
			s.logger().Info("closing with ALERT", "state", state.String(), "code", a.Code.String(),
				"subcode", a.Code.SubcodeName(a.Subcode), "reason", reason)
		} else {
			s.logger().Info("closing", "state", state.String(), "reason", reason)
		}
		close(s.stop)
		// A writer blocked on a stalled peer gives up soon.
		s.raw.SetWriteDeadline(time.Now().Add(alertTimeout))
	})
}

func (s *session) logger() *slog.Logger { return s.logp.Load() }

func (s *session) stopped() bool {
	select {
	case <-s.stop:
		return true
	default:
		return false
	}
}

func (s *session) getState() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *session) setState(st State) {
	s.mu.Lock()
	old := s.state
	s.state = st
	if st == StateEstablished {
		s.established = time.Now()
	}
	s.mu.Unlock()
	s.logger().Info("state", "from", old.String(), "to", st.String())
	notify(s.kick)
}

// notify wakes the goroutine that waits on c, unless a wake-up is
// pending already.
func notify(c chan<- struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// send queues m for the writer. The queue is bounded: when it is full
// the peer has not taken what was sent for a long time, and the session
// is dropped (docs/fsm.md).
func (s *session) send(m omp.Message) bool { return s.enqueue(outMsg{m: m}) }

// sendRaw queues encoded messages (a copy of b), as send does.
func (s *session) sendRaw(b []byte) bool { return s.enqueue(outMsg{raw: append([]byte(nil), b...)}) }

func (s *session) enqueue(o outMsg) bool {
	if s.stopped() {
		return false
	}
	if !s.ctrl.push(o) {
		s.step(evQueueFull, input{reason: "send queue full: the peer does not read"})
		return false
	}
	return true
}

// alerter is an error that names the ALERT to send.
type alerter interface {
	error
	Alert() *omp.Alert
}

// up hands the accepted peer to the routing half.
func (s *session) up(neg *negotiated) *alertError {
	info := PeerInfo{
		RouterID: neg.PeerRouter, Role: neg.PeerRole, SiteID: neg.PeerSiteID, DomainID: neg.PeerDomain,
		Remote: s.remote, Families: neg.Families, GR: neg.GR, GRInterval: s.set.units(neg.GRInterval),
		Refresh: neg.Refresh, Security: neg.Security,
	}
	callingRouting("Up")
	pr, err := s.sp.routing.Up(info)
	if errors.Is(err, rib.ErrPeerUp) && s.set.faults.has(fHSDuplicateRouterIDAccepted) {
		pr, err = detachedPeer{}, nil
	}
	if err != nil {
		return refuseHS(omp.SubErrHandshakeOMPID, neg.PeerRouter.AsSlice(), "routing: %v", err)
	}
	s.mu.Lock()
	s.neg, s.pr = neg, pr
	s.mu.Unlock()
	return nil
}

func operAlert(sub omp.Subcode) *omp.Alert { return &omp.Alert{Code: omp.ErrOper, Subcode: sub} }

// outMsg is a queued message, or its bytes when encoded already (the
// signed HANDSHAKE).
type outMsg struct {
	m   omp.Message
	raw []byte
}
