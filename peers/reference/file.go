package reference

import (
	"bytes"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/netip"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/internal/tlsfile"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference/policy"
)

// FileConfig is the daemon's YAML configuration file (for users:
// docs/reference.md, which follows this comment). Unknown keys are
// errors. Every key is optional except role and system-ip (which flags
// may give instead).
//
//	role: controller              # controller, edge or hub
//	system-ip: 10.0.0.1           # router ID
//	site-id: 1
//	domain-id: 1
//	overlay-id: 0
//	listen: ["0.0.0.0:12346", "[::]:12346"]
//	neighbors:
//	  - address: 192.0.2.1:12346
//	    server-name: vsmart1      # TLS name to check, default the host
//	    shutdown: false
//	hold-time: 60                 # seconds; 0: no HELLO, no hold timer
//	min-hold-time: 0
//	gr-interval: 43200            # seconds; 0: no graceful restart
//	refresh: true
//	security: false
//	families: [ipv4/vroute, ipv6/vroute, ipv4/tloc, ipv6/tloc]
//	hello-vsmarts: [10.0.0.1]
//	tls: {cert: c.pem, key: k.pem, ca: ca.pem}
//	auth: {key: "secret", key-file: "", key-id: 1}
//	state-api: 127.0.0.1:12347    # loopback only
//	log-level: info               # debug, info, warn, error
//	timers: {handshake: 30s, connect-retry: 1s, connect-retry-max: 30s, write: 30s}
//	queue-length: 256
//	tlocs:
//	  - {address: 192.0.2.10, color: 1, encap: 2, preference: 100, private: 192.0.2.10:12346}
//	routes:
//	  - {vpn: 1, prefix: 10.1.0.0/16, origin: static, preference: 100}
//	policy: |
//	  ... (docs/policy.md)
//	policy-file: policy.txt
//	faults: [alert-never]         # deliberate bugs (docs/faults.md); never in production
type FileConfig struct {
	Role         string         `yaml:"role"`
	SystemIP     yAddr          `yaml:"system-ip"`
	SiteID       uint32         `yaml:"site-id"`
	DomainID     uint32         `yaml:"domain-id"`
	OverlayID    uint32         `yaml:"overlay-id"`
	Listen       []string       `yaml:"listen"`
	Neighbors    []FileNeighbor `yaml:"neighbors"`
	HoldTime     *uint16        `yaml:"hold-time"`
	MinHoldTime  uint16         `yaml:"min-hold-time"`
	GRInterval   *uint32        `yaml:"gr-interval"`
	Refresh      *bool          `yaml:"refresh"`
	Security     bool           `yaml:"security"`
	Families     []yFamily      `yaml:"families"`
	HelloVSmarts []yAddr        `yaml:"hello-vsmarts"`
	TLS          *FileTLS       `yaml:"tls"`
	Auth         *FileAuth      `yaml:"auth"`
	StateAPI     string         `yaml:"state-api"`
	LogLevel     string         `yaml:"log-level"`
	Timers       FileTimers     `yaml:"timers"`
	QueueLength  int            `yaml:"queue-length"`
	Limits       FileLimits     `yaml:"limits"`
	TLOCs        []FileTLOC     `yaml:"tlocs"`
	Routes       []FileRoute    `yaml:"routes"`
	Policy       string         `yaml:"policy"`
	PolicyFile   string         `yaml:"policy-file"`
	Faults       []string       `yaml:"faults"`
	dir          string         // the file's directory, for relative paths
}

// FileLimits are the limits of docs/fsm.md (Limits): 0 or absent takes
// the default, -1 is no limit.
type FileLimits struct {
	MaxConnections          int `yaml:"max-connections"`
	MaxConnectionsPerSource int `yaml:"max-connections-per-source"`
	MaxRoutesPerPeer        int `yaml:"max-routes-per-peer"`
	MaxPathsPerPrefix       int `yaml:"max-paths-per-prefix"`
	MaxAttrSetsPerPeer      int `yaml:"max-attribute-sets-per-peer"`
	PeerHistory             int `yaml:"peer-history"`
}

// FileNeighbor is a neighbor in the file.
type FileNeighbor struct {
	Address    string `yaml:"address"`
	ServerName string `yaml:"server-name"`
	Shutdown   bool   `yaml:"shutdown"`
}

// FileTLS names the PEM files of the TLS layer.
type FileTLS struct {
	Cert string `yaml:"cert"`
	Key  string `yaml:"key"`
	CA   string `yaml:"ca"`
}

// FileAuth is the HANDSHAKE authentication key.
type FileAuth struct {
	Key     string `yaml:"key"`
	KeyFile string `yaml:"key-file"`
	KeyID   uint8  `yaml:"key-id"`
}

// FileTimers are the session timers, as Go durations ("30s").
type FileTimers struct {
	Handshake       time.Duration `yaml:"handshake"`
	ConnectRetry    time.Duration `yaml:"connect-retry"`
	ConnectRetryMax time.Duration `yaml:"connect-retry-max"`
	Write           time.Duration `yaml:"write"`
}

// FileTLOC is an originated TLOC.
type FileTLOC struct {
	Address    yAddr     `yaml:"address"`
	Color      uint8     `yaml:"color"`
	Encap      uint8     `yaml:"encap"`
	Preference uint32    `yaml:"preference"`
	Weight     uint32    `yaml:"weight"`
	Private    yAddrPort `yaml:"private"`
	Public     yAddrPort `yaml:"public"`
}

// FileRoute is an originated vRoute.
type FileRoute struct {
	VPN    uint64  `yaml:"vpn"`
	Prefix yPrefix `yaml:"prefix"`
	TLOC   *struct {
		Address yAddr `yaml:"address"`
		Color   uint8 `yaml:"color"`
		Encap   uint8 `yaml:"encap"`
	} `yaml:"tloc"`
	Preference uint32 `yaml:"preference"`
	Tag        uint32 `yaml:"tag"`
	Origin     string `yaml:"origin"`
	Label      uint32 `yaml:"label"`
}

// The scalar types below parse with the line number in their errors.
type (
	yAddr     struct{ netip.Addr }
	yPrefix   struct{ netip.Prefix }
	yAddrPort struct{ netip.AddrPort }
	yFamily   struct{ omp.Family }
)

func (a *yAddr) UnmarshalYAML(n *yaml.Node) error {
	return yScalar(n, &a.Addr, netip.ParseAddr, "an IP address")
}

func (p *yPrefix) UnmarshalYAML(n *yaml.Node) error {
	return yScalar(n, &p.Prefix, netip.ParsePrefix, "a prefix (address/length)")
}

func (p *yAddrPort) UnmarshalYAML(n *yaml.Node) error {
	return yScalar(n, &p.AddrPort, netip.ParseAddrPort, "address:port")
}

func (f *yFamily) UnmarshalYAML(n *yaml.Node) error {
	return yScalar(n, &f.Family, omp.ParseFamily, "")
}

// yScalar parses the scalar n into *v; an error names the line and says
// what the value is not (what "": parse's own error says it).
func yScalar[T any](n *yaml.Node, v *T, parse func(string) (T, error), what string) error {
	x, err := parse(n.Value)
	if err != nil {
		if what == "" {
			return fmt.Errorf("line %d: %v", n.Line, err)
		}
		return fmt.Errorf("line %d: %q is not %s", n.Line, n.Value, what)
	}
	*v = x
	return nil
}

var unknownKey = regexp.MustCompile(`field (\S+) not found in type \S+`)

// ParseFileConfig reads a configuration file strictly: unknown keys,
// wrong types and bad values are errors that name the line.
func ParseFileConfig(name string, r io.Reader) (*FileConfig, error) {
	dec := yaml.NewDecoder(r)
	dec.KnownFields(true)
	fc := &FileConfig{dir: filepath.Dir(name)}
	if err := dec.Decode(fc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("%s: the file is empty", name)
		}
		msg := strings.TrimPrefix(err.Error(), "yaml: ")
		msg = strings.TrimPrefix(msg, "unmarshal errors:\n  ")
		msg = strings.ReplaceAll(msg, "\n  ", "; ")
		msg = unknownKey.ReplaceAllString(msg, `unknown key "$1"`)
		return nil, fmt.Errorf("%s: %s", name, msg)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("%s: line %d: a second YAML document; want one", name, extra.Line)
	}
	return fc, nil
}

// LoadFileConfig reads and parses a configuration file.
func LoadFileConfig(path string) (*FileConfig, error) {
	b, err := filein.Read(path, filein.Default)
	if err != nil {
		return nil, err
	}
	return ParseFileConfig(path, bytes.NewReader(b))
}

func (fc *FileConfig) path(p string) string {
	if p == "" || filepath.IsAbs(p) || fc.dir == "" {
		return p
	}
	return filepath.Join(fc.dir, p)
}

// Config converts the file to a speaker Config (without Logger and
// Routing), loading the TLS, key and policy files it names.
func (fc *FileConfig) Config() (Config, error) {
	var cfg Config
	var errs []error
	if fc.Role != "" {
		r, err := omp.ParseRole(fc.Role)
		if err != nil {
			errs = append(errs, err)
		}
		cfg.Role = r
	}
	cfg.RouterID = fc.SystemIP.Addr
	cfg.SiteID, cfg.DomainID, cfg.OverlayID = fc.SiteID, fc.DomainID, fc.OverlayID
	cfg.Listen = fc.Listen
	for _, n := range fc.Neighbors {
		cfg.Neighbors = append(cfg.Neighbors, Neighbor{Address: n.Address, ServerName: n.ServerName, Shutdown: n.Shutdown})
	}
	cfg.HoldTime, cfg.MinHoldTime, cfg.GRInterval = fc.HoldTime, fc.MinHoldTime, fc.GRInterval
	cfg.NoRefresh = fc.Refresh != nil && !*fc.Refresh
	cfg.Security = fc.Security
	for _, f := range fc.Families {
		cfg.Families = append(cfg.Families, f.Family)
	}
	for _, a := range fc.HelloVSmarts {
		cfg.HelloVSmarts = append(cfg.HelloVSmarts, a.Addr)
	}
	if fc.TLS != nil {
		t, err := LoadTLS(fc.path(fc.TLS.Cert), fc.path(fc.TLS.Key), fc.path(fc.TLS.CA))
		if err != nil {
			errs = append(errs, err)
		}
		cfg.TLS = t
	}
	if fc.Auth != nil {
		cfg.AuthKey, cfg.AuthKeyID = []byte(fc.Auth.Key), fc.Auth.KeyID
		if fc.Auth.KeyFile != "" {
			if fc.Auth.Key != "" {
				errs = append(errs, errors.New("auth: key and key-file are exclusive"))
			}
			b, err := filein.Read(fc.path(fc.Auth.KeyFile), filein.Default)
			if err != nil {
				errs = append(errs, fmt.Errorf("auth key-file: %w", err))
			}
			cfg.AuthKey = bytes.TrimRight(b, "\r\n")
		}
	}
	cfg.HandshakeTimeout, cfg.ConnectRetry = fc.Timers.Handshake, fc.Timers.ConnectRetry
	cfg.ConnectRetryMax, cfg.WriteTimeout = fc.Timers.ConnectRetryMax, fc.Timers.Write
	cfg.QueueLen = fc.QueueLength
	cfg.MaxConnections = fc.Limits.MaxConnections
	cfg.MaxConnectionsPerSource = fc.Limits.MaxConnectionsPerSource
	cfg.MaxRoutesPerPeer = fc.Limits.MaxRoutesPerPeer
	cfg.MaxPathsPerPrefix = fc.Limits.MaxPathsPerPrefix
	cfg.MaxAttrSetsPerPeer = fc.Limits.MaxAttrSetsPerPeer
	cfg.PeerHistory = fc.Limits.PeerHistory
	for _, t := range fc.TLOCs {
		cfg.TLOCs = append(cfg.TLOCs, TLOCConfig{TLOCKey: TLOCKey{Address: t.Address.Addr, Color: t.Color, Encap: t.Encap},
			Preference: t.Preference, Weight: t.Weight, Private: t.Private.AddrPort, Public: t.Public.AddrPort})
	}
	for _, r := range fc.Routes {
		rc := RouteConfig{VPN: r.VPN, Prefix: r.Prefix.Prefix, Preference: r.Preference, Tag: r.Tag, Origin: r.Origin, Label: r.Label}
		if r.TLOC != nil {
			rc.TLOC = TLOCKey{Address: r.TLOC.Address.Addr, Color: r.TLOC.Color, Encap: r.TLOC.Encap}
		}
		cfg.Routes = append(cfg.Routes, rc)
	}
	for _, f := range fc.Faults {
		cfg.Faults = append(cfg.Faults, Fault(f))
	}
	cfg.Policy = []byte(fc.Policy)
	if fc.PolicyFile != "" {
		if fc.Policy != "" {
			errs = append(errs, errors.New("policy and policy-file are exclusive"))
		}
		b, err := readPolicyFile(fc.path(fc.PolicyFile))
		if err != nil {
			errs = append(errs, err)
		}
		cfg.Policy = b
	}
	return cfg, errors.Join(errs...)
}

// readPolicyFile reads a policy file and checks that it parses, so that
// an error names the file and the line (and quotes no more than a word's
// head of it: policy.Parse).
func readPolicyFile(path string) ([]byte, error) {
	b, err := filein.Read(path, filein.Default)
	if err != nil {
		return nil, fmt.Errorf("policy-file: %w", err)
	}
	if _, err := policy.Parse(b); err != nil {
		return nil, fmt.Errorf("policy-file %s: %w", path, err)
	}
	return b, nil
}

// LoadTLS builds the TLS configuration of a speaker from PEM files: its
// certificate and key, and the CA that signs its peers' certificates.
func LoadTLS(certFile, keyFile, caFile string) (*tls.Config, error) {
	if certFile == "" || keyFile == "" || caFile == "" {
		return nil, errors.New("tls: cert, key and ca are all required (mutual authentication)")
	}
	cert, err := tlsfile.KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	pool, err := tlsfile.CertPool(caFile)
	if err != nil {
		return nil, fmt.Errorf("tls: %w", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: pool, ClientCAs: pool,
		ClientAuth: tls.RequireAndVerifyClientCert, MinVersion: tls.VersionTLS12}, nil
}
