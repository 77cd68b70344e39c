// Package scale is the controller scale benchmark: one controller (the
// reference speaker), one edge advertising N IPv4 vRoutes (PerUpdate to
// an UPDATE, 100 by default) and M edges receiving them. It measures, at
// the receivers only, the time from the first UPDATE written to the last
// route received, and the controller's peak memory.
//
// The controller is `ompconform reference -role controller` run as a
// child process (Config.Command), so that its peak RSS (VmHWM) is its
// own, or the reference speaker in this process (Config.InProcess), whose
// memory is then the runtime's HeapInuse. The edges are raw OMP clients
// built on the codec: the sender (127.0.0.2) encodes its whole stream
// before the clock starts (a TLOC route first, so that the vRoutes are
// valid, then the vRoutes with TLOC, PREF, ORIGIN, ORIGINATOR and
// SITE_ID) and writes it in large batches; each receiver (127.0.0.3 and
// up) decodes every message with omp.Reader and counts the distinct
// vRoutes its REACHABLES carry. Everything runs under one deadline.
//
//	res, err := scale.Run(ctx, scale.Config{Routes: 100_000, Receivers: 4,
//		Command: []string{"/path/to/ompconform", "reference"}})
//
// `ompconform bench-scale` runs a matrix of N and M and prints a table.
package scale

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/netip"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strings"
	"time"

	"github.com/ompconform/ompconform/omp"
)

// Defaults.
const (
	DefaultPerUpdate = 100
	DefaultDeadline  = 60 * time.Second
	DefaultHoldTime  = omp.DefaultHoldTime // seconds, offered by the clients
	DefaultWriteSize = 256 << 10
	// MaxReceivers keeps every receiver on its own 127.0.0.x address.
	MaxReceivers = 250
)

// Addresses: the controller, the sender and the first receiver, each its
// own router ID too. Site IDs: controller 1, sender 2, receivers 3 up.
var (
	ControllerAddr = netip.AddrFrom4([4]byte{127, 0, 0, 1})
	SenderAddr     = netip.AddrFrom4([4]byte{127, 0, 0, 2})
	firstReceiver  = netip.AddrFrom4([4]byte{127, 0, 0, 3})
	// SenderTLOC is the next hop of every vRoute.
	SenderTLOC = omp.TLOCNLRI{Address: netip.AddrFrom4([4]byte{192, 0, 2, 2}), Color: 1, Encap: 2}
)

// Config is one run.
type Config struct {
	Routes    int           // N: vRoutes the sender advertises
	Receivers int           // M: edges that receive them
	PerUpdate int           // vRoutes per UPDATE; 0: DefaultPerUpdate
	Deadline  time.Duration // the whole run; 0: DefaultDeadline
	HoldTime  uint16        // offered by every party; 0: DefaultHoldTime
	WriteSize int           // bytes per sender write; 0: DefaultWriteSize

	// InProcess runs the reference speaker in this process instead of
	// Command.
	InProcess bool
	// Command runs `ompconform reference` (argv; the controller flags
	// are appended), with Env added to this process's environment.
	Command []string
	Env     []string

	// CPUProfile, when set, receives a CPU profile of this process over
	// the timed part of the run only: from the first UPDATE to the last
	// route (or the failure). With InProcess it covers the controller,
	// whose goroutines carry the label part=controller (the clients'
	// part=sender and part=receiver).
	CPUProfile io.Writer

	// writes, when not 0, stops the sender after so many writes (tests).
	writes int

	// Log receives progress; nil discards it.
	Log *slog.Logger
}

// Receiver is what one receiver saw.
type Receiver struct {
	RouterID netip.Addr `json:"router_id"`
	Routes   int        `json:"routes"`     // distinct benchmark vRoutes received
	Seconds  float64    `json:"seconds"`    // first UPDATE written to its last route (0 if incomplete)
	FirstSec float64    `json:"first_sec"`  // first UPDATE written to its first route
	Updates  int        `json:"updates"`    // UPDATE messages received
	Dups     int        `json:"duplicates"` // vRoutes received again
	Foreign  int        `json:"foreign"`    // vRoutes that are not the sender's
	BadNH    int        `json:"bad_next_hop"`
	Withdraw int        `json:"withdrawn"`
	TLOCs    int        `json:"tlocs"`
}

// Result is one run's figures. Seconds is the slowest receiver's.
type Result struct {
	Routes    int     `json:"routes"`
	Receivers int     `json:"receivers"`
	PerUpdate int     `json:"per_update"`
	InProcess bool    `json:"in_process"`
	Seconds   float64 `json:"seconds"`      // first UPDATE written to the last route received
	SendSec   float64 `json:"send_seconds"` // first to last byte written by the sender
	// CPUSec is the CPU time (user and system) the controller used while
	// the clock ran; in-process, this whole process's, clients included.
	// Against Seconds it shows how much the machine's load stretched a run.
	CPUSec float64 `json:"cpu_seconds"`
	// SysSec is the system part of CPUSec: mostly page faults, the
	// first touch of each 4 KiB page of new memory.
	SysSec float64 `json:"sys_seconds"`
	// Faults is the number of minor page faults meanwhile.
	Faults uint64     `json:"page_faults"`
	Memory Memory     `json:"memory"`
	Each   []Receiver `json:"each"`
	Error  string     `json:"error,omitempty"`
}

// RoutesPerSec is routes delivered per second, summed over receivers.
func (r Result) RoutesPerSec() float64 {
	if r.Seconds <= 0 {
		return 0
	}
	return float64(r.Routes) * float64(r.Receivers) / r.Seconds
}

func (c *Config) settle() error {
	if c.PerUpdate == 0 {
		c.PerUpdate = DefaultPerUpdate
	}
	if c.Deadline == 0 {
		c.Deadline = DefaultDeadline
	}
	if c.HoldTime == 0 {
		c.HoldTime = DefaultHoldTime
	}
	if c.WriteSize == 0 {
		c.WriteSize = DefaultWriteSize
	}
	if c.writes == 0 {
		c.writes = math.MaxInt
	}
	if c.Log == nil {
		c.Log = slog.New(slog.DiscardHandler)
	}
	var errs []error
	if c.Routes < 1 || c.Routes > MaxRoutes {
		errs = append(errs, fmt.Errorf("routes %d: want 1..%d", c.Routes, MaxRoutes))
	}
	if c.Receivers < 1 || c.Receivers > MaxReceivers {
		errs = append(errs, fmt.Errorf("receivers %d: want 1..%d", c.Receivers, MaxReceivers))
	}
	if c.HoldTime == 1 || c.HoldTime == 2 {
		errs = append(errs, fmt.Errorf("hold time %d: want 0 or at least 3", c.HoldTime))
	}
	if !c.InProcess && len(c.Command) == 0 {
		errs = append(errs, errors.New("no controller command and not in-process"))
	}
	return errors.Join(errs...)
}

// Run runs one case. On failure (a deadline passed, a session failed,
// routes are missing) it returns the error and what was measured, with
// each receiver's count.
func Run(ctx context.Context, cfg Config) (Result, error) {
	if err := cfg.settle(); err != nil {
		return Result{}, err
	}
	res := Result{Routes: cfg.Routes, Receivers: cfg.Receivers, PerUpdate: cfg.PerUpdate, InProcess: cfg.InProcess}
	deadline := time.Now().Add(cfg.Deadline)
	ctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	log := cfg.Log.With("n", cfg.Routes, "m", cfg.Receivers)

	st, err := encodeStream(cfg.Routes, cfg.PerUpdate, SenderAddr, 2, SenderTLOC)
	if err != nil {
		return res, err
	}
	chunks := st.chunks(cfg.WriteSize)
	log.Info("stream encoded", "bytes", len(st.buf), "messages", len(st.ends), "writes", len(chunks))

	var ctl controller
	var proc *procController
	if cfg.InProcess {
		ctl, err = startInProcess(ctx, ControllerAddr, cfg.HoldTime, cfg.Log.With("part", "controller"))
	} else {
		proc, err = startProcess(cfg.Command, cfg.Env, ControllerAddr, cfg.HoldTime, deadline)
		ctl = proc
	}
	if err != nil {
		return res, err
	}
	var clients []*client
	writer := make(chan struct{}) // closed when the sender's writes end
	close(writer)
	defer func() {
		for _, c := range clients {
			c.close()
		}
		<-writer // its conn is closed: a blocked write returns
		ctl.Stop()
	}()
	fail := func(err error) (Result, error) {
		if proc != nil {
			if e := proc.exitedEarly(); e != nil {
				err = fmt.Errorf("%w (%v)", err, e)
			}
		}
		res.Error = err.Error()
		return res, err
	}
	log.Info("controller up", "addr", ctl.Addr(), "in_process", cfg.InProcess)

	// Receivers first, each Established and past the controller's
	// initial EOR, then the sender.
	ended := make(chan struct{}, cfg.Receivers+1) // a session's read loop ended
	recv := make([]*client, cfg.Receivers)
	for i := range recv {
		a := firstReceiver.As4()
		a[3] += byte(i)
		ip := netip.AddrFrom4(a)
		recv[i] = newClient("receiver "+ip.String(), ip, uint32(3+i), cfg.HoldTime, cfg.Routes, SenderTLOC, deadline)
		recv[i].ended = ended
		if err := recv[i].start(ctx, ip, ctl.Addr()); err != nil {
			return fail(err)
		}
		clients = append(clients, recv[i])
	}
	for _, c := range recv {
		if err := c.await(ctx, c.eor, "the controller's EOR"); err != nil {
			return fail(err)
		}
	}
	snd := newClient("sender "+SenderAddr.String(), SenderAddr, 2, cfg.HoldTime, 0, SenderTLOC, deadline)
	snd.ended = ended
	if err := snd.start(ctx, SenderAddr, ctl.Addr()); err != nil {
		return fail(err)
	}
	clients = append(clients, snd)
	if err := snd.await(ctx, snd.up, "the controller's HELLO"); err != nil {
		return fail(err)
	}
	ctl.Baseline()

	if cfg.CPUProfile != nil {
		if err := pprof.StartCPUProfile(cfg.CPUProfile); err != nil {
			return fail(fmt.Errorf("CPU profile: %w", err))
		}
	}
	// The clock starts with the first UPDATE.
	use0 := ctl.Usage()
	t0 := time.Now()
	sent := make(chan error, 1)
	writer = make(chan struct{})
	pprof.Do(ctx, pprof.Labels("part", "sender"), func(context.Context) {
		go func() {
			defer close(writer)
			for _, b := range chunks[:min(len(chunks), cfg.writes)] {
				if err := snd.write(b); err != nil {
					sent <- err
					return
				}
			}
			sent <- nil
		}()
	})
	sendErr := waitAll(ctx, recv, sent, ended, func() { res.SendSec = time.Since(t0).Seconds() })
	use := ctl.Usage().sub(use0)
	res.CPUSec, res.SysSec, res.Faults = use.cpu.Seconds(), use.sys.Seconds(), use.faults
	if cfg.CPUProfile != nil {
		pprof.StopCPUProfile()
	}
	res.Memory = ctl.Measure()
	// The stream is in an in-process base: keep it in what is held.
	runtime.KeepAlive(chunks)
	for _, c := range clients {
		c.close()
	}
	clients = nil

	var missing []string
	for _, c := range recv {
		r := Receiver{RouterID: c.routerID, Routes: int(c.distinct.Load()), Updates: c.updates, Dups: c.dups,
			Foreign: c.foreign, BadNH: c.badNH, Withdraw: c.withdrawn, TLOCs: c.tlocs}
		if !c.firstAt.IsZero() {
			r.FirstSec = c.firstAt.Sub(t0).Seconds()
		}
		if !c.lastAt.IsZero() {
			r.Seconds = c.lastAt.Sub(t0).Seconds()
			res.Seconds = max(res.Seconds, r.Seconds)
		} else {
			missing = append(missing, fmt.Sprintf("%s has %d of %d", c.routerID, r.Routes, cfg.Routes))
		}
		res.Each = append(res.Each, r)
	}
	var errs []error
	if len(missing) > 0 {
		res.Seconds = 0
		why := "after " + time.Since(t0).Round(time.Millisecond).String()
		if ctx.Err() != nil {
			why = fmt.Sprintf("at the %v deadline", cfg.Deadline)
		}
		errs = append(errs, fmt.Errorf("routes missing %s: %s", why, strings.Join(missing, ", ")))
	}
	if sendErr != nil {
		errs = append(errs, fmt.Errorf("sender: %w", sendErr))
	}
	for _, c := range append(recv, snd) {
		// At the deadline every read times out: that says nothing more.
		if err := c.err(); err != nil && !(ctx.Err() != nil && errors.Is(err, os.ErrDeadlineExceeded)) {
			errs = append(errs, err)
		}
	}
	for _, r := range res.Each {
		if r.BadNH > 0 || r.Foreign > 0 || r.Withdraw > 0 {
			errs = append(errs, fmt.Errorf("receiver %s: %d UPDATEs with another next hop, %d foreign vRoutes, %d withdrawn", r.RouterID, r.BadNH, r.Foreign, r.Withdraw))
		}
	}
	if err := ctl.Stop(); err != nil {
		errs = append(errs, err)
	}
	if len(errs) > 0 {
		return fail(errors.Join(errs...))
	}
	log.Info("done", "seconds", res.Seconds, "send_seconds", res.SendSec, "peak", res.Memory.Peak)
	return res, nil
}

// waitAll waits until every receiver has all its routes, or until one
// cannot: a session ended, the sender's write failed, or ctx ended. It
// returns the sender's error, and calls onSent when the sender is done.
func waitAll(ctx context.Context, recv []*client, sent <-chan error, ended <-chan struct{}, onSent func()) error {
	for len(recv) > 0 {
		select {
		case <-recv[0].complete:
			recv = recv[1:]
		case err := <-sent:
			onSent()
			if err != nil {
				return err
			}
			sent = nil
		case <-ended:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
	if sent != nil {
		// Every route arrived, so every byte was written: the write
		// call is returning.
		select {
		case err := <-sent:
			onSent()
			return err
		case <-ctx.Done():
		}
	}
	return nil
}

// await waits for ch, or fails when the client ends or ctx does.
func (c *client) await(ctx context.Context, ch <-chan struct{}, what string) error {
	select {
	case <-ch:
		return nil
	case <-c.done:
		if err := c.err(); err != nil {
			return err
		}
		return fmt.Errorf("%s: session ended before %s", c.name, what)
	case <-ctx.Done():
		return fmt.Errorf("%s: no %s before the deadline", c.name, what)
	}
}

// Table prints results as the issue asks: N, M, seconds to the last
// route, routes/s, controller peak memory, bytes/route; then the
// memory before the first UPDATE and the controller CPU time (ctl-cpu;
// in-process the whole process).
func Table(rs []Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%9s %4s %9s %12s %11s %11s %10s %8s  %s\n", "N", "M", "seconds", "routes/s", "peak", "base", "bytes/rt", "ctl-cpu", "note")
	sort.SliceStable(rs, func(i, j int) bool {
		if rs[i].Routes != rs[j].Routes {
			return rs[i].Routes < rs[j].Routes
		}
		return rs[i].Receivers < rs[j].Receivers
	})
	for _, r := range rs {
		note := "rss"
		if r.Memory.Source == "heap" {
			note = fmt.Sprintf("heap (held %s)", mib(r.Memory.Held))
		}
		if r.Error != "" {
			note = "FAILED: " + firstLine(r.Error)
		}
		fmt.Fprintf(&b, "%9d %4d %9.3f %12.0f %11s %11s %10.0f %7.2fs  %s\n", r.Routes, r.Receivers, r.Seconds, r.RoutesPerSec(),
			mib(r.Memory.Peak), mib(r.Memory.Base), r.Memory.PerRoute(r.Routes), r.CPUSec, note)
	}
	return b.String()
}

func mib(v uint64) string { return fmt.Sprintf("%.1f MiB", float64(v)/(1<<20)) }

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " ..."
	}
	return s
}
