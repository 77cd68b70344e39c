package reference

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"slices"

	"github.com/ompconform/ompconform/omp"
)

// Reconfigure applies a new configuration to a running speaker.
//
// When anything the HANDSHAKE carries or checks changes (role, router
// ID, site, domain, overlay, hold time, minimum hold time, GR interval,
// REFRESH, SECURITY, families, authentication key, time unit), every
// session is dropped with ALERT OMP_ERR_OPER/CFG_CHANGE and comes back
// under the new configuration. Neighbors added are dialled; neighbors
// removed are dropped with CFG_CHANGE and no longer dialled; a neighbor
// whose Shutdown flag changed is shut (OPER/SHUT) or released. Timers
// and limits (timeouts, retry, queue length) apply to new sessions.
// Listen addresses, TLS, the routing half, the faults, and the
// originated routes, TLOCs and policy cannot change while the speaker
// runs.
func (sp *Speaker) Reconfigure(cfg Config) error {
	if err := cfg.check(); err != nil {
		return fmt.Errorf("reference: %w", err)
	}
	old := sp.settings()
	var errs []error
	if !slices.Equal(old.Listen, cfg.Listen) {
		errs = append(errs, errors.New("listen addresses cannot change at run time"))
	}
	if old.TLS != cfg.TLS {
		errs = append(errs, errors.New("TLS cannot change at run time"))
	}
	if cfg.Routing != nil && cfg.Routing != sp.routing {
		errs = append(errs, errors.New("the routing half cannot change at run time"))
	}
	if !slices.Equal(old.Faults, cfg.Faults) {
		errs = append(errs, errors.New("faults cannot change at run time"))
	}
	if !reflect.DeepEqual(old.Routes, cfg.Routes) || !reflect.DeepEqual(old.TLOCs, cfg.TLOCs) || !bytes.Equal(old.Policy, cfg.Policy) {
		errs = append(errs, errors.New("routes, TLOCs and policy cannot change at run time"))
	}
	if len(errs) > 0 {
		return fmt.Errorf("reference: %w", errors.Join(errs...))
	}
	cfg.Routing = sp.routing
	if cfg.Logger == nil {
		cfg.Logger = old.Logger
	}
	set, err := cfg.settle(sp.routing)
	if err != nil {
		return fmt.Errorf("reference: %w", err)
	}
	changed, err := sessionChange(old, set)
	if err != nil {
		return fmt.Errorf("reference: %w", err)
	}

	var drop []*session
	var shut, unshut []*neighbor
	sp.mu.Lock()
	sp.set = set
	want := map[string]Neighbor{}
	for _, n := range set.Neighbors {
		want[dialAddress(n.Address)] = n
	}
	for key, nb := range sp.neighbors {
		if key != nb.addr {
			continue
		}
		n, keep := want[nb.addr]
		if !keep {
			delete(sp.neighbors, key)
			for k, v := range sp.neighbors {
				if v == nb {
					delete(sp.neighbors, k)
				}
			}
			close(nb.stop)
			if s := nb.current(); s != nil {
				drop = append(drop, s)
			}
			continue
		}
		nb.mu.Lock()
		wasShut := nb.cfg.Shutdown
		nb.mu.Unlock()
		if n.Shutdown != wasShut {
			if n.Shutdown {
				shut = append(shut, nb)
			} else {
				unshut = append(unshut, nb)
			}
		}
		nb.mu.Lock()
		nb.cfg = n
		nb.mu.Unlock()
		delete(want, nb.addr)
	}
	for _, n := range set.Neighbors {
		if _, add := want[dialAddress(n.Address)]; add {
			sp.addNeighbor(n)
		}
	}
	if changed {
		drop = sp.sessionList()
	}
	sp.mu.Unlock()

	sp.log.Info("configuration changed", "sessions_dropped", len(drop), "handshake_changed", changed)
	for _, s := range drop {
		s.fail(operAlert(omp.SubErrOperCfgChange), "configuration changed", true)
	}
	for _, nb := range shut {
		sp.Shutdown(nb.addr, true)
	}
	for _, nb := range unshut {
		sp.Shutdown(nb.addr, false)
	}
	return nil
}

// sessionChange reports whether sessions must restart under set.
func sessionChange(old, set *settings) (bool, error) {
	a, err := omp.Encode(old.handshake())
	if err != nil {
		return false, err
	}
	b, err := omp.Encode(set.handshake())
	if err != nil {
		return false, err
	}
	return !bytes.Equal(a, b) || old.MinHoldTime != set.MinHoldTime || !bytes.Equal(old.AuthKey, set.AuthKey) ||
		old.TimeUnit != set.TimeUnit || !slices.Equal(old.HelloVSmarts, set.HelloVSmarts), nil
}
