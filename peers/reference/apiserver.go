package reference

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"time"
)

// apiConns bounds the state API's open connections: the ones past it wait
// in the kernel's backlog, so that clients holding connections open cannot
// take the file descriptors the OMP listeners need.
const apiConns = 32

// apiServer is the state API's HTTP server: a request must arrive whole
// (headers and body) within 10 s and its answer leave within 30 s, and an
// idle keep-alive connection is closed after 30 s.
func apiServer(h http.Handler) *http.Server {
	return &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ReadTimeout: 10 * time.Second,
		WriteTimeout: 30 * time.Second, IdleTimeout: 30 * time.Second}
}

// limitListener accepts at most n connections open at once: Accept waits
// for one to close, or for the listener to close.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots chan struct{}
	done  chan struct{} // closed by Close
	once  sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

func (l *limitedListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// guardAPI refuses what a web page in the operator's browser could send
// to the state API (docs/dut-control.md, "Who may call"): a request whose
// Host is not a loopback literal (127.0.0.0/8, ::1), "localhost" or the
// listener's own address (DNS rebinding) is 403; one with an Origin
// that is not a loopback origin is 403; a request other than GET or
// HEAD without Content-Type application/json (a form or text/plain POST,
// which a browser sends across sites without asking first) is 415.
func guardAPI(h http.Handler, own string) http.Handler {
	ownHost, _, err := net.SplitHostPort(own)
	if err != nil {
		ownHost = own
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !loopbackHost(r.Host, ownHost) {
			http.Error(w, fmt.Sprintf("Host %.64q refused: the state API answers only a loopback Host (127.0.0.1, [::1], localhost)", r.Host), http.StatusForbidden)
			return
		}
		if o, ok := r.Header["Origin"]; ok && !loopbackOrigin(o) {
			http.Error(w, fmt.Sprintf("Origin %.64q refused: the state API answers only loopback origins", strings.Join(o, ", ")), http.StatusForbidden)
			return
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			if mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type")); err != nil || mt != "application/json" {
				http.Error(w, "Content-Type must be application/json", http.StatusUnsupportedMediaType)
				return
			}
		}
		h.ServeHTTP(w, r)
	})
}

// loopbackHost tells whether a request's Host (host, host:port, [v6] or
// [v6]:port) names a loopback address, localhost or own.
func loopbackHost(hostport, own string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	if host == "" {
		return false
	}
	if strings.EqualFold(host, "localhost") || (own != "" && strings.EqualFold(host, own)) {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && ip.Zone() == "" && ip.Unmap().IsLoopback()
}

// loopbackOrigin tells whether every Origin header is an http(s) origin
// on a loopback host ("null", a sandboxed or file page's, is not).
func loopbackOrigin(origins []string) bool {
	for _, o := range origins {
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || !loopbackHost(u.Host, "") {
			return false
		}
	}
	return len(origins) > 0
}
