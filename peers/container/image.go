package container

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/client"
	"github.com/testcontainers/testcontainers-go"

	"github.com/ompconform/ompconform/internal/filein"
)

// ReferenceImage is the tag BuildReference gives by default.
const ReferenceImage = "ompconform/reference:dev"

// DefaultBuildTimeout bounds BuildReference when ctx has no deadline.
const DefaultBuildTimeout = 5 * time.Minute

// splitTag splits "repo:tag" (the repo may hold a registry host with a
// port); an empty tag is random, so concurrent builds do not collide.
func splitTag(s string) (repo, tag string) {
	if s == "" {
		return "ompconform-dut", randomTag()
	}
	if i := strings.LastIndexByte(s, ':'); i > strings.LastIndexByte(s, '/') {
		return s[:i], s[i+1:]
	}
	return s, "latest"
}

func randomTag() string {
	var b [6]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// hostNetworkBuild runs the build's RUN steps with host networking: there
// is no bridge network for them.
func hostNetworkBuild(o *client.ImageBuildOptions) { o.NetworkMode = "host" }

// imagePresent fails unless image is in the daemon's store: Start never
// pulls.
func imagePresent(ctx context.Context, p *testcontainers.DockerProvider, image string) error {
	_, err := p.Client().ImageInspect(ctx, image)
	switch {
	case err == nil:
		return nil
	case cerrdefs.IsNotFound(err):
		return fmt.Errorf("container: image %q is not in the local Docker store (images are never pulled: load it with `docker load` or build it)", image)
	default:
		return fmt.Errorf("container: inspect image %q: %w", image, err)
	}
}

// BuildImage builds the image of a Dockerfile context, tagged b.Tag (a
// random tag if empty), and returns its name. The caller removes it
// (RemoveImage) when done.
func BuildImage(ctx context.Context, b Build) (string, error) {
	if b.Context == "" {
		return "", errors.New("container: Build.Context is empty")
	}
	if _, ok := ctx.Deadline(); !ok {
		// testcontainers retries a failed build request with backoff for
		// up to 15 minutes; keep that bounded.
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultBuildTimeout)
		defer cancel()
	}
	p, err := newProvider(ctx, nil)
	if err != nil {
		return "", err
	}
	defer p.Close()
	repo, tag := splitTag(b.Tag)
	req := testcontainers.ContainerRequest{FromDockerfile: testcontainers.FromDockerfile{
		Context: b.Context, Dockerfile: b.Dockerfile, Repo: repo, Tag: tag,
		BuildArgs: b.Args, BuildLogWriter: b.Log, KeepImage: true,
		BuildOptionsModifier: hostNetworkBuild,
	}}
	name, err := p.BuildImage(ctx, &req)
	if err != nil {
		return "", fmt.Errorf("container: build %s: %w", b.Context, err)
	}
	return name, nil
}

// RemoveImage removes an image (by name or ID); one already gone is no
// error.
func RemoveImage(ctx context.Context, image string) error {
	c, err := newClient(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	if _, err := c.ImageRemove(ctx, image, client.ImageRemoveOptions{Force: true, PruneChildren: true}); err != nil && !cerrdefs.IsNotFound(err) {
		return fmt.Errorf("container: remove image %s: %w", image, err)
	}
	return nil
}

// BuildReference builds the reference speaker's image from the
// repository at repoRoot: a static (CGO_ENABLED=0) build of
// ./cmd/ompconform for linux on this machine's architecture, put with
// docker/Dockerfile in a temporary context, built and tagged tag
// (ReferenceImage if empty). It returns the image's name. Build output
// (go's and Docker's) goes to log, if not nil.
func BuildReference(ctx context.Context, repoRoot, tag string, log io.Writer) (string, error) {
	if tag == "" {
		tag = ReferenceImage
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultBuildTimeout)
		defer cancel()
	}
	// Fail before compiling when there is no daemon to build with.
	if err := Available(ctx); err != nil {
		return "", err
	}
	dockerfile := filepath.Join(repoRoot, "docker", "Dockerfile")
	df, err := filein.Read(dockerfile, filein.Default)
	if err != nil {
		return "", fmt.Errorf("container: reference Dockerfile: %w", err)
	}
	dir, err := os.MkdirTemp("", "ompconform-image-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), df, 0o644); err != nil {
		return "", err
	}
	if err := BuildStatic(ctx, repoRoot, filepath.Join(dir, "ompconform"), log); err != nil {
		return "", err
	}
	if log == nil {
		log = io.Discard
	}
	return BuildImage(ctx, Build{Context: dir, Tag: tag, Log: log})
}

// BuildStatic builds ./cmd/ompconform of the module at repoRoot into out:
// static (CGO_ENABLED=0), linux, this machine's architecture, no debug
// information.
func BuildStatic(ctx context.Context, repoRoot, out string, log io.Writer) error {
	cmd := exec.CommandContext(ctx, goTool(), "build", "-trimpath", "-ldflags=-s -w", "-o", out, "./cmd/ompconform")
	cmd.Dir = repoRoot
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+runtime.GOARCH)
	var outb strings.Builder
	cmd.Stdout, cmd.Stderr = &outb, &outb
	if log != nil {
		cmd.Stdout = io.MultiWriter(&outb, log)
		cmd.Stderr = cmd.Stdout
	}
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("container: %s in %s: %w\n%s", strings.Join(cmd.Args, " "), repoRoot, err, outb.String())
	}
	return nil
}

// goTool is the go command: the one on PATH, else the one of the
// toolchain that built us (a test binary's PATH may lack it).
func goTool() string {
	if g, err := exec.LookPath("go"); err == nil {
		return g
	}
	if root := runtime.GOROOT(); root != "" {
		g := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(g); err == nil {
			return g
		}
	}
	return "go"
}
