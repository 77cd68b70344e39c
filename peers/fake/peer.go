package fake

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/transcript"
)

// Peer is one fake peer on one connection.
type Peer struct {
	cfg    Config
	conn   net.Conn // the session: the TCP conn, or TLS over it
	raw    net.Conn // the TCP conn
	start  time.Time
	local  string
	remote string
	tr     *transcript.Transcript

	wmu sync.Mutex // serialises writes (steps, auto-answers, keepalives)

	ch   chan *Event // from the reader; closed when the connection ends
	info CloseInfo   // how it ended; written before ch is closed

	// pushback holds messages a step set aside for later steps (Open keeps
	// what arrived around the DUT's HELLO). Owned by the step goroutine.
	pushback []*Event

	rx     atomic.Int64 // bytes read from the connection
	framed atomic.Int64 // bytes handed out as messages or garbage

	established atomic.Bool
	helloMu     sync.Mutex // orders establishing against HELLOs arriving
	unanswered  int        // HELLOs delivered before established (helloMu)
	closing     atomic.Bool
	resetting   atomic.Bool // Reset: the harness's close is a RST
	keepOnce    sync.Once
	closeOnce   sync.Once
	stop        chan struct{}      // closed by Close
	readerDone  chan struct{}      // closed when the reader has ended
	helloReq    chan struct{}      // a HELLO answer is due (coalesced)
	keepStart   chan struct{}      // closed to start the keepalive ticker
	keepSet     chan time.Duration // a new keepalive interval (SetKeepalive), unbuffered
	wg          sync.WaitGroup

	dropMu  sync.Mutex
	dropErr error // why the harness dropped the connection (a flood)
}

// Dial connects to the DUT at addr ("127.0.0.1:12346") from cfg.LocalAddr,
// over TLS if cfg.TLS is set, within timeout (TLS handshake included).
func Dial(cfg Config, addr string, timeout time.Duration) (*Peer, error) {
	cfg, err := cfg.withDefaults(true)
	if err != nil {
		return nil, err
	}
	local, _ := parseLocal(cfg.LocalAddr)
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: local.Addr().AsSlice(), Port: int(local.Port())}}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		err = fmt.Errorf("%s: dial %s from %s within %s: %w", cfg.Name, addr, cfg.LocalAddr, timeout, err)
		cfg.Transcript.Add(transcript.Entry{Dir: transcript.Event, Peer: cfg.Name, Local: cfg.LocalAddr, Remote: addr, Err: err, Note: "dial failed"})
		return nil, err
	}
	conn := raw
	if cfg.TLS != nil {
		tc := tls.Client(raw, cfg.TLS)
		if err := tc.HandshakeContext(ctx); err != nil {
			raw.Close()
			err = fmt.Errorf("%s: TLS handshake with %s: %w", cfg.Name, addr, err)
			cfg.Transcript.Add(transcript.Entry{Dir: transcript.Event, Peer: cfg.Name, Local: raw.LocalAddr().String(), Remote: addr, Err: err, Note: "TLS handshake failed"})
			return nil, err
		}
		conn = tc
	}
	return newPeer(cfg, conn, raw, start, "connected to DUT"), nil
}

// Listener waits for a DUT to dial in (an edge router dialing its
// controller).
type Listener struct {
	cfg Config
	ln  *net.TCPListener
}

// Listen listens on cfg.LocalAddr (port 0: any free port; see Addr).
func Listen(cfg Config) (*Listener, error) {
	cfg, err := cfg.withDefaults(false)
	if err != nil {
		return nil, err
	}
	local, _ := parseLocal(cfg.LocalAddr)
	ln, err := net.ListenTCP("tcp", net.TCPAddrFromAddrPort(local))
	if err != nil {
		return nil, fmt.Errorf("%s: listen on %s: %w", cfg.Name, local, err)
	}
	return &Listener{cfg: cfg, ln: ln}, nil
}

// Addr is the address the listener listens on, with its port.
func (l *Listener) Addr() netip.AddrPort { return l.ln.Addr().(*net.TCPAddr).AddrPort() }

// Accept waits up to timeout for the DUT to connect (and complete the TLS
// handshake, with TLS). A DUT that does not dial gives *ErrTimeout.
func (l *Listener) Accept(timeout time.Duration) (*Peer, error) {
	return l.accept(context.Background(), l.cfg, timeout)
}

// AcceptAs is Accept for a peer described by cfg rather than by the
// listener's Config (its name, identity, TLS and transcript; LocalAddr is
// the listener's): one listener then serves a new fake peer per DUT
// connection, as a controller does for an edge that redials. A ctx that
// ends stops the wait early, with ctx's error.
func (l *Listener) AcceptAs(ctx context.Context, cfg Config, timeout time.Duration) (*Peer, error) {
	cfg.LocalAddr = l.Addr().String()
	cfg, err := cfg.withDefaults(false)
	if err != nil {
		return nil, err
	}
	return l.accept(ctx, cfg, timeout)
}

func (l *Listener) accept(ctx context.Context, cfg Config, timeout time.Duration) (*Peer, error) {
	deadline := time.Now().Add(timeout)
	if err := l.ln.SetDeadline(deadline); err != nil {
		return nil, err
	}
	start := time.Now()
	woken := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(woken)
		l.ln.SetDeadline(time.Now())
	})
	raw, err := l.ln.Accept()
	if !stop() {
		<-woken // its deadline must not outlive this Accept
	}
	if err != nil {
		var ne net.Error
		if ctx.Err() != nil {
			err = fmt.Errorf("%s: accept on %s: %w", cfg.Name, l.Addr(), ctx.Err())
		} else if errors.As(err, &ne) && ne.Timeout() {
			err = &ErrTimeout{Step: Step{Peer: cfg.Name, Name: "Accept", Expected: "a connection from the DUT on " + l.Addr().String(), Within: timeout}}
		} else {
			err = fmt.Errorf("%s: accept on %s: %w", cfg.Name, l.Addr(), err)
		}
		cfg.Transcript.Add(transcript.Entry{Dir: transcript.Event, Peer: cfg.Name, Local: l.Addr().String(), Err: err, Note: "accept failed"})
		return nil, err
	}
	conn := raw
	if cfg.TLS != nil {
		tc := tls.Server(raw, cfg.TLS)
		ctx, cancel := context.WithDeadline(context.Background(), deadline)
		err := tc.HandshakeContext(ctx)
		cancel()
		if err != nil {
			raw.Close()
			err = fmt.Errorf("%s: TLS handshake with %s: %w", cfg.Name, raw.RemoteAddr(), err)
			cfg.Transcript.Add(transcript.Entry{Dir: transcript.Event, Peer: cfg.Name, Local: raw.LocalAddr().String(), Remote: raw.RemoteAddr().String(), Err: err, Note: "TLS handshake failed"})
			return nil, err
		}
		conn = tc
	}
	return newPeer(cfg, conn, raw, start, "accepted DUT"), nil
}

// Close stops listening. Peers already accepted stay open.
func (l *Listener) Close() error { return l.ln.Close() }

func newPeer(cfg Config, conn, raw net.Conn, start time.Time, note string) *Peer {
	p := &Peer{
		cfg:    cfg,
		conn:   conn,
		raw:    raw,
		start:  start,
		local:  raw.LocalAddr().String(),
		remote: raw.RemoteAddr().String(),
		tr:     cfg.Transcript,
		ch:     make(chan *Event, cfg.Buffer),
		stop:   make(chan struct{}),

		readerDone: make(chan struct{}),
		helloReq:   make(chan struct{}, 1),
		keepStart:  make(chan struct{}),
		keepSet:    make(chan time.Duration),
	}
	p.connEvent(transcript.ConnOpen, nil, fmt.Sprintf("%s (%s -> %s)", note, p.local, p.remote))
	p.wg.Add(2)
	go p.readLoop()
	go p.helloLoop()
	return p
}

// Name is the peer's name.
func (p *Peer) Name() string { return p.cfg.Name }

// Config is the peer's configuration, defaults filled in.
func (p *Peer) Config() Config { return p.cfg }

// Transcript is the transcript the peer records to.
func (p *Peer) Transcript() *transcript.Transcript { return p.tr }

// LocalAddr is the peer's end of the connection.
func (p *Peer) LocalAddr() net.Addr { return p.raw.LocalAddr() }

// RemoteAddr is the DUT's end of the connection.
func (p *Peer) RemoteAddr() net.Addr { return p.raw.RemoteAddr() }

// Since is the time since the connection was made: the clock of the
// "+12ms" in errors.
func (p *Peer) Since() time.Duration { return time.Since(p.start) }

// Handshake is the HANDSHAKE this peer sends on Open (fresh each call, so
// a case may change it and pass it to OpenWith or SendBuilt).
func (p *Peer) Handshake() *omp.Handshake { return p.cfg.Handshake() }

// Established reports whether the session is established (Open succeeded
// or MarkEstablished was called).
func (p *Peer) Established() bool { return p.established.Load() }

// MarkEstablished declares the session established, for a case that made
// the opening exchange by hand: HELLOs are auto-answered from now on (unless
// disabled) and the HelloInterval keepalive starts.
func (p *Peer) MarkEstablished() { p.establish(0) }

// establish marks the session established. HELLOs that arrived before,
// beyond the consumed ones the opening itself took, are answered once.
func (p *Peer) establish(consumed int) {
	p.helloMu.Lock()
	p.established.Store(true)
	n := p.unanswered
	p.unanswered = 0
	p.helloMu.Unlock()
	if n > consumed && !p.cfg.DisableAutoHello {
		p.requestHello()
	}
	p.keepOnce.Do(func() { close(p.keepStart) })
}

// requestHello asks the HELLO writer for one answer (coalesced).
func (p *Peer) requestHello() {
	select {
	case p.helloReq <- struct{}{}:
	default: // an answer is already due
	}
}

// Closed reports, without waiting, whether the connection has ended and how.
// Messages that arrived before the end may still be queued.
func (p *Peer) Closed() (*CloseInfo, bool) {
	select {
	case <-p.done():
		ci := p.info
		return &ci, true
	default:
		return nil, false
	}
}

// done is closed once the reader has ended.
func (p *Peer) done() <-chan struct{} { return p.readerDone }

// Close closes the connection and waits for the peer's goroutines to stop.
// It is safe to call from any goroutine, more than once.
func (p *Peer) Close() error {
	p.closeOnce.Do(func() {
		p.closing.Store(true)
		close(p.stop)
		p.raw.Close()
	})
	p.wg.Wait()
	return nil
}

// Reset aborts the connection with a TCP reset (SO_LINGER 0) instead of
// a FIN, then closes as Close does.
func (p *Peer) Reset() error {
	if tc, ok := p.raw.(*net.TCPConn); ok {
		tc.SetLinger(0)
		p.resetting.Store(true)
	}
	p.event(nil, "resetting the connection")
	return p.Close()
}

// Send encodes m and writes it.
func (p *Peer) Send(m omp.Message) error {
	b, err := omp.Encode(m)
	if err != nil {
		return fmt.Errorf("%s: send %s: %w", p.cfg.Name, m.Type(), err)
	}
	return p.write(b, m, nil, "")
}

// SendRaw writes b as it is. The transcript records what b decodes to
// (or its decode error: what the DUT should answer).
func (p *Peer) SendRaw(b []byte) error {
	m, err := safeDecode(b)
	return p.write(b, m, err, "raw")
}

// SendBuilt writes b, the bytes the caller built from m
// (mutators.Message with muts: the message encoded, then mutated), as
// they are: nothing is encoded again, so the DUT gets exactly b. The
// transcript records m itself for its plain encoding (no mutations, at
// most omp.MaxMessageLen bytes); otherwise what b decodes to (or its
// decode error: what the DUT should answer), noted "mutated: " and the
// mutations; with m nil, b as SendRaw does.
func (p *Peer) SendBuilt(b []byte, m omp.Message, muts ...mutators.Mutation) error {
	switch {
	case m == nil:
		return p.SendRaw(b)
	case len(muts) == 0 && len(b) <= omp.MaxMessageLen:
		return p.write(b, m, nil, "")
	}
	dm, derr := safeDecode(b)
	if dm == nil && derr == nil {
		dm = m
	}
	return p.write(b, dm, derr, "mutated: "+mutators.Describe(muts))
}

// write writes b under the write lock with the write deadline and records
// it.
func (p *Peer) write(b []byte, m omp.Message, derr error, note string) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	at := p.Since()
	what := describeBytes(b, m)
	if p.closing.Load() {
		return &SendError{Peer: p.cfg.Name, What: what, At: at, Err: net.ErrClosed}
	}
	p.conn.SetWriteDeadline(time.Now().Add(p.cfg.WriteTimeout))
	now := time.Now()
	_, err := p.conn.Write(b)
	p.tr.Add(transcript.Entry{Time: now, Dir: transcript.Sent, Peer: p.cfg.Name, Local: p.local, Remote: p.remote, Raw: b, Message: m, Err: derr, Note: note})
	if err != nil {
		se := &SendError{Peer: p.cfg.Name, What: what, At: at, Err: err}
		p.event(se, "write failed")
		return se
	}
	return nil
}

// describeBytes is b, which decoded to m (nil if it did not), by its
// Type with its size: "UPDATE (45 bytes)"; "3 bytes" if it is shorter
// than a header.
func describeBytes(b []byte, m omp.Message) string {
	t, ok := omp.TypeOf(b)
	if m != nil {
		t, ok = m.Type(), true
	}
	if !ok {
		return fmt.Sprintf("%d bytes", len(b))
	}
	return fmt.Sprintf("%s (%d bytes)", t, len(b))
}

// event records an event in the transcript.
func (p *Peer) event(err error, format string, args ...any) {
	p.connEvent(transcript.ConnNone, err, fmt.Sprintf(format, args...))
}

// connEvent records an event that says what became of the connection
// (transcript.Entry.Conn), or nothing if c is ConnNone.
func (p *Peer) connEvent(c transcript.Conn, err error, note string) {
	p.tr.Add(transcript.Entry{Dir: transcript.Event, Peer: p.cfg.Name, Local: p.local, Remote: p.remote, Err: err, Note: note, Conn: c})
	if err != nil {
		p.cfg.Logger.Debug(note, "peer", p.cfg.Name, "at", fmtAt(p.Since()), "err", err)
	} else {
		p.cfg.Logger.Debug(note, "peer", p.cfg.Name, "at", fmtAt(p.Since()))
	}
}

// helloLoop writes the HELLOs the peer sends on its own: answers to the
// DUT's HELLOs (requested by the reader, which must never block on a
// write) and, once established, one every HelloInterval. It stops on
// Close or when the connection ends.
func (p *Peer) helloLoop() {
	defer p.wg.Done()
	var (
		ticker *time.Ticker
		tick   <-chan time.Time
	)
	start, every, started := p.keepStart, p.cfg.HelloInterval, false
	restart := func() {
		if ticker != nil {
			ticker.Stop()
			ticker, tick = nil, nil
		}
		if started && every > 0 {
			ticker = time.NewTicker(every)
			tick = ticker.C
		}
	}
	defer func() {
		if ticker != nil {
			ticker.Stop()
		}
	}()
	for {
		select {
		case <-p.stop:
			return
		case <-p.readerDone:
			return
		case <-start:
			start, started = nil, true
			restart()
		case every = <-p.keepSet:
			restart()
		case <-p.helloReq:
			p.write(helloBytes, &omp.Hello{}, nil, "auto-answer HELLO")
		case <-tick:
			p.write(helloBytes, &omp.Hello{}, nil, "keepalive HELLO")
		}
	}
}

// SetKeepalive changes the interval of the peer's own HELLOs (the
// HelloInterval keepalive) from now on; 0 stops them. It takes effect once
// the session is established, as HelloInterval does. When it returns, no
// keepalive at the old interval is written any more (the HELLO writer
// took the change between two writes), so a case can time from its own
// last message. Safe from any goroutine; it returns at once on a peer
// that has ended.
func (p *Peer) SetKeepalive(every time.Duration) {
	select {
	case p.keepSet <- every:
	case <-p.stop:
	case <-p.readerDone:
	}
}

// drop makes the harness end the connection because of the DUT's
// behaviour (a flood); the end is reported as CloseOverflow with err.
func (p *Peer) drop(err error) {
	p.dropMu.Lock()
	if p.dropErr == nil {
		p.dropErr = err
	}
	p.dropMu.Unlock()
	p.event(err, "dropping the connection")
	p.raw.Close()
}

var helloBytes = func() []byte {
	b, err := omp.Encode(&omp.Hello{})
	if err != nil {
		panic(err)
	}
	return b
}()

// countingReader counts the bytes read from the connection, so that a
// step that times out can say how much of an unfinished message arrived.
type countingReader struct {
	r io.Reader
	n *atomic.Int64
}

func (c countingReader) Read(b []byte) (int, error) {
	n, err := c.r.Read(b)
	c.n.Add(int64(n))
	return n, err
}

// maxGarbageEntries bounds the transcript entries for unframeable data.
const maxGarbageEntries = 32

// readLoop is the connection's only reader. It never blocks on the queue:
// a full queue drops the connection (CloseOverflow).
func (p *Peer) readLoop() {
	defer p.wg.Done()
	r := omp.NewReader(countingReader{p.conn, &p.rx})
	for {
		raw, err := r.ReadRaw()
		if err == nil {
			p.framed.Add(int64(len(raw)))
			m, derr := safeDecode(raw)
			if !p.deliver(received(append([]byte(nil), raw...), m, derr)) {
				return
			}
			continue
		}
		if _, ok := omp.AsError(err); ok {
			p.framed.Add(int64(len(raw)))
			ev := received(append([]byte(nil), raw...), nil, err)
			ev.Unframeable = true
			if !p.deliver(ev) {
				return
			}
			p.desync(r)
			return
		}
		p.partialEntry(err, raw)
		p.finish(p.classify(err, raw))
		return
	}
}

// partialEntry records the bytes of a message the connection ended inside.
func (p *Peer) partialEntry(err error, raw []byte) {
	if errors.Is(err, omp.ErrTruncated) && len(raw) > 0 {
		p.tr.Add(transcript.Entry{Dir: transcript.Received, Peer: p.cfg.Name, Local: p.local, Remote: p.remote, Raw: raw, Err: err, Note: "incomplete: the connection ended inside this message"})
	}
}

// safeDecode is omp.Decode that turns a codec panic into an error: no
// bytes from a DUT may bring the harness down.
func safeDecode(raw []byte) (m omp.Message, err error) {
	defer func() {
		if r := recover(); r != nil {
			m, err = nil, fmt.Errorf("fake: the codec panicked decoding %d bytes: %v", len(raw), r)
		}
	}()
	return omp.Decode(raw)
}

// desync reads what follows unframeable data until the connection ends,
// recording it but delivering nothing: the stream cannot be framed again.
func (p *Peer) desync(r *omp.Reader) {
	entries, dropped := 0, 0
	for {
		raw, err := r.ReadRaw()
		if err != nil {
			if _, ok := omp.AsError(err); !ok {
				if dropped > 0 {
					p.event(nil, "%d more bytes of unframeable data not recorded", dropped)
				} else {
					p.partialEntry(err, raw)
				}
				ci := p.classify(err, raw)
				if ci.Kind == CloseMidMessage {
					// Nothing is framed after unframeable data.
					ci.Kind, ci.Partial, ci.Want = CloseEOF, 0, 0
				}
				p.finish(ci)
				return
			}
		}
		p.framed.Add(int64(len(raw)))
		if entries < maxGarbageEntries {
			entries++
			p.tr.Add(transcript.Entry{Dir: transcript.Received, Peer: p.cfg.Name, Local: p.local, Remote: p.remote, Raw: raw, Err: err, Note: "after unframeable data: not read as a message"})
		} else {
			dropped += len(raw)
		}
	}
}

// deliver records r, answers a HELLO, and queues r; false if the queue
// overflowed and the connection was dropped.
func (p *Peer) deliver(r *Event) bool {
	r.At = time.Now()
	r.Since = r.At.Sub(p.start)
	note := ""
	if r.Unframeable {
		note = "unframeable: the stream is lost after this"
	}
	p.tr.Add(transcript.Entry{Time: r.At, Dir: transcript.Received, Peer: p.cfg.Name, Local: p.local, Remote: p.remote, Raw: r.Raw, Message: r.Msg, Err: r.Err, Note: note})
	if _, ok := r.Msg.(*omp.Hello); ok {
		p.helloMu.Lock()
		if p.established.Load() {
			if !p.cfg.DisableAutoHello {
				p.requestHello()
			}
		} else {
			p.unanswered++
		}
		p.helloMu.Unlock()
	}
	select {
	case p.ch <- r:
		return true
	default:
	}
	p.finish(CloseInfo{Kind: CloseOverflow, At: p.Since(), Err: fmt.Errorf("more than %d received messages unread", cap(p.ch))})
	p.raw.Close()
	return false
}

// autoHello reports whether HELLOs are answered and skipped now.
func (p *Peer) autoHello() bool {
	return !p.cfg.DisableAutoHello && p.established.Load()
}

// classify names the end of the connection from the read error.
func (p *Peer) classify(err error, raw []byte) CloseInfo {
	ci := CloseInfo{At: p.Since(), Err: err, Partial: p.partial()}
	p.dropMu.Lock()
	dropErr := p.dropErr
	p.dropMu.Unlock()
	switch {
	case dropErr != nil:
		ci.Kind, ci.Err = CloseOverflow, dropErr
	case p.closing.Load():
		ci.Kind = CloseLocal
	case errors.Is(err, omp.ErrTruncated):
		ci.Kind, ci.Partial = CloseMidMessage, len(raw)
		ci.Want, _ = omp.HeaderLength(raw)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		ci.Kind = CloseEOF
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.EPIPE):
		ci.Kind = CloseReset
	default:
		ci.Kind = CloseError
	}
	return ci
}

// connEnd is how the TCP connection ended, as a capture draws it: the
// harness's FIN (a close, a dropped flood) or RST (Reset), the DUT's FIN
// or RST; ConnNone when the read error says neither (a TLS alert, a
// network error).
func (p *Peer) connEnd(k CloseKind) transcript.Conn {
	switch k {
	case CloseLocal, CloseOverflow:
		if p.resetting.Load() {
			return transcript.ConnRstLocal
		}
		return transcript.ConnFinLocal
	case CloseEOF, CloseMidMessage:
		return transcript.ConnFinRemote
	case CloseReset:
		return transcript.ConnRstRemote
	}
	return transcript.ConnNone
}

// finish records the end of the connection and closes the queue. The
// reader calls it exactly once, last.
func (p *Peer) finish(ci CloseInfo) {
	p.info = ci
	var err error
	if ci.Kind != CloseLocal && ci.Kind != CloseEOF {
		err = ci.Err
	}
	p.connEvent(p.connEnd(ci.Kind), err, ci.String())
	close(p.ch)
	close(p.readerDone)
}
