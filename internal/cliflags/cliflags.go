// Package cliflags gives every ompconform command one flag style: flags
// are written --name in help, a misspelt flag gets one line with the
// nearest flag ("did you mean --timeout?") and a pointer to the help,
// not the whole flag list, and -h / --help prints the full usage.
package cliflags

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"strings"
)

// Setup makes fs print its errors to w in that style. usage returns the
// full help text (printed for -h and --help); cmd names the command in
// the messages ("run", "reference").
func Setup(fs *flag.FlagSet, w io.Writer, cmd string, usage func() string) {
	rec := &lastLine{}
	fs.SetOutput(rec)
	fs.Usage = func() {
		msg := strings.TrimSpace(rec.take())
		if msg == "" { // -h or --help
			fmt.Fprint(w, usage())
			return
		}
		fmt.Fprintf(w, "ompconform %s: %s%s\n", cmd, dashes(msg), suggest(fs, msg))
		fmt.Fprintf(w, "usage: ompconform %s [flags] (\"ompconform help %s\" lists them)\n", cmd, cmd)
	}
}

// dashes writes the flag package's "-name" as "--name".
func dashes(msg string) string {
	const undefined = "flag provided but not defined: -"
	if strings.HasPrefix(msg, undefined) {
		return "flag provided but not defined: --" + strings.TrimPrefix(msg, undefined)
	}
	if rest, ok := strings.CutPrefix(msg, "invalid value "); ok {
		if i := strings.Index(rest, " for flag -"); i >= 0 {
			return "invalid value " + rest[:i] + " for flag --" + rest[i+len(" for flag -"):]
		}
	}
	if rest, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return "flag needs an argument: --" + rest
	}
	return msg
}

// suggest is " (did you mean --x?)" for an undefined flag close to x.
func suggest(fs *flag.FlagSet, msg string) string {
	name, ok := strings.CutPrefix(msg, "flag provided but not defined: -")
	if !ok {
		return ""
	}
	name = strings.TrimLeft(name, "-")
	best, bestD := "", 3
	fs.VisitAll(func(f *flag.Flag) {
		d := distance(name, f.Name)
		if strings.HasPrefix(f.Name, name) || strings.HasPrefix(name, f.Name) {
			d = min(d, 1)
		}
		if d < bestD {
			best, bestD = f.Name, d
		}
	})
	if best == "" {
		return ""
	}
	return " (did you mean --" + best + "?)"
}

// distance is the Levenshtein distance of a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// PrintDefaults writes fs's flags as "  --name VALUE" lines, each with
// its usage and default, as flag.PrintDefaults does with one dash. A
// zero default is not shown, nor one the usage already states in words
// ("(default 30s)": the flag's zero then means "not set").
func PrintDefaults(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		line := "  --" + f.Name
		if name != "" {
			line += " " + name
		}
		fmt.Fprintf(w, "%s\n    \t%s", line, strings.ReplaceAll(usage, "\n", "\n    \t"))
		switch f.DefValue {
		case "", "false", "0", "0s", "[]":
		default:
			if strings.Contains(usage, "(default") {
				break
			}
			if name == "string" {
				fmt.Fprintf(w, " (default %q)", f.DefValue)
			} else {
				fmt.Fprintf(w, " (default %s)", f.DefValue)
			}
		}
		fmt.Fprintln(w)
	})
}

// lastLine keeps what the flag package printed, to be read by Usage.
type lastLine struct{ b bytes.Buffer }

func (l *lastLine) Write(p []byte) (int, error) {
	if l.b.Len() < 4096 {
		l.b.Write(p)
	}
	return len(p), nil
}

func (l *lastLine) take() string {
	s := l.b.String()
	l.b.Reset()
	return s
}
