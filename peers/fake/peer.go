package fake

import (
	"fmt"
	"net"
	"sync"
	"sync/atomic"
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
	rtt    atomic.Int64 // the last round-trip estimate RTT read (ns)
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
	p.RTT() // the estimate from the TCP handshake, kept should the connection end unread
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

// PiecePause is how long SendPieces waits between two pieces, so that
// each goes out in a TCP segment of its own.
const PiecePause = 5 * time.Millisecond

// SendPieces writes b in pieces of size bytes, PiecePause apart, holding
// the write lock throughout: nothing else the peer writes (a keepalive
// HELLO, the answer to the DUT's HELLO) can come between two pieces and
// break the message a real speaker would send whole. Each piece is
// recorded as SendRaw records it, noted note.
func (p *Peer) SendPieces(b []byte, size int, note string) error {
	if size <= 0 {
		size = len(b)
	}
	p.wmu.Lock()
	defer p.wmu.Unlock()
	for at := 0; at < len(b); at += size {
		if at > 0 {
			time.Sleep(PiecePause)
		}
		piece := b[at:min(at+size, len(b))]
		m, err := safeDecode(piece)
		if err := p.writeLocked(piece, m, err, note); err != nil {
			return err
		}
	}
	return nil
}

// write writes b under the write lock with the write deadline and records
// it.
func (p *Peer) write(b []byte, m omp.Message, derr error, note string) error {
	p.wmu.Lock()
	defer p.wmu.Unlock()
	return p.writeLocked(b, m, derr, note)
}

// writeLocked is write, the write lock held.
func (p *Peer) writeLocked(b []byte, m omp.Message, derr error, note string) error {
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
// behaviour (a flood); the end is reported as CloseFlood with err.
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
