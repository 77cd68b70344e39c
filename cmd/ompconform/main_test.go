package main

import (
	"bytes"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"
)

// runCmd runs ompconform in-process with args and stdin, and returns its
// exit code, stdout and stderr.
func runCmd(t *testing.T, stdin io.Reader, args ...string) (int, string, string) {
	t.Helper()
	if stdin == nil {
		stdin = strings.NewReader("")
	}
	var out, errb bytes.Buffer
	code := run(args, &Env{Stdin: stdin, Stdout: &out, Stderr: &errb})
	return code, out.String(), errb.String()
}

func TestHelpListsCommands(t *testing.T) {
	code, out, _ := runCmd(t, nil, "help")
	if code != ExitOK || !strings.Contains(out, "decode") || !strings.Contains(out, "help") {
		t.Fatalf("help: code %d, output %q", code, out)
	}
	// help COMMAND prints the command's usage, which documents its flags.
	for cmd, flag := range map[string]string{"decode": "--json", "bench-scale": "-in-process", "fuzz": "--replay FILE", "reference": "-system-ip"} {
		code, out, _ = runCmd(t, nil, "help", cmd)
		if code != ExitOK || !strings.HasPrefix(out, "usage: ompconform "+cmd) || !strings.Contains(out, flag) {
			t.Errorf("help %s: code %d, output %q; want its usage, with %s", cmd, code, out, flag)
		}
	}
	if code, _, errs := runCmd(t, nil, "help", "nope"); code != ExitUsage || !strings.Contains(errs, "nope") {
		t.Fatalf("help nope: code %d, stderr %q", code, errs)
	}
}

func TestNoCommandIsAUsageError(t *testing.T) {
	code, out, errs := runCmd(t, nil)
	if code != ExitUsage || out != "" || !strings.Contains(errs, "usage: ompconform") {
		t.Fatalf("no args: code %d, stdout %q, stderr %q", code, out, errs)
	}
	code, _, errs = runCmd(t, nil, "frobnicate")
	if code != ExitUsage || !strings.Contains(errs, `unknown command "frobnicate"`) {
		t.Fatalf("unknown command: code %d, stderr %q", code, errs)
	}
}

func TestRegisterRefusesDuplicates(t *testing.T) {
	for _, name := range []string{"decode", "help"} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Register(%q) did not panic", name)
				}
			}()
			Register(&Command{Name: name, Run: func(*Env, []string) int { return 0 }})
		}()
	}
}

func TestCommandGetsItsArguments(t *testing.T) {
	var got []string
	commands["echo-test"] = &Command{Name: "echo-test", Run: func(env *Env, args []string) int {
		got = args
		io.WriteString(env.Stdout, "ran")
		return 7
	}}
	defer delete(commands, "echo-test")
	code, out, _ := runCmd(t, nil, "echo-test", "a", "--b")
	if code != 7 || out != "ran" || strings.Join(got, " ") != "a --b" {
		t.Fatalf("code %d, out %q, args %q", code, out, got)
	}
}

// SIGTERM (timeout(1), docker stop) stops a command as Ctrl-C does: its
// context ends, and it writes what it has.
func TestInterruptibleBySIGTERM(t *testing.T) {
	ctx, stop := interruptible()
	defer stop()
	syscall.Kill(os.Getpid(), syscall.SIGTERM)
	select {
	case <-ctx.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("SIGTERM did not end the context")
	}
}

// A run stopped by SIGTERM (or Ctrl-C) writes its reports, says so in
// them, and exits 130, whatever its grades so far; stopped before its
// first case, it says so and exits 130 too.
func TestRunInterruptedExits130(t *testing.T) {
	js := t.TempDir() + "/r.json"
	time.AfterFunc(1500*time.Millisecond, func() { syscall.Kill(os.Getpid(), syscall.SIGTERM) })
	code, out, errs := runCmd(t, nil, "run", "--quiet", "--json", js, "HLD-*")
	if code != ExitInterrupted || !strings.Contains(out, "note: interrupted (") {
		t.Fatalf("code %d, want %d; stdout:\n%s\nstderr: %s", code, ExitInterrupted, out, errs)
	}
	if b, err := os.ReadFile(js); err != nil || !bytes.Contains(b, []byte(`"interrupted":true`)) {
		t.Errorf("the JSON report does not say it was interrupted (%v)", err)
	}

	time.AfterFunc(500*time.Millisecond, func() { syscall.Kill(os.Getpid(), syscall.SIGTERM) })
	code, _, errs = runCmd(t, nil, "run", "--listen", "127.0.0.1:0", "--role", "edge", "HDR-002")
	if code != ExitInterrupted || !strings.Contains(errs, "interrupted before the first case") {
		t.Errorf("interrupted while listening: code %d, stderr %q", code, errs)
	}
}

// An interrupted fuzz run prints what it found and exits 130, as run does.
func TestFuzzInterruptedExits130(t *testing.T) {
	time.AfterFunc(1500*time.Millisecond, func() { syscall.Kill(os.Getpid(), syscall.SIGTERM) })
	code, out, errs := runCmd(t, nil, "fuzz", "--iterations", "0", "--duration", "60s", "--quiet", "--out", t.TempDir())
	if code != ExitInterrupted || !strings.Contains(out, "stopped (") || !strings.Contains(out, "interrupted") {
		t.Errorf("code %d, want %d; stdout:\n%s\nstderr: %s", code, ExitInterrupted, out, errs)
	}
}
