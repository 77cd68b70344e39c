package scale

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"os"
	"os/exec"
	"runtime"
	"runtime/metrics"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/peers/reference/rib"
)

// Memory is what the controller used.
type Memory struct {
	// Source says what was measured: "rss" (a controller process:
	// VmHWM and VmRSS from /proc/<pid>/status) or "heap" (an in-process
	// controller: the runtime's HeapInuse, which also counts the bench
	// clients' garbage, plus rib.MappedBytes, the RIB's tables outside
	// the Go heap; "HeapInuse" below means that sum).
	Source string `json:"source"`
	// Base is before the first UPDATE: VmRSS, or HeapInuse after a GC.
	Base uint64 `json:"base_bytes"`
	// Peak is the highest seen: VmHWM, or HeapInuse sampled every 10 ms.
	Peak uint64 `json:"peak_bytes"`
	// Held is what stays with every route received, after a GC
	// (in-process only; 0 for a process).
	Held uint64 `json:"held_bytes,omitempty"`
}

// PerRoute is the controller's memory per route: peak less base for a
// process (RSS), held less base in-process (live heap after GC).
func (m Memory) PerRoute(n int) float64 {
	if n <= 0 {
		return 0
	}
	v := m.Peak
	if m.Source == "heap" {
		v = m.Held
	}
	if v < m.Base {
		return 0
	}
	return float64(v-m.Base) / float64(n)
}

// controller is the device under test.
type controller interface {
	// Addr is its listen address, host:port.
	Addr() string
	// Baseline records memory before the routes.
	Baseline()
	// Measure records memory with the routes in.
	Measure() Memory
	// Usage is the CPU time and page faults so far: the controller's
	// own as a process; in-process, this whole process's.
	Usage() usage
	// Stop stops it; err says whether it ended badly.
	Stop() error
}

// controllerArgs are the flags of `ompconform reference` for the
// benchmark's controller.
func controllerArgs(rid netip.Addr, listen string, hold uint16) []string {
	return []string{"-role", "controller", "-system-ip", rid.String(), "-site-id", "1",
		"-listen", listen, "-state-api=", "-log-level", "warn",
		"-hold-time", strconv.Itoa(int(hold)), "-gr-interval", "0", "-max-routes-per-peer", "-1"}
}

// procController is `ompconform reference` run as a child process, so
// that its memory is its own.
type procController struct {
	cmd    *exec.Cmd
	addr   string
	stderr *tail
	exited chan struct{}
	werr   error
	base   uint64
}

// startProcess runs argv plus the controller flags and waits, until
// deadline, for the line that gives its listen address.
func startProcess(argv, env []string, rid netip.Addr, hold uint16, deadline time.Time) (*procController, error) {
	if len(argv) == 0 {
		return nil, errors.New("no controller command")
	}
	args := append(append([]string(nil), argv[1:]...), controllerArgs(rid, rid.String()+":0", hold)...)
	cmd := exec.Command(argv[0], args...)
	cmd.Env = append(os.Environ(), env...)
	p := &procController{cmd: cmd, stderr: &tail{max: 8 << 10}, exited: make(chan struct{})}
	cmd.Stderr = p.stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("controller: %w", err)
	}
	line := make(chan string, 1)
	go func() {
		br := bufio.NewReader(out)
		s, _ := br.ReadString('\n')
		line <- s
		io.Copy(io.Discard, br)
	}()
	go func() {
		p.werr = cmd.Wait()
		close(p.exited)
	}()
	t := time.NewTimer(time.Until(deadline))
	defer t.Stop()
	select {
	case s := <-line:
		// "ompconform reference: controller 127.0.0.1 listening on [127.0.0.1:41234], state API off"
		i, j := strings.Index(s, "listening on ["), strings.Index(s, "]")
		if i < 0 || j < i {
			p.Stop()
			return nil, fmt.Errorf("controller did not start: stdout %q, stderr %q", s, p.stderr.String())
		}
		p.addr = strings.Fields(s[i+len("listening on [") : j])[0]
	case <-t.C:
		p.Stop()
		return nil, fmt.Errorf("controller gave no listen address before the deadline; stderr %q", p.stderr.String())
	}
	return p, nil
}

func (p *procController) Addr() string { return p.addr }

func (p *procController) Baseline() {
	_, rss, _ := procMemory(p.cmd.Process.Pid)
	p.base = rss
}

func (p *procController) Measure() Memory {
	hwm, _, _ := procMemory(p.cmd.Process.Pid)
	return Memory{Source: "rss", Base: p.base, Peak: hwm}
}

func (p *procController) Usage() usage {
	u, _ := procUsage(p.cmd.Process.Pid)
	return u
}

// usage is CPU time, user and system, and minor page faults (first
// touches of memory, each a trip through the kernel).
type usage struct {
	cpu, sys time.Duration
	faults   uint64
}

func (u usage) sub(v usage) usage {
	return usage{cpu: u.cpu - v.cpu, sys: u.sys - v.sys, faults: u.faults - v.faults}
}

// procUsage reads minflt, utime and stime of pid from /proc/<pid>/stat
// (times in USER_HZ ticks, 100 a second on Linux).
func procUsage(pid int) (usage, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return usage{}, err
	}
	// pid (comm) state ppid ... : fields after the comm, from state.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return usage{}, fmt.Errorf("/proc/%d/stat: no comm", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return usage{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	mf, err0 := strconv.ParseUint(f[7], 10, 64)
	ut, err1 := strconv.ParseUint(f[11], 10, 64)
	st, err2 := strconv.ParseUint(f[12], 10, 64)
	if err := errors.Join(err0, err1, err2); err != nil {
		return usage{}, err
	}
	tick := 10 * time.Millisecond
	return usage{cpu: time.Duration(ut+st) * tick, sys: time.Duration(st) * tick, faults: mf}, nil
}

// Stop sends SIGTERM (the speaker sends ALERT OPER/TERM to its peers and
// exits 0) and kills the process if it has not exited within 5 s.
func (p *procController) Stop() error {
	select {
	case <-p.exited:
	default:
		p.cmd.Process.Signal(syscall.SIGTERM)
		t := time.NewTimer(5 * time.Second)
		defer t.Stop()
		select {
		case <-p.exited:
		case <-t.C:
			p.cmd.Process.Kill()
			<-p.exited
			return fmt.Errorf("controller did not stop within 5s of SIGTERM; killed")
		}
	}
	if p.werr != nil {
		return fmt.Errorf("controller: %v; stderr %q", p.werr, p.stderr.String())
	}
	return nil
}

// exitedEarly reports, without blocking, whether the process is gone.
func (p *procController) exitedEarly() error {
	select {
	case <-p.exited:
		return fmt.Errorf("controller exited: %v; stderr %q", p.werr, p.stderr.String())
	default:
		return nil
	}
}

// procMemory reads VmHWM and VmRSS of pid, in bytes.
func procMemory(pid int) (hwm, rss uint64, err error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) < 2 {
			continue
		}
		v, err := strconv.ParseUint(f[1], 10, 64)
		if err != nil {
			continue
		}
		switch f[0] {
		case "VmHWM:":
			hwm = v << 10
		case "VmRSS:":
			rss = v << 10
		}
	}
	return hwm, rss, nil
}

// inprocController is the reference speaker in this process.
type inprocController struct {
	sp   *reference.Speaker
	base uint64
	peak uint64
	stop chan struct{}
	done chan struct{}
	mu   sync.Mutex
}

func startInProcess(ctx context.Context, rid netip.Addr, hold uint16, log *slog.Logger) (*inprocController, error) {
	var sp *reference.Speaker
	var err error
	// The speaker's goroutines inherit the label, so a CPU profile of
	// the run splits into controller and clients (-tagfocus part=controller).
	pprof.Do(ctx, pprof.Labels("part", "controller"), func(ctx context.Context) {
		sp, err = reference.Start(ctx, reference.Config{Role: omp.RoleController, RouterID: rid, SiteID: 1,
			Listen: []string{rid.String() + ":0"}, HoldTime: &hold, GRInterval: new(uint32), Logger: log})
	})
	if err != nil {
		return nil, err
	}
	return &inprocController{sp: sp}, nil
}

func (c *inprocController) Addr() string { return c.sp.Addr().String() }

// heapInuse reads HeapInuse from runtime/metrics, which does not stop
// the world, plus the memory the RIB's tables hold outside the heap.
func heapInuse(s []metrics.Sample) uint64 {
	metrics.Read(s)
	v := uint64(rib.MappedBytes())
	for _, x := range s {
		if x.Value.Kind() == metrics.KindUint64 {
			v += x.Value.Uint64()
		}
	}
	return v
}

// collect runs the garbage collector until the RIB memory of earlier
// runs is gone too: cleanups unmap it after a collection, in the
// background (up to 100 ms).
func collect() {
	for range 10 {
		before := rib.MappedBytes()
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
		if rib.MappedBytes() == before {
			return
		}
	}
}

func heapSamples() []metrics.Sample {
	return []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}, {Name: "/memory/classes/heap/unused:bytes"}}
}

// Baseline takes HeapInuse after a GC and starts sampling the peak.
func (c *inprocController) Baseline() {
	collect()
	s := heapSamples()
	c.base = heapInuse(s)
	c.peak = c.base
	c.stop, c.done = make(chan struct{}), make(chan struct{})
	go func() {
		defer close(c.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-c.stop:
				return
			case <-t.C:
				v := heapInuse(s)
				c.mu.Lock()
				c.peak = max(c.peak, v)
				c.mu.Unlock()
			}
		}
	}()
}

func (c *inprocController) Measure() Memory {
	if c.stop != nil {
		close(c.stop)
		<-c.done
		c.stop = nil
	}
	s := heapSamples()
	c.mu.Lock()
	peak := max(c.peak, heapInuse(s))
	c.mu.Unlock()
	collect()
	return Memory{Source: "heap", Base: c.base, Peak: peak, Held: heapInuse(s)}
}

func (c *inprocController) Usage() usage {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return usage{}
	}
	return usage{cpu: time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), sys: time.Duration(ru.Stime.Nano()), faults: uint64(ru.Minflt)}
}

func (c *inprocController) Stop() error {
	if c.stop != nil {
		close(c.stop)
		<-c.done
		c.stop = nil
	}
	return c.sp.Close()
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	b   bytes.Buffer
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b.Write(p)
	if over := t.b.Len() - t.max; over > 0 {
		t.b.Next(over)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(t.b.String())
}
