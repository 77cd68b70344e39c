// Command ompconform is the conformance and fuzz harness for OMP
// (draft-sthoria-omp-00).
//
//	ompconform <command> [flags] [arguments]
//	ompconform help [command]
//
// Each subcommand lives in its own file and registers itself from init:
//
//	func init() {
//		Register(&Command{Name: "decode", Summary: "...", Usage: "...", Run: runDecode})
//	}
//
// Run gets the arguments after the command name and an Env for its input
// and output, so tests run commands in-process. Exit codes: 0 success,
// 1 the command ran and found a failure (a malformed message, a failed
// case), 2 usage or input error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"
	"syscall"
)

// Command is a subcommand.
type Command struct {
	Name    string // what follows "ompconform"
	Summary string // one line for "ompconform help"
	// Usage is the full help text: a synopsis line, then the flags and
	// what the command does.
	Usage string
	// Subs are the usages of its subcommands by the word that follows
	// the name ("minimize" of "fuzz minimize"), for "ompconform help
	// fuzz minimize", which the subcommand's usage errors point to.
	Subs map[string]string
	Run  func(env *Env, args []string) int
}

// Env is where a command reads and writes.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and found a failure
	ExitUsage   = 2 // bad usage or unreadable input
	// ExitInterrupted is a command stopped by Ctrl-C or SIGTERM, after
	// writing what it had (128 + SIGINT, as a shell reports it).
	ExitInterrupted = 130
)

var commands = map[string]*Command{}

// Register adds a command; it panics on a duplicate name, which is a
// programming error found at start-up.
func Register(c *Command) {
	if c.Name == "" || c.Run == nil {
		panic("ompconform: Register: command without a name or Run")
	}
	if _, dup := commands[c.Name]; dup || c.Name == "help" {
		panic("ompconform: Register: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

func main() {
	os.Exit(run(os.Args[1:], &Env{Stdin: os.Stdin, Stdout: os.Stdout, Stderr: os.Stderr}))
}

// run dispatches args (without the program name) to a command.
func run(args []string, env *Env) int {
	if len(args) == 0 {
		listCommands(env.Stderr)
		return ExitUsage
	}
	switch args[0] {
	case "help", "-h", "-help", "--help":
		return help(env, args[1:])
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "ompconform: unknown command %q; run \"ompconform help\"\n", args[0])
		return ExitUsage
	}
	return c.Run(env, args[1:])
}

func help(env *Env, args []string) int {
	if len(args) == 0 {
		listCommands(env.Stdout)
		return ExitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(env.Stderr, "ompconform help: unknown command %q\n", args[0])
		return ExitUsage
	}
	if len(args) > 1 {
		if u, ok := c.Subs[args[1]]; ok {
			fmt.Fprint(env.Stdout, u)
			return ExitOK
		}
	}
	fmt.Fprint(env.Stdout, usageText(c))
	return ExitOK
}

func usageText(c *Command) string {
	u := c.Usage
	if u == "" {
		u = "usage: ompconform " + c.Name + "\n"
	}
	if !strings.HasSuffix(u, "\n") {
		u += "\n"
	}
	return u
}

func listCommands(w io.Writer) {
	fmt.Fprint(w, "usage: ompconform <command> [flags] [arguments]\n\ncommands:\n")
	names := make([]string, 0, len(commands))
	width := 4
	for n := range commands {
		names = append(names, n)
		width = max(width, len(n))
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, commands[n].Summary)
	}
	fmt.Fprintf(w, "  %-*s  %s\n", width, "help", "show this list, or a command's usage: help <command>")
	fmt.Fprint(w, "\nexit status: 0 success, 1 failure found, 2 usage or input error\n")
}

// interruptible is a context that Ctrl-C (SIGINT) or SIGTERM (what
// timeout(1), docker stop and CI runners send) cancels: a command stops
// at once and still writes what it has; a second signal kills it.
func interruptible() (context.Context, context.CancelFunc) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// The first signal ends the context; a second one, for a command
	// stuck on its way out, takes its default action and kills it.
	context.AfterFunc(ctx, stop)
	return ctx, stop
}
