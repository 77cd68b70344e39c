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
	"time"

	"github.com/ompconform/ompconform/suites/catalog"
)

// The DUT control contract (docs/dut-control.md): how the harness asks a
// DUT's operator to act (clear a peer, shut it down, change the
// configuration, terminate), so that the cases that need an operator
// action run against any DUT whose vendor wraps its CLI in an adapter.
//
//   - HTTP: POST BASE/control/ACTION with {"peer": "10.0.1.2"}; 2xx is
//     done, 501 is an action the adapter does not have (the case is
//     UNSUPPORTED), anything else an error.
//   - exec:COMMAND: the command line, its words with {action} and {peer}
//     replaced, run with no shell; exit 0 is done, exit 3 is an action the
//     adapter does not have, anything else an error (with its output).

// ControlTimeout bounds one operator action.
const ControlTimeout = 30 * time.Second

// exitUnsupported is an exec adapter's exit status for an action it does
// not have.
const exitUnsupported = 3

// Control parses a --dut-control spec into the Target.Control it gives:
// an http:// or https:// base URL, or exec:COMMAND.
func Control(spec string) (func(ctx context.Context, r catalog.Request) error, error) {
	switch {
	case strings.HasPrefix(spec, "http://"), strings.HasPrefix(spec, "https://"):
		base := strings.TrimSuffix(spec, "/")
		client := &http.Client{Timeout: ControlTimeout}
		return func(ctx context.Context, r catalog.Request) error {
			return httpControl(ctx, client, base, r)
		}, nil
	case strings.HasPrefix(spec, "exec:"):
		words := strings.Fields(strings.TrimPrefix(spec, "exec:"))
		if len(words) == 0 {
			return nil, errors.New("exec: with no command")
		}
		return func(ctx context.Context, r catalog.Request) error {
			return execControl(ctx, words, r)
		}, nil
	}
	return nil, fmt.Errorf("%q: want an http(s):// base URL or exec:COMMAND", spec)
}

// controlBody is the JSON of a request: the peer for a session's
// action, the VPN and prefix for a route's.
func controlBody(r catalog.Request) map[string]any {
	if r.Action == catalog.ActPolicy {
		return map[string]any{"policy": r.Policy}
	}
	if r.Prefix.IsValid() {
		return map[string]any{"vpn": r.VPN, "prefix": r.Prefix.String()}
	}
	return map[string]any{"peer": r.Peer.String()}
}

func httpControl(ctx context.Context, client *http.Client, base string, r catalog.Request) error {
	a := r.Action
	body, _ := json.Marshal(controlBody(r))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, base+"/control/"+a.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("DUT control %s: %w", a, err)
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	switch {
	case resp.StatusCode/100 == 2:
		return nil
	case resp.StatusCode == http.StatusNotImplemented:
		return fmt.Errorf("%w: the adapter has no action %s (%s)", catalog.ErrNoControl, a, strings.TrimSpace(string(msg)))
	}
	return fmt.Errorf("DUT control %s: %s: %s", a, resp.Status, strings.TrimSpace(string(msg)))
}

func execControl(ctx context.Context, words []string, r catalog.Request) error {
	a := r.Action
	prefix, peer := "", ""
	if r.Prefix.IsValid() {
		prefix = r.Prefix.String()
	}
	if r.Peer.IsValid() {
		peer = r.Peer.String()
	}
	vars := strings.NewReplacer("{action}", a.String(), "{peer}", peer, "{vpn}", strconv.FormatUint(r.VPN, 10), "{prefix}", prefix, "{policy}", r.Policy)
	ctx, cancel := context.WithTimeout(ctx, ControlTimeout)
	defer cancel()
	argv := make([]string, len(words))
	for i, w := range words {
		argv[i] = vars.Replace(w)
	}
	var out bytes.Buffer
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	text := strings.TrimSpace(out.String())
	if len(text) > 2048 {
		text = text[len(text)-2048:]
	}
	var ee *exec.ExitError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ee) && ee.ExitCode() == exitUnsupported:
		return fmt.Errorf("%w: the adapter has no action %s (%s)", catalog.ErrNoControl, a, text)
	}
	return fmt.Errorf("DUT control %s: %v: %s", a, err, text)
}
