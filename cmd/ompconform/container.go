package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/peers/container"
)

// containerFlags are the run flags of a DUT in a container
// (--target container:IMAGE or dockerfile:DIR).
type containerFlags struct {
	args  multiFlag // --container-arg, repeatable: the image's arguments
	files multiFlag // --container-file HOST:PATH, repeatable
	port  int       // --container-port: the DUT's OMP port on loopback
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, " ") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

// containerFactory is the Factory of a DUT container, or ok false when
// target names an address. Each call starts a fresh container, so a DUT
// that a case killed is replaced; an image built from a Dockerfile is
// built once, up front, and removed by the returned cleanup.
func containerFactory(ctx context.Context, target string, f containerFlags, t dut.Target, stderr io.Writer) (fac dut.Factory, cleanup func(), ok bool, err error) {
	spec, ok, err := container.ParseTarget(target)
	if !ok || err != nil {
		return nil, nil, ok, err
	}
	spec.Args = f.args
	spec.Port = f.port
	spec.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	for _, hf := range f.files {
		host, path, found := strings.Cut(hf, ":")
		if !found || host == "" || !strings.HasPrefix(path, "/") {
			return nil, nil, true, fmt.Errorf("--container-file %q: want HOST-FILE:/ABSOLUTE/PATH", hf)
		}
		spec.Files = append(spec.Files, container.File{HostPath: host, Path: path})
	}
	cleanup = func() {}
	if spec.Build != nil {
		img, err := container.BuildImage(ctx, *spec.Build)
		if err != nil {
			return nil, nil, true, err
		}
		spec.Image, spec.Build = img, nil
		cleanup = func() { _ = container.RemoveImage(context.Background(), img) }
	}
	return func(ctx context.Context) (dut.DUT, error) {
		d, err := container.Start(ctx, spec)
		if err != nil {
			return nil, err
		}
		tt := t
		tt.Addr = d.Addr()
		tt.Name = "container " + d.Image()
		return containerDUT{d, tt}, nil
	}, cleanup, true, nil
}

type containerDUT struct {
	d *container.DUT
	t dut.Target
}

func (c containerDUT) Target() dut.Target { return c.t }
func (c containerDUT) Close() error       { return c.d.Stop(context.Background()) }
