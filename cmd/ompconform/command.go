package main

import (
	"errors"
	"flag"
	"fmt"

	"github.com/ompconform/ompconform/internal/cliflags"
)

// command is a subcommand's flag set and its usage failure, which every
// subcommand parses and reports the same way: a flag error prints
// "ompconform NAME: " and the error and exits ExitUsage, -h prints the
// usage and exits ExitOK.
type command struct {
	*flag.FlagSet
	env  *Env
	name string
}

// newCommand returns the empty flag set of subcommand name ("fuzz
// merge"); usage is what -h prints.
func newCommand(env *Env, name string, usage func() string) *command {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	cliflags.Setup(fs, env.Stderr, name, usage)
	return &command{FlagSet: fs, env: env, name: name}
}

// parse parses flags that may come before, between or after the
// positional arguments ("--" ends the flags) and returns the positional
// arguments; on a flag error or -h it returns ok false and the exit
// status.
func (c *command) parse(args []string) (pos []string, exit int, ok bool) {
	for {
		if err := c.Parse(args); err != nil {
			return nil, parseExit(err), false
		}
		used := len(args) - c.NArg()
		if used > 0 && args[used-1] == "--" {
			return append(pos, c.Args()...), ExitOK, true
		}
		if c.NArg() == 0 {
			return pos, ExitOK, true
		}
		pos = append(pos, c.Arg(0))
		args = c.Args()[1:]
	}
}

// parseOne is parse for a command of one positional argument, what: it
// returns that argument, or ok false and the exit status.
func (c *command) parseOne(args []string, what string) (arg string, exit int, ok bool) {
	pos, exit, ok := c.parse(args)
	if ok && len(pos) != 1 {
		return "", c.fail("want one %s", what), false
	}
	if !ok {
		return "", exit, false
	}
	return pos[0], ExitOK, true
}

// parseFlags parses args, which are flags only: the flags end at the
// first positional argument, which is an error. On an error or -h it
// returns ok false and the exit status.
func (c *command) parseFlags(args []string) (exit int, ok bool) {
	if err := c.Parse(args); err != nil {
		return parseExit(err), false
	}
	if c.NArg() > 0 {
		return c.fail("unexpected argument %q", c.Arg(0)), false
	}
	return ExitOK, true
}

// fail prints "ompconform NAME: " and the message on stderr and returns
// ExitUsage.
func (c *command) fail(format string, a ...any) int {
	fmt.Fprintf(c.env.Stderr, "ompconform "+c.name+": "+format+"\n", a...)
	return ExitUsage
}

// parseExit is the exit status after a flag parse error: ExitOK after -h
// (cliflags printed the usage), else ExitUsage (it printed the error).
func parseExit(err error) int {
	if errors.Is(err, flag.ErrHelp) {
		return ExitOK
	}
	return ExitUsage
}
