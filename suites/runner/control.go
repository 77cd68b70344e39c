package runner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/ompconform/ompconform/dut/control"
)

// The harness's side of the DUT control contract (docs/dut-control.md,
// package dut/control): how the harness asks a DUT's operator to act, so
// that the cases that need an operator action run against any DUT whose
// vendor wraps its CLI in an adapter.
//
//   - HTTP: POST BASE/control/ACTION with the request's JSON body
//     (control.Request); 2xx is done, 501 is an action the adapter does
//     not have (the case is UNSUPPORTED), anything else an error.
//   - exec:COMMAND: the command line, its words with {action}, {peer} and
//     the other members of the request replaced, run with no shell; exit
//     0 is done, exit 3 is an action the adapter does not have, anything
//     else an error (with its output).

// ControlTimeout bounds one operator action.
const ControlTimeout = 30 * time.Second

// exitUnsupported is an exec adapter's exit status for an action it does
// not have.
const exitUnsupported = 3

// Control parses a --dut-control spec into the Target.Control it gives:
// an http:// or https:// base URL, or exec:COMMAND.
func Control(spec string) (func(ctx context.Context, r control.Request) ([]byte, error), error) {
	switch {
	case strings.HasPrefix(spec, "http://"), strings.HasPrefix(spec, "https://"):
		base := strings.TrimSuffix(spec, "/")
		client := &http.Client{Timeout: ControlTimeout}
		return func(ctx context.Context, r control.Request) ([]byte, error) {
			return httpControl(ctx, client, base, r)
		}, nil
	case strings.HasPrefix(spec, "exec:"):
		words := strings.Fields(strings.TrimPrefix(spec, "exec:"))
		if len(words) == 0 {
			return nil, errors.New("exec: with no command")
		}
		return func(ctx context.Context, r control.Request) ([]byte, error) {
			return execControl(ctx, words, r)
		}, nil
	}
	return nil, fmt.Errorf("%q: want an http(s):// base URL or exec:COMMAND", spec)
}

// maxAnswer bounds an action's answer (routes: the DUT's paths to one
// prefix).
const maxAnswer = 1 << 20

func httpControl(ctx context.Context, client *http.Client, base string, r control.Request) ([]byte, error) {
	a := r.Action
	body, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/control/"+a.String(), bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("DUT control %s: %w", a, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxAnswer))
	switch {
	case resp.StatusCode/100 == 2:
		return msg, nil
	case resp.StatusCode == http.StatusNotImplemented:
		return nil, fmt.Errorf("%w: the adapter has no action %s (%s)", control.ErrUnsupported, a, tail(msg))
	}
	return nil, fmt.Errorf("DUT control %s: %s: %s", a, resp.Status, tail(msg))
}

// tail is the last 2 KB of an adapter's words, for an error, cut where a
// UTF-8 character starts.
func tail(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 2048 {
		i := len(s) - 2048
		for k := 1; k < utf8.UTFMax && !utf8.RuneStart(s[i]); k++ {
			i++
		}
		s = s[i:]
	}
	return s
}

func execControl(ctx context.Context, words []string, r control.Request) ([]byte, error) {
	a := r.Action
	prefix, peer := "", ""
	if r.Prefix.IsValid() {
		prefix = r.Prefix.String()
	}
	if r.Peer.IsValid() {
		peer = r.Peer.String()
	}
	tloc := ""
	if r.TLOC.Address.IsValid() {
		tloc = r.TLOC.Address.String()
	}
	vars := strings.NewReplacer("{action}", a.String(), "{peer}", peer, "{vpn}", strconv.FormatUint(r.VPN, 10), "{prefix}", prefix, "{policy}", r.Policy,
		"{tloc}", tloc, "{color}", strconv.Itoa(int(r.TLOC.Color)), "{encap}", strconv.Itoa(int(r.TLOC.Encap)))
	ctx, cancel := context.WithTimeout(ctx, ControlTimeout)
	defer cancel()
	argv := make([]string, len(words))
	for i, w := range words {
		argv[i] = vars.Replace(w)
	}
	// The answer is stdout; an error's words are stdout and stderr.
	// exec copies stdout and stderr in goroutines of their own: both
	// write to both, which locks.
	out, both := &limited{n: maxAnswer}, &limited{n: maxAnswer}
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = io.MultiWriter(out, both), both
	// A child the adapter started (curl under sh) keeps its output open
	// after the adapter is killed: the wait for it is bounded too.
	cmd.WaitDelay = time.Second
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
		return out.bytes(), nil
	case errors.As(err, &ee) && ee.ExitCode() == exitUnsupported:
		return nil, fmt.Errorf("%w: the adapter has no action %s (%s)", control.ErrUnsupported, a, tail(both.bytes()))
	}
	return nil, fmt.Errorf("DUT control %s: %v: %s", a, err, tail(both.bytes()))
}

// limited keeps the first n bytes written to it and drops the rest; it
// takes writes from several goroutines.
type limited struct {
	mu sync.Mutex
	b  bytes.Buffer
	n  int
}

func (l *limited) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if room := l.n - l.b.Len(); room > 0 {
		l.b.Write(p[:min(len(p), room)])
	}
	return len(p), nil
}

func (l *limited) bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.b.Bytes())
}
