package reference

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"github.com/ompconform/ompconform/internal/cliflags"
	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/omp"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

// DefaultStateAPI is where the daemon serves its state API unless told
// otherwise: loopback, the port after omp.DefaultPort.
const DefaultStateAPI = "127.0.0.1:12347"

// Main is `ompconform reference`: it runs the reference speaker until
// SIGTERM or SIGINT, then sends ALERT OPER/TERM to its peers and exits.
func Main(args []string, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	return Run(ctx, args, stdout, stderr)
}

// listFlag is a repeatable, comma-separated flag.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// daemonFlags are the command line of `ompconform reference`.
type daemonFlags struct {
	fs                                *flag.FlagSet
	config, role, systemIP            string
	siteID, domainID, overlayID       uint
	listen, connect, faults           listFlag
	holdTime, minHoldTime, grInterval uint
	tlsCert, tlsKey, tlsCA            string
	authKey, authKeyFile              string
	authKeyID                         uint
	stateAPI, logLevel, policyFile    string
	handshakeTimeout, connectRetry    time.Duration
	connectRetryMax, writeTimeout     time.Duration
	noRefresh, listFaults, responder  bool
	maxConns, maxConnsPerSource       int
	maxRoutesPerPeer, peerHistory     int
	maxPathsPerPrefix                 int
	maxAttrSetsPerPeer                int
}

func newDaemonFlags(stderr io.Writer) *daemonFlags {
	d := &daemonFlags{fs: flag.NewFlagSet("ompconform reference", flag.ContinueOnError)}
	fs := d.fs
	cliflags.Setup(fs, stderr, "reference", func() string {
		var b strings.Builder
		b.WriteString("usage: ompconform reference [--config file.yaml] [flags]\n\n" +
			"Runs the reference OMP speaker (docs/fsm.md). Flags override the file.\n" +
			"Routes, TLOCs and policy come from the file (or --policy-file); its\n" +
			"format: docs/reference.md. An edge or hub needs a TLOC of its own:\n\n" +
			"  # edge.yaml\n" +
			"  tlocs:\n" +
			"    - {address: 198.51.100.9, color: 1, encap: 2}\n" +
			"  routes:\n" +
			"    - {vpn: 1, prefix: 10.254.0.0/24, origin: static}\n\n" +
			"  ompconform reference --config edge.yaml --role edge --system-ip 192.0.2.9 \\\n" +
			"      --listen 127.0.0.1:12346\n\n")
		cliflags.PrintDefaults(&b, fs)
		return b.String()
	})
	fs.StringVar(&d.config, "config", "", "YAML configuration file (FileConfig)")
	fs.StringVar(&d.role, "role", "", "controller, edge or hub")
	fs.StringVar(&d.systemIP, "system-ip", "", "system IP (router ID), IPv4")
	fs.UintVar(&d.siteID, "site-id", 0, "site ID")
	fs.UintVar(&d.domainID, "domain-id", 0, "domain ID")
	fs.UintVar(&d.overlayID, "overlay-id", 0, "overlay ID (0: none)")
	fs.Var(&d.listen, "listen", fmt.Sprintf("listen address host:port, repeatable (a controller defaults to :%d)", omp.DefaultPort))
	fs.Var(&d.connect, "connect", fmt.Sprintf("neighbor to dial, host[:port], repeatable (port %d by default)", omp.DefaultPort))
	fs.UintVar(&d.holdTime, "hold-time", omp.DefaultHoldTime, "hold time offered, seconds (0: no HELLO)")
	fs.UintVar(&d.minHoldTime, "min-hold-time", 0, "refuse peers offering less")
	fs.UintVar(&d.grInterval, "gr-interval", omp.DefaultGRInterval, "graceful restart interval, seconds (0: off)")
	fs.BoolVar(&d.noRefresh, "no-refresh", false, "do not offer the REFRESH capability")
	fs.BoolVar(&d.responder, "responder", false, "send the HANDSHAKE of an accepted session only once the peer's has begun to arrive")
	fs.StringVar(&d.tlsCert, "tls-cert", "", "TLS certificate (PEM); with -tls-key and -tls-ca, sessions use mutual TLS")
	fs.StringVar(&d.tlsKey, "tls-key", "", "TLS private key (PEM)")
	fs.StringVar(&d.tlsCA, "tls-ca", "", "CA certificate(s) of the peers (PEM)")
	fs.StringVar(&d.authKey, "auth-key", "", "HANDSHAKE authentication key (HMAC-SHA256)")
	fs.StringVar(&d.authKeyFile, "auth-key-file", "", "file holding the authentication key")
	fs.UintVar(&d.authKeyID, "auth-key-id", 0, "authentication Key ID (default 1)")
	fs.StringVar(&d.policyFile, "policy-file", "", "control policy file (docs/policy.md)")
	fs.StringVar(&d.stateAPI, "state-api", DefaultStateAPI, "loopback address of the read-only JSON state API (empty: off)")
	fs.StringVar(&d.logLevel, "log-level", "info", "debug, info, warn or error")
	fs.DurationVar(&d.handshakeTimeout, "handshake-timeout", 0, "wait for the peer's HANDSHAKE (default 30s)")
	fs.DurationVar(&d.connectRetry, "connect-retry", 0, "first redial wait (default 1s)")
	fs.DurationVar(&d.connectRetryMax, "connect-retry-max", 0, "longest redial wait (default 30s)")
	fs.DurationVar(&d.writeTimeout, "write-timeout", 0, "drop a peer that takes no data for this long (default 30s)")
	fs.IntVar(&d.maxConns, "max-connections", DefaultMaxConnections, "sessions open at once; more are closed at accept (-1: no limit)")
	fs.IntVar(&d.maxConnsPerSource, "max-connections-per-source", DefaultMaxConnectionsPerSource, "sessions open at once from one remote address (-1: no limit)")
	fs.IntVar(&d.maxRoutesPerPeer, "max-routes-per-peer", DefaultMaxRoutesPerPeer, "paths one peer may have; past it ALERT OPER/CLEAR and close (-1: no limit)")
	fs.IntVar(&d.maxPathsPerPrefix, "max-paths-per-prefix", DefaultMaxPathsPerPrefix, "paths one peer may have to one destination; past it ALERT OPER/CLEAR and close (-1: no limit)")
	fs.IntVar(&d.maxAttrSetsPerPeer, "max-attribute-sets-per-peer", DefaultMaxAttrSetsPerPeer, "distinct attribute sets one peer's routes may carry; past it ALERT OPER/CLEAR and close (-1: no limit)")
	fs.IntVar(&d.peerHistory, "peer-history", DefaultPeerHistory, "ended sessions the state API remembers (-1: none)")
	fs.Var(&d.faults, "fault", "switch a named fault (deliberate bug) on, repeatable; replaces the file's faults (docs/faults.md)")
	fs.BoolVar(&d.listFaults, "list-faults", false, "print the named faults (name, area, roles, summary) and exit")
	return d
}

// settings builds the speaker Config and the daemon's own options from
// the file (if any) and the flags that were set.
func (d *daemonFlags) settings() (cfg Config, stateAPI, logLevel string, err error) {
	stateAPI, logLevel = d.stateAPI, d.logLevel
	set := map[string]bool{}
	d.fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if d.config != "" {
		fc, err := LoadFileConfig(d.config)
		if err != nil {
			return cfg, "", "", err
		}
		if cfg, err = fc.Config(); err != nil {
			return cfg, "", "", fmt.Errorf("%s: %w", d.config, err)
		}
		if fc.StateAPI != "" && !set["state-api"] {
			stateAPI = fc.StateAPI
		}
		if fc.LogLevel != "" && !set["log-level"] {
			logLevel = fc.LogLevel
		}
	}
	var errs []error
	if set["role"] {
		if cfg.Role, err = omp.ParseRole(d.role); err != nil {
			errs = append(errs, err)
		}
	}
	if set["system-ip"] {
		if cfg.RouterID, err = netip.ParseAddr(d.systemIP); err != nil {
			errs = append(errs, fmt.Errorf("-system-ip: %v", err))
		}
	}
	u32 := func(name string, v uint, dst *uint32) {
		if set[name] {
			if v > 0xFFFFFFFF {
				errs = append(errs, fmt.Errorf("-%s %d does not fit 32 bits", name, v))
			}
			*dst = uint32(v)
		}
	}
	u32("site-id", d.siteID, &cfg.SiteID)
	u32("domain-id", d.domainID, &cfg.DomainID)
	u32("overlay-id", d.overlayID, &cfg.OverlayID)
	if set["gr-interval"] {
		var g uint32
		u32("gr-interval", d.grInterval, &g)
		cfg.GRInterval = &g
	}
	if set["hold-time"] || set["min-hold-time"] {
		if d.holdTime > 0xFFFF || d.minHoldTime > 0xFFFF {
			errs = append(errs, errors.New("hold times are 16 bits"))
		}
	}
	if set["hold-time"] {
		h := uint16(d.holdTime)
		cfg.HoldTime = &h
	}
	if set["min-hold-time"] {
		cfg.MinHoldTime = uint16(d.minHoldTime)
	}
	if set["no-refresh"] {
		cfg.NoRefresh = d.noRefresh
	}
	if set["responder"] {
		cfg.Responder = d.responder
	}
	if set["listen"] {
		cfg.Listen = d.listen
	}
	if set["connect"] {
		cfg.Neighbors = nil
		for _, a := range d.connect {
			cfg.Neighbors = append(cfg.Neighbors, Neighbor{Address: a})
		}
	}
	if set["tls-cert"] || set["tls-key"] || set["tls-ca"] {
		if cfg.TLS, err = LoadTLS(d.tlsCert, d.tlsKey, d.tlsCA); err != nil {
			errs = append(errs, err)
		}
	}
	if set["auth-key"] {
		cfg.AuthKey = []byte(d.authKey)
	}
	if set["auth-key-file"] {
		b, err := filein.Read(d.authKeyFile, filein.Default)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.AuthKey = []byte(strings.TrimRight(string(b), "\r\n"))
	}
	if set["auth-key-id"] {
		if d.authKeyID == 0 || d.authKeyID > 255 {
			errs = append(errs, fmt.Errorf("-auth-key-id %d: want 1..255", d.authKeyID))
		}
		cfg.AuthKeyID = uint8(d.authKeyID)
	}
	if set["fault"] {
		cfg.Faults = nil
		for _, f := range d.faults {
			cfg.Faults = append(cfg.Faults, Fault(f))
		}
	}
	if set["policy-file"] {
		if cfg.Policy, err = readPolicyFile(d.policyFile); err != nil {
			errs = append(errs, err)
		}
	}
	dur := func(name string, v time.Duration, dst *time.Duration) {
		if set[name] {
			*dst = v
		}
	}
	ints := func(name string, v int, dst *int) {
		if set[name] {
			*dst = v
			if v == 0 {
				*dst = -1 // 0 on the command line: no limit, as -1
			}
		}
	}
	ints("max-connections", d.maxConns, &cfg.MaxConnections)
	ints("max-connections-per-source", d.maxConnsPerSource, &cfg.MaxConnectionsPerSource)
	ints("max-routes-per-peer", d.maxRoutesPerPeer, &cfg.MaxRoutesPerPeer)
	ints("max-paths-per-prefix", d.maxPathsPerPrefix, &cfg.MaxPathsPerPrefix)
	ints("max-attribute-sets-per-peer", d.maxAttrSetsPerPeer, &cfg.MaxAttrSetsPerPeer)
	ints("peer-history", d.peerHistory, &cfg.PeerHistory)
	dur("handshake-timeout", d.handshakeTimeout, &cfg.HandshakeTimeout)
	dur("connect-retry", d.connectRetry, &cfg.ConnectRetry)
	dur("connect-retry-max", d.connectRetryMax, &cfg.ConnectRetryMax)
	dur("write-timeout", d.writeTimeout, &cfg.WriteTimeout)
	if len(cfg.Listen) == 0 && cfg.Role == omp.RoleController {
		cfg.Listen = []string{fmt.Sprintf(":%d", omp.DefaultPort)}
	}
	return cfg, stateAPI, logLevel, errors.Join(errs...)
}

// configWarnings are the warnings, one line each, about a configuration
// that runs but is most likely not what its user meant.
func configWarnings(cfg Config) []string {
	var w []string
	if cfg.Role != omp.RoleController && len(cfg.TLOCs) == 0 {
		w = append(w, "an SDN router without a TLOC advertises no TLOC route and originates no vRoute: "+
			"cases INF-015 and ORG-001..003 expect one; give it in the configuration file's tlocs: (docs/reference.md)")
	}
	if len(cfg.Listen) == 0 && len(cfg.Neighbors) == 0 {
		w = append(w, "neither --listen nor --connect: no session can open (give --listen host:port to be a DUT)")
	}
	return w
}

// printFaults writes the fault registry as a table.
func printFaults(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tAREA\tROLES\tSUMMARY")
	for _, f := range Faults() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Name, f.Area, roleList(f.Roles), f.Summary)
	}
	tw.Flush()
}

func parseLevel(s string) (slog.Level, error) {
	var l slog.Level
	err := l.UnmarshalText([]byte(s))
	return l, err
}

// checkLoopback refuses a state API address that is not on loopback.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("state API %q: %v", addr, err)
	}
	if host == "localhost" {
		return nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil || !ip.IsLoopback() {
		return fmt.Errorf("state API %q: must be a loopback address (127.0.0.0/8, ::1)", addr)
	}
	return nil
}

// Run is Main with its context: it runs until ctx ends. It prints one
// line to stdout once the speaker runs: its listen addresses and the
// state API's. Exit codes: 0 stopped cleanly, 1 could not start, 2 bad
// command line or configuration.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	d := newDaemonFlags(stderr)
	if err := d.fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if d.fs.NArg() > 0 {
		fmt.Fprintf(stderr, "ompconform reference: unexpected argument %q\n", d.fs.Arg(0))
		return 2
	}
	if d.listFaults {
		printFaults(stdout)
		return 0
	}
	cfg, stateAPI, level, err := d.settings()
	if err != nil {
		fmt.Fprintf(stderr, "ompconform reference: %v\n", err)
		return 2
	}
	lvl, err := parseLevel(level)
	if err != nil {
		fmt.Fprintf(stderr, "ompconform reference: log level %q: %v\n", level, err)
		return 2
	}
	if stateAPI != "" {
		if err := checkLoopback(stateAPI); err != nil {
			fmt.Fprintf(stderr, "ompconform reference: %v\n", err)
			return 2
		}
	}
	if err := cfg.check(); err != nil {
		fmt.Fprintf(stderr, "ompconform reference: configuration: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	cfg.Logger = log
	for _, w := range configWarnings(cfg) {
		log.Warn(w)
	}

	sp, err := Start(context.Background(), cfg)
	if err != nil {
		fmt.Fprintf(stderr, "ompconform reference: %v\n", err)
		return 1
	}
	// The control contract's terminate ends the daemon as SIGTERM does.
	ctx, terminate := context.WithCancel(ctx)
	defer terminate()
	var srv *http.Server
	var srvDone chan struct{}
	apiAddr := "off"
	if stateAPI != "" {
		ln, err := net.Listen("tcp", stateAPI)
		if err != nil {
			sp.Close()
			fmt.Fprintf(stderr, "ompconform reference: state API: %v\n", err)
			return 1
		}
		apiAddr = "http://" + ln.Addr().String() + "/"
		srv = apiServer(guardAPI(withControl(StateHandler(sp), sp, terminate), ln.Addr().String()))
		srvDone = make(chan struct{})
		go func() {
			defer close(srvDone)
			if err := srv.Serve(limitListener(ln, apiConns)); err != nil && !errors.Is(err, http.ErrServerClosed) {
				log.Error("state API", "err", err)
			}
		}()
	}
	var addrs []string
	for _, a := range sp.Addrs() {
		addrs = append(addrs, a.String())
	}
	fmt.Fprintf(stdout, "ompconform reference: %s %s listening on [%s], state API %s\n",
		cfg.Role, cfg.RouterID, strings.Join(addrs, " "), apiAddr)

	code := 0
	select {
	case <-ctx.Done():
		log.Info("stopping: ALERT OPER/TERM to every peer")
	case <-sp.Done():
		// Only a crash fault (docs/faults.md) stops it on its own: the
		// daemon exits as the crashed process would.
		fmt.Fprintf(stderr, "ompconform reference: the speaker crashed (a deliberate fault)\n")
		code = 1
	}
	sp.Close()
	if srv != nil {
		sctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		srv.Shutdown(sctx)
		cancel()
		<-srvDone
	}
	return code
}

// Listing limits of the state API (docs/fsm.md, State API).
const (
	DefaultListLimit = 1000   // entries per page when ?limit= is not given
	MaxListLimit     = 100000 // the largest ?limit= taken
)

// StateHandler serves the speaker's state as JSON, read only (GET):
//
//	/state   the speaker, its neighbors and peers, the routing summary (Summary)
//	/peers   neighbors and peers: state, counters, negotiated, alerts, routes
//	/routes  routes with best-path marks, a page: ?limit=N&after=CURSOR&family=NAME
//	/tlocs   TLOC routes, a page: ?limit=N&after=CURSOR
//	/fib     an edge's FIB, a page: ?limit=N&after=CURSOR
//	/policy  the policy configured and received
//
// /state and /peers cost O(peers) and never copy the RIB. A page holds at
// most limit entries (default DefaultListLimit, at most MaxListLimit) and
// says where the next starts ("next", to pass as after=) and whether it
// is the last ("done"); the RIB is held for a bounded scan at a time.
func StateHandler(sp *Speaker) http.Handler {
	mux := http.NewServeMux()
	reply := func(w http.ResponseWriter, v any) {
		w.Header().Set("Content-Type", "application/json")
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.Encode(v)
	}
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		reply(w, map[string]any{"endpoints": []string{"/state", "/peers", "/routes", "/tlocs", "/fib", "/policy"}})
	})
	mux.HandleFunc("GET /state", func(w http.ResponseWriter, r *http.Request) { reply(w, sp.Summary()) })
	mux.HandleFunc("GET /peers", func(w http.ResponseWriter, r *http.Request) {
		s := sp.summary()
		reply(w, map[string]any{"neighbors": s.Neighbors, "peers": s.Peers})
	})
	list := func(kind string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			rl, ok := sp.routing.(RouteLister)
			if !ok {
				reply(w, sp.routing.Snapshot()) // a routing half of its own, small
				return
			}
			q := RouteQuery{Kind: kind, Limit: DefaultListLimit, Family: r.URL.Query().Get("family")}
			var err error
			if v := r.URL.Query().Get("limit"); v != "" {
				if q.Limit, err = strconv.Atoi(v); err != nil || q.Limit < 1 {
					http.Error(w, "limit: want a positive integer", http.StatusBadRequest)
					return
				}
				q.Limit = min(q.Limit, MaxListLimit)
			}
			if v := r.URL.Query().Get("after"); v != "" {
				if q.After, err = strconv.ParseUint(v, 10, 64); err != nil {
					http.Error(w, "after: want the cursor of the previous page", http.StatusBadRequest)
					return
				}
			}
			pg := rl.ListRoutes(q)
			if kind == "routes" && pg.Routes == nil {
				pg.Routes = []RouteState{}
			}
			if kind == "tlocs" && pg.TLOCs == nil {
				pg.TLOCs = []RouteState{}
			}
			reply(w, pg)
		}
	}
	mux.HandleFunc("GET /routes", list("routes"))
	mux.HandleFunc("GET /tlocs", list("tlocs"))
	mux.HandleFunc("GET /fib", list("fib"))
	mux.HandleFunc("GET /policy", func(w http.ResponseWriter, r *http.Request) {
		if rr, ok := sp.routing.(interface{ policyState() map[string]any }); ok {
			reply(w, rr.policyState())
			return
		}
		reply(w, sp.routing.Snapshot())
	})
	return mux
}

// Usage is the help text of `ompconform reference`.
func Usage() string {
	var b strings.Builder
	newDaemonFlags(&b).fs.Usage()
	b.WriteString("\nThe YAML file: docs/reference.md (FileConfig in peers/reference/file.go).\n" +
		"The session state machine, defaults and choices: docs/fsm.md.\n" +
		"exit status: 0 stopped by SIGTERM/SIGINT, 1 could not start, 2 bad flags or configuration\n")
	return b.String()
}
