package container

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// These tests need no Docker daemon.

func TestParseTarget(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		in        string
		ok        bool
		image     string
		build     string
		errSubstr string
	}{
		{in: "127.0.0.1:12346"},
		{in: "[::1]:12346"},
		{in: "container:vendor/omp:1.2", ok: true, image: "vendor/omp:1.2"},
		{in: "container:registry.local:5000/omp@sha256:0123", ok: true, image: "registry.local:5000/omp@sha256:0123"},
		{in: "container:", ok: true, errSubstr: "want container:IMAGE"},
		{in: "dockerfile:" + dir, ok: true, build: dir},
		{in: "dockerfile:", ok: true, errSubstr: "want dockerfile:DIR"},
		{in: "dockerfile:" + filepath.Join(dir, "nope"), ok: true, errSubstr: "no such file"},
	} {
		s, ok, err := ParseTarget(tc.in)
		if ok != tc.ok {
			t.Errorf("%q: ok %v, want %v", tc.in, ok, tc.ok)
		}
		if tc.errSubstr != "" {
			if err == nil || !strings.Contains(err.Error(), tc.errSubstr) {
				t.Errorf("%q: err %v, want one with %q", tc.in, err, tc.errSubstr)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tc.in, err)
			continue
		}
		if s.Image != tc.image {
			t.Errorf("%q: image %q, want %q", tc.in, s.Image, tc.image)
		}
		if (s.Build != nil) != (tc.build != "") || (s.Build != nil && s.Build.Context != tc.build) {
			t.Errorf("%q: build %+v, want context %q", tc.in, s.Build, tc.build)
		}
	}
}

func TestSplitTag(t *testing.T) {
	for in, want := range map[string][2]string{
		"ompconform/reference:dev":       {"ompconform/reference", "dev"},
		"ompconform/reference":           {"ompconform/reference", "latest"},
		"registry.local:5000/omp":        {"registry.local:5000/omp", "latest"},
		"registry.local:5000/omp:v1.2.3": {"registry.local:5000/omp", "v1.2.3"},
	} {
		if r, tg := splitTag(in); r != want[0] || tg != want[1] {
			t.Errorf("splitTag(%q) = %q, %q; want %q, %q", in, r, tg, want[0], want[1])
		}
	}
	r1, t1 := splitTag("")
	_, t2 := splitTag("")
	if r1 == "" || t1 == "" || t1 == t2 {
		t.Errorf("splitTag(\"\"): %q:%q then %q: want a fresh random tag each time", r1, t1, t2)
	}
}

func TestSpecChecks(t *testing.T) {
	for _, tc := range []struct {
		name string
		s    Spec
		want string
	}{
		{"neither", Spec{}, "exactly one of"},
		{"both", Spec{Image: "x", Build: &Build{Context: "."}}, "exactly one of"},
		{"empty context", Spec{Build: &Build{}}, "Context is empty"},
		{"not loopback", Spec{Image: "x", Host: "192.0.2.1"}, "loopback"},
		{"not an address", Spec{Image: "x", Host: "localhost"}, "loopback"},
		{"port", Spec{Image: "x", Port: 70000}, "out of range"},
		{"relative file", Spec{Image: "x", Files: []File{{Path: "etc/x"}}}, "absolute path"},
		{"file twice", Spec{Image: "x", Files: []File{{Path: "/x", Content: []byte{}, HostPath: "/y"}}}, "not both"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		d, err := Start(ctx, tc.s)
		cancel()
		if d != nil || err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: Start = %v, %v; want an error with %q", tc.name, d, err, tc.want)
		}
	}
	s, err := Spec{Image: "x"}.withDefaults()
	if err != nil || s.Host != DefaultHost || s.Port != omp.DefaultPort || s.StartupTimeout != DefaultStartupTimeout ||
		s.StopTimeout != DefaultStopTimeout || s.Logger == nil {
		t.Errorf("defaults: %+v, %v", s, err)
	}
}

// A port that something already listens on is refused before Docker is
// asked anything: with host networking the wait would find the wrong
// listener.
func TestStartPortInUse(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	port := ln.Addr().(*net.TCPAddr).Port
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	d, err := Start(ctx, Spec{Image: "x", Port: port})
	if d != nil || err == nil || !strings.Contains(err.Error(), "127.0.0.1:"+strconv.Itoa(port)+" is in use") {
		t.Fatalf("Start on a busy port: %v, %v", d, err)
	}
}

func TestNoDockerError(t *testing.T) {
	t.Setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
	err := noDocker(errors.New("dial unix /nonexistent/docker.sock: connect: no such file or directory"))
	if !errors.Is(err, ErrNoDocker) {
		t.Fatalf("%v is not ErrNoDocker", err)
	}
	for _, want := range []string{"no Docker daemon reachable", "DOCKER_HOST=unix:///nonexistent/docker.sock", "no such file", "scripts/docker-up.sh"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("%q lacks %q", err, want)
		}
	}
}
