package container

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"

	"github.com/ompconform/ompconform/internal/defaults"
	"github.com/ompconform/ompconform/omp"
)

// Defaults of a Spec.
const (
	DefaultStartupTimeout = 60 * time.Second
	DefaultStopTimeout    = 10 * time.Second
	DefaultHost           = "127.0.0.1"
)

// LabelDUT is set (to "true") on every container Start creates.
const LabelDUT = "org.ompconform.dut"

// logTail bounds the container output quoted in an error.
const logTail = 4096

// Spec describes a DUT container. Exactly one of Image and Build is set.
type Spec struct {
	// Image is a local image ("vendor/omp:1.2"). It is never pulled: a
	// missing image is an error.
	Image string
	// Build builds the image from a Dockerfile context first.
	Build *Build
	// Args are the arguments after the image's entrypoint (its CMD); nil
	// keeps the image's CMD.
	Args []string
	// Entrypoint, if set, replaces the image's entrypoint.
	Entrypoint []string
	// Env is the container's environment, added to the image's.
	Env map[string]string
	// Files are copied into the container before it starts (a
	// configuration file, certificates); directories are created.
	Files []File
	// Binds are bind mounts "host-path:container-path[:ro]", for a daemon
	// on this machine.
	Binds []string
	// Host is the loopback address the DUT listens on and the harness
	// dials; default DefaultHost. With host networking the DUT's port is
	// a port of this machine.
	Host string
	// Port is the DUT's OMP port; default omp.DefaultPort. Start refuses a
	// port already in use on Host (the wait would see the wrong
	// listener).
	Port int
	// Name names the container; default: chosen by Docker.
	Name string
	// Labels are added to the container's (LabelDUT is always set).
	Labels map[string]string
	// StartupTimeout bounds Start: the image build (if any), the
	// container's creation and the wait for Port to accept a connection.
	// Default DefaultStartupTimeout.
	StartupTimeout time.Duration
	// StopTimeout is how long Stop lets the DUT shut down after SIGTERM
	// before Docker kills it. Default DefaultStopTimeout.
	StopTimeout time.Duration
	// Logger receives progress at debug level; default slog.Default().
	Logger *slog.Logger
}

// Build is an image built from a Dockerfile context.
type Build struct {
	Context    string             // directory holding the context
	Dockerfile string             // path in Context; default "Dockerfile"
	Tag        string             // "repo:tag"; default a random name
	Args       map[string]*string // build arguments
	// KeepImage keeps the image after Stop; by default an image built
	// by Start is removed with its container.
	KeepImage bool
	// Log receives the build output; default none.
	Log io.Writer
}

// File is a file copied into the container.
type File struct {
	Path     string // absolute path in the container
	Content  []byte // the content, or
	HostPath string // a file of this machine to copy
	Mode     int64  // default 0o644
}

// DUT is a running DUT container.
type DUT struct {
	c     *testcontainers.DockerContainer
	addr  netip.AddrPort
	image string
	log   *slog.Logger
	stopT time.Duration

	mu       sync.Mutex
	stopped  bool
	exitCode int
	stopErr  error
}

// withDefaults checks s and fills its defaults.
func (s Spec) withDefaults() (Spec, error) {
	if (s.Image == "") == (s.Build == nil) {
		return s, errors.New("container: set exactly one of Spec.Image and Spec.Build")
	}
	if s.Build != nil && s.Build.Context == "" {
		return s, errors.New("container: Spec.Build.Context is empty")
	}
	if s.Host == "" {
		s.Host = DefaultHost
	}
	a, err := netip.ParseAddr(s.Host)
	if err != nil || !a.IsLoopback() {
		return s, fmt.Errorf("container: host %q: want a loopback address (127.0.0.0/8, ::1): the DUT shares this machine's network", s.Host)
	}
	if s.Port == 0 {
		s.Port = omp.DefaultPort
	}
	if s.Port < 1 || s.Port > 65535 {
		return s, fmt.Errorf("container: port %d out of range", s.Port)
	}
	for _, f := range s.Files {
		if len(f.Path) == 0 || f.Path[0] != '/' {
			return s, fmt.Errorf("container: file path %q: want an absolute path in the container", f.Path)
		}
		if f.HostPath != "" && f.Content != nil {
			return s, fmt.Errorf("container: file %s: set Content or HostPath, not both", f.Path)
		}
	}
	defaults.Positive(&s.StartupTimeout, DefaultStartupTimeout)
	defaults.Positive(&s.StopTimeout, DefaultStopTimeout)
	if s.Logger == nil {
		s.Logger = slog.Default()
	}
	return s, nil
}

// portFree fails if something listens on addr already.
func portFree(addr netip.AddrPort) error {
	ln, err := net.Listen("tcp", addr.String())
	if err != nil {
		return fmt.Errorf("container: %s is in use on this machine (the DUT runs with host networking and needs it): %w", addr, err)
	}
	return ln.Close()
}

// request is the testcontainers request of s (defaults filled).
func (s Spec) request() testcontainers.ContainerRequest {
	labels := map[string]string{LabelDUT: "true"}
	maps.Copy(labels, s.Labels)
	req := testcontainers.ContainerRequest{
		Image:      s.Image,
		Entrypoint: s.Entrypoint,
		Cmd:        s.Args,
		Env:        s.Env,
		Labels:     labels,
		Name:       s.Name,
		// Ports the image EXPOSEs are still published by testcontainers;
		// Docker discards them under host networking (a warning only).
		HostConfigModifier: func(hc *container.HostConfig) {
			hc.NetworkMode = "host"
			hc.Binds = append(hc.Binds, s.Binds...)
		},
		// With host networking the container is on no network of its own.
		EndpointSettingsModifier: func(m map[string]*network.EndpointSettings) { clear(m) },
		// The port is a port of this machine: dial it on Host. A scratch
		// image has no shell for testcontainers' check from inside.
		WaitingFor: loopbackWait{
			host: s.Host,
			hp: wait.ForListeningPort(strconv.Itoa(s.Port) + "/tcp").
				SkipInternalCheck().
				WithStartupTimeout(s.StartupTimeout).
				WithPollInterval(100 * time.Millisecond),
		},
	}
	for _, f := range s.Files {
		cf := testcontainers.ContainerFile{ContainerFilePath: f.Path, FileMode: f.Mode, HostFilePath: f.HostPath}
		if cf.FileMode == 0 {
			cf.FileMode = 0o644
		}
		if f.HostPath == "" {
			cf.Reader = bytes.NewReader(f.Content)
		}
		req.Files = append(req.Files, cf)
	}
	if b := s.Build; b != nil {
		repo, tag := splitTag(b.Tag)
		req.FromDockerfile = testcontainers.FromDockerfile{
			Context: b.Context, Dockerfile: b.Dockerfile, Repo: repo, Tag: tag,
			BuildArgs: b.Args, BuildLogWriter: b.Log, KeepImage: b.KeepImage,
			BuildOptionsModifier: hostNetworkBuild,
		}
	}
	return req
}

// Start starts the DUT container and waits, within s.StartupTimeout, for
// its OMP port to accept a connection. When Start fails after the
// container was created, the container is removed and the error quotes
// the end of its output. A missing daemon gives an error under
// ErrNoDocker.
func Start(ctx context.Context, s Spec) (*DUT, error) {
	s, err := s.withDefaults()
	if err != nil {
		return nil, err
	}
	addr := netip.AddrPortFrom(netip.MustParseAddr(s.Host), uint16(s.Port))
	if err := portFree(addr); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, s.StartupTimeout)
	defer cancel()
	p, err := newProvider(ctx, s.Logger)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if s.Image != "" {
		if err := imagePresent(ctx, p, s.Image); err != nil {
			return nil, err
		}
	}
	start := time.Now()
	req := s.request()
	ci, err := p.CreateContainer(ctx, req)
	var c *testcontainers.DockerContainer
	if ci != nil {
		c, _ = ci.(*testcontainers.DockerContainer)
	}
	if err != nil {
		if c != nil {
			discard(c, s.StopTimeout)
		}
		if s.Build != nil {
			return nil, fmt.Errorf("container: build %s and create: %w", s.Build.Context, err)
		}
		return nil, fmt.Errorf("container: create from %s: %w", s.Image, err)
	}
	if c == nil {
		if ci != nil {
			discard(ci, s.StopTimeout)
		}
		return nil, fmt.Errorf("container: unexpected container type %T", ci)
	}
	d := &DUT{c: c, addr: addr, image: c.Image, log: s.Logger, stopT: s.StopTimeout}
	if err := c.Start(ctx); err != nil {
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, d.failed(fmt.Errorf("container: %s did not listen on %s within %s: %w", d.image, addr, s.StartupTimeout, err))
		}
		return nil, d.failed(fmt.Errorf("container: %s failed before listening on %s: %w", d.image, addr, err))
	}
	// The port answered; make sure it was the DUT that answered, not a
	// listener that came up meanwhile while the DUT failed on it.
	if st, err := c.State(ctx); err != nil || !st.Running {
		why := "not running"
		if err != nil {
			why = err.Error()
		} else if st.Status == container.StateExited {
			why = fmt.Sprintf("exited with code %d", st.ExitCode)
		}
		return nil, d.failed(fmt.Errorf("container: %s answered on %s but is %s", d.image, addr, why))
	}
	s.Logger.Debug("DUT container up", "image", d.image, "id", d.ID(), "addr", addr, "took", time.Since(start).Round(time.Millisecond))
	return d, nil
}

// failed removes the container after a failed start and adds the end of
// its output to err.
func (d *DUT) failed(err error) error {
	ctx, cancel := context.WithTimeout(context.Background(), d.stopT+20*time.Second)
	defer cancel()
	if out, lerr := d.Logs(ctx); lerr == nil && len(out) > 0 {
		if len(out) > logTail {
			out = append([]byte("..."), out[len(out)-logTail:]...)
		}
		err = fmt.Errorf("%w\n--- container output ---\n%s", err, bytes.TrimRight(out, "\n"))
	}
	if serr := d.Stop(ctx); serr != nil {
		err = errors.Join(err, serr)
	}
	return err
}

// discard removes a container that never became a DUT.
func discard(c testcontainers.Container, stop time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), stop+10*time.Second)
	defer cancel()
	c.Terminate(ctx, testcontainers.StopTimeout(stop))
}

// Addr is the DUT's OMP address, "127.0.0.1:12346": the target of the
// conformance run.
func (d *DUT) Addr() string { return d.addr.String() }

// AddrPort is Addr as a netip.AddrPort.
func (d *DUT) AddrPort() netip.AddrPort { return d.addr }

// ID is the container's ID.
func (d *DUT) ID() string { return d.c.GetContainerID() }

// Image is the image the container runs.
func (d *DUT) Image() string { return d.image }

// Logs is the container's output so far, stdout and stderr interleaved.
func (d *DUT) Logs(ctx context.Context) ([]byte, error) {
	rc, err := d.c.Logs(ctx)
	if err != nil {
		return nil, fmt.Errorf("container: logs of %s: %w", d.ID(), err)
	}
	defer rc.Close()
	var b bytes.Buffer
	_, err = io.Copy(&b, rc)
	if errors.Is(err, io.EOF) {
		err = nil
	}
	return b.Bytes(), err
}

// Running reports whether the container still runs (a DUT that crashed
// during a case does not).
func (d *DUT) Running(ctx context.Context) (bool, error) {
	st, err := d.c.State(ctx)
	if err != nil {
		return false, fmt.Errorf("container: state of %s: %w", d.ID(), err)
	}
	return st.Running, nil
}

// Stop sends the DUT SIGTERM, gives it StopTimeout to exit (then Docker
// kills it), and removes the container (and the image Start built, unless
// kept). It is idempotent: later calls return the first one's error.
func (d *DUT) Stop(ctx context.Context) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.stopped {
		return d.stopErr
	}
	d.stopped = true
	ctx, cancel := context.WithTimeout(ctx, d.stopT+20*time.Second)
	defer cancel()
	t := d.stopT
	var errs []error
	if err := d.c.Stop(ctx, &t); err != nil {
		errs = append(errs, err)
	}
	d.exitCode = -1
	if st, err := d.c.State(ctx); err == nil && !st.Running {
		d.exitCode = st.ExitCode
	}
	if err := d.c.Terminate(ctx, testcontainers.StopTimeout(t)); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		d.stopErr = fmt.Errorf("container: stop %s: %w", d.ID(), err)
	}
	d.log.Debug("DUT container removed", "id", d.ID(), "exit_code", d.exitCode, "err", d.stopErr)
	return d.stopErr
}

// ExitCode is the DUT's exit code once Stop has run (0: it shut down
// cleanly on SIGTERM; 137: Docker had to kill it), or -1.
func (d *DUT) ExitCode() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !d.stopped {
		return -1
	}
	return d.exitCode
}

// loopbackWait runs testcontainers' port wait against Host: with host
// networking the DUT's port is this machine's, where testcontainers would
// look for it on the daemon's host (a gateway address when the harness
// itself runs in a container).
type loopbackWait struct {
	host string
	hp   *wait.HostPortStrategy
}

func (w loopbackWait) WaitUntilReady(ctx context.Context, t wait.StrategyTarget) error {
	return w.hp.WaitUntilReady(ctx, hostTarget{StrategyTarget: t, host: w.host})
}

type hostTarget struct {
	wait.StrategyTarget
	host string
}

func (h hostTarget) Host(context.Context) (string, error) { return h.host, nil }
