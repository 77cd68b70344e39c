package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"

	"github.com/ompconform/ompconform/dut"
	"github.com/ompconform/ompconform/internal/tlsfile"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
)

// factory is the DUT the flags name: a container, an address, or the
// reference; cleanup removes what the factory set up.
func (f *runFlags) factory(ctx context.Context, role catalog.Role, stderr io.Writer) (fac dut.Factory, cleanup func(), err error) {
	cleanup = func() {}
	tlsCfg, err := f.tlsConfig()
	if err != nil {
		return nil, cleanup, err
	}
	if f.target == "" && f.listen != "" {
		// The DUT dials in, and is not reachable otherwise; its operator
		// may still be (--dut-control).
		t := dut.Target{Role: role}
		if f.dutControl != "" {
			if t.Control, err = runner.Control(f.dutControl); err != nil {
				return nil, cleanup, fmt.Errorf("--dut-control: %w", err)
			}
		}
		return dut.Remote(t), cleanup, nil
	}
	if f.target == "" {
		if tlsCfg != nil {
			return nil, cleanup, errors.New("TLS flags need --target (the in-process reference runs without TLS)")
		}
		var faults []reference.Fault
		for _, n := range f.faults {
			faults = append(faults, reference.Fault(n))
		}
		return dut.Reference(role, nil, faults...), cleanup, nil
	}
	t := dut.Target{Addr: f.target, TLS: tlsCfg, Role: role}
	if f.dutControl != "" {
		ctl, err := runner.Control(f.dutControl)
		if err != nil {
			return nil, cleanup, fmt.Errorf("--dut-control: %w", err)
		}
		t.Control = ctl
	}
	if f.dutCmd != "" {
		argv, err := splitWords(f.dutCmd)
		if err != nil {
			return nil, cleanup, fmt.Errorf("--dut-cmd: %w", err)
		}
		start := dut.Command(argv, t, f.dutWait)
		return func(ctx context.Context) (dut.DUT, error) {
			d, err := start(ctx)
			if cd, ok := d.(*dut.CommandDUT); ok {
				f.dut = cd
			}
			return d, err
		}, cleanup, nil
	}
	if fac, cl, ok, err := containerFactory(ctx, f.target, f.container, t, stderr); ok {
		if err != nil {
			return nil, cleanup, err
		}
		return fac, cl, nil
	}
	return dut.Remote(t), cleanup, nil
}

// listenTLS is listen mode's server config, nil without TLS flags: the
// harness's certificate (--tls-cert, --tls-key, required), and with
// --tls-ca the DUT must present a client certificate it signed.
func (f *runFlags) listenTLS() (*tls.Config, error) {
	c, err := f.tlsConfig()
	if c == nil || err != nil || f.listen == "" {
		return nil, err
	}
	if len(c.Certificates) == 0 {
		return nil, errors.New("--listen over TLS needs --tls-cert and --tls-key: the harness's certificate, which the DUT verifies")
	}
	s := &tls.Config{Certificates: c.Certificates, MinVersion: tls.VersionTLS12}
	if c.RootCAs != nil && !f.insecure {
		s.ClientCAs, s.ClientAuth = c.RootCAs, tls.RequireAndVerifyClientCert
	}
	return s, nil
}

func (f *runFlags) tlsConfig() (*tls.Config, error) {
	if !f.useTLS && f.ca == "" && f.cert == "" && !f.insecure && f.serverName == "" {
		return nil, nil
	}
	c := &tls.Config{ServerName: f.serverName, InsecureSkipVerify: f.insecure, MinVersion: tls.VersionTLS12}
	if f.ca != "" {
		pool, err := tlsfile.CertPool(f.ca)
		if err != nil {
			return nil, err
		}
		c.RootCAs = pool
	}
	if f.cert != "" || f.key != "" {
		if f.cert == "" || f.key == "" {
			return nil, errors.New("--tls-cert and --tls-key go together")
		}
		kp, err := tlsfile.KeyPair(f.cert, f.key)
		if err != nil {
			return nil, err
		}
		c.Certificates = []tls.Certificate{kp}
	}
	return c, nil
}
