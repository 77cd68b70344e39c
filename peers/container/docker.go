package container

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"
	tclog "github.com/testcontainers/testcontainers-go/log"
)

// ErrNoDocker is the error (under errors.Is) of every function of this
// package when no Docker daemon answers. Its message says where the
// daemon was looked for and how to start one.
var ErrNoDocker = errors.New("no Docker daemon reachable")

// pingTimeout bounds the liveness check of the daemon.
const pingTimeout = 10 * time.Second

var setupOnce sync.Once

// setup makes testcontainers fit this machine's Docker, once per process,
// before testcontainers reads its configuration (which it reads once):
//
//   - the reaper (Ryuk) is disabled unless TESTCONTAINERS_RYUK_DISABLED
//     is set already: its image cannot be pulled without a registry, and
//     it needs bridge networking; Stop removes our containers instead;
//   - testcontainers' own log lines go to slog at debug level.
func setup() {
	setupOnce.Do(func() {
		if _, set := os.LookupEnv("TESTCONTAINERS_RYUK_DISABLED"); !set {
			os.Setenv("TESTCONTAINERS_RYUK_DISABLED", "true")
		}
		tclog.SetDefault(slogPrintf{})
	})
}

// slogPrintf is testcontainers' logger, sent to slog.Default at debug
// level (read at each call, so a later slog.SetDefault is honoured).
type slogPrintf struct{ log *slog.Logger }

func (s slogPrintf) Printf(format string, v ...any) {
	l := s.log
	if l == nil {
		l = slog.Default()
	}
	l.Debug(strings.TrimSpace(fmt.Sprintf(format, v...)), "component", "testcontainers")
}

// noDocker wraps the cause of a failed connection in ErrNoDocker.
func noDocker(cause error) error {
	where := os.Getenv("DOCKER_HOST")
	if where == "" {
		where = "unix:///var/run/docker.sock (DOCKER_HOST unset)"
	} else {
		where = "DOCKER_HOST=" + where
	}
	return fmt.Errorf("%w at %s: %v; start one with scripts/docker-up.sh (dockerd --bridge=none --iptables=false) or set DOCKER_HOST",
		ErrNoDocker, where, cause)
}

// newProvider is the testcontainers provider, checked to be alive. The
// "host" network stands in as its default network: with no bridge
// network, testcontainers would otherwise create one, and our containers
// use host networking anyway.
func newProvider(ctx context.Context, log *slog.Logger) (*testcontainers.DockerProvider, error) {
	setup()
	opts := []testcontainers.DockerProviderOption{testcontainers.WithDefaultBridgeNetwork("host")}
	if log != nil {
		opts = append(opts, testcontainers.WithLogger(slogPrintf{log: log}))
	}
	p, err := testcontainers.NewDockerProvider(opts...)
	if err != nil {
		return nil, noDocker(err)
	}
	if err := ping(ctx, p.Client()); err != nil {
		p.Close()
		return nil, err
	}
	return p, nil
}

// newClient is a Docker API client, checked to be alive. The caller
// closes it.
func newClient(ctx context.Context) (*testcontainers.DockerClient, error) {
	setup()
	c, err := newClientUnchecked(ctx)
	if err != nil {
		return nil, err
	}
	if err := ping(ctx, c); err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

func newClientUnchecked(ctx context.Context) (c *testcontainers.DockerClient, err error) {
	// testcontainers panics in a few corners when no host can be found;
	// that is "no Docker" too.
	defer func() {
		if r := recover(); r != nil {
			c, err = nil, noDocker(fmt.Errorf("%v", r))
		}
	}()
	c, err = testcontainers.NewDockerClientWithOpts(ctx)
	if err != nil {
		return nil, noDocker(err)
	}
	return c, nil
}

// ping checks that the daemon answers now (testcontainers caches its
// Info, so its Health would not tell).
func ping(ctx context.Context, c client.APIClient) error {
	ctx, cancel := context.WithTimeout(ctx, pingTimeout)
	defer cancel()
	if _, err := c.Ping(ctx, client.PingOptions{}); err != nil {
		return noDocker(err)
	}
	return nil
}

// Available reports whether a Docker daemon answers: nil, or an error
// under ErrNoDocker saying where it was looked for. Tests skip on it:
//
//	if err := container.Available(ctx); errors.Is(err, container.ErrNoDocker) {
//		t.Skip(err)
//	}
//
// testcontainers resolves the daemon's address once per process, so a
// daemon started after the first call is seen only by a new process.
func Available(ctx context.Context) error {
	c, err := newClient(ctx)
	if err != nil {
		return err
	}
	return c.Close()
}
