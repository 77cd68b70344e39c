package dut

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/exec"
	"sync"
	"syscall"
	"time"
)

// Command is the Factory of a DUT that is a local program: it starts
// argv (through no shell), waits up to wait for t.Addr to accept a TCP
// connection, and returns the DUT. The harness calls the factory again to
// replace a DUT a case or an input killed: a program that exited is
// started anew. Close stops the program (SIGTERM, then SIGKILL after two
// seconds). The program's standard output and error, the last
// OutputLimit bytes of each start, are kept (CommandDUT.Output) for the
// report.
func Command(argv []string, t Target, wait time.Duration) Factory {
	return func(ctx context.Context) (DUT, error) {
		if len(argv) == 0 {
			return nil, errors.New("dut command: empty")
		}
		if t.Addr == "" {
			return nil, errors.New("dut command: needs the address the program listens on (--target)")
		}
		d := &CommandDUT{t: t, out: &tailBuffer{max: OutputLimit}}
		if d.t.Name == "" {
			d.t.Name = "local program " + argv[0]
		}
		// The program belongs to the run, not to one case: it outlives
		// the factory call's context, and Close stops it.
		d.cmd = exec.Command(argv[0], argv[1:]...)
		d.cmd.Stdout, d.cmd.Stderr = d.out, d.out
		d.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
		// A child that left the process group (a daemon's setsid) and
		// holds the output pipes does not hold Wait, nor Close, past this.
		d.cmd.WaitDelay = time.Second
		if err := d.cmd.Start(); err != nil {
			return nil, fmt.Errorf("dut command: %w", err)
		}
		d.exited = make(chan struct{})
		go func() { d.cmd.Wait(); close(d.exited) }()
		deadline := time.Now().Add(wait)
		for {
			c, err := net.DialTimeout("tcp", t.Addr, 200*time.Millisecond)
			if err == nil {
				c.Close()
				return d, nil
			}
			select {
			case <-d.exited:
				out := d.out.String()
				if out == "" {
					out = "(no output)"
				}
				return nil, fmt.Errorf("dut command %s ended (%s) before %s accepted a connection: %s", argv[0], d.cmd.ProcessState, t.Addr, out)
			case <-ctx.Done():
				d.Close()
				return nil, ctx.Err()
			case <-time.After(100 * time.Millisecond):
			}
			if time.Now().After(deadline) {
				d.Close()
				return nil, fmt.Errorf("dut command %s: nothing accepted connections on %s within %s (a slower program needs a longer --dut-wait)", argv[0], t.Addr, wait)
			}
		}
	}
}

// DefaultWait is how long Command's callers wait, unless told otherwise,
// for a program's port to accept connections.
const DefaultWait = 30 * time.Second

// OutputLimit bounds the program output a CommandDUT keeps.
const OutputLimit = 64 << 10

// CommandDUT is a DUT that Command started.
type CommandDUT struct {
	t      Target
	cmd    *exec.Cmd
	out    *tailBuffer
	exited chan struct{}
	once   sync.Once
}

func (d *CommandDUT) Target() Target { return d.t }

// Output is the end of what the program wrote.
func (d *CommandDUT) Output() string { return d.out.String() }

// Close stops the program and its process group: SIGTERM, then SIGKILL.
func (d *CommandDUT) Close() error {
	d.once.Do(func() {
		pg := -d.cmd.Process.Pid
		syscall.Kill(pg, syscall.SIGTERM)
		select {
		case <-d.exited:
		case <-time.After(2 * time.Second):
			syscall.Kill(pg, syscall.SIGKILL)
			<-d.exited
		}
	})
	return nil
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	b   []byte
	cut int // bytes dropped from the front
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.cut += over
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cut > 0 {
		return fmt.Sprintf("[%d bytes before cut]\n%s", t.cut, t.b)
	}
	return string(t.b)
}
