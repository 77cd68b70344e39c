package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/ompconform/ompconform/fixtures"
	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/omp"
)

const decodeUsage = `usage: ompconform decode [--json] [--raw] [HEX... | -f FILE | -]

Decodes OMP messages, header included, and prints each one. Input is hex
from the arguments, from FILE (-f) or from standard input ("-", or no
argument): whitespace, 0x prefixes and '#' comments are ignored. With
--raw, -f FILE or standard input holds the message bytes themselves.
Several messages may follow one another; each header's Length splits
them.

Output is an annotated dump of every field of each message (offset in
the message, bytes, field name indented by nesting, value), or with
--json one JSON document per message ({"type": ..., "body": ...}). A
malformed message prints the ALERT it calls for (code and subcode by
draft name), the offending field and its offset, and the fields read
before the error; with --json, {"offset", "length", "error", "fields"}.

flags:
  --json    print JSON instead of the annotated dump
  --raw     read bytes, not hex (from -f FILE or standard input)
  -f FILE   read the input from FILE

exit status: 0 every message decoded, 1 some message is malformed,
2 usage error or unreadable input (odd hex, missing file)
`

func init() {
	Register(&Command{
		Name:    "decode",
		Summary: "decode OMP messages given as hex or raw bytes",
		Usage:   decodeUsage,
		Run:     runDecode,
	})
}

type decodeFlags struct {
	json bool
	raw  bool
	file string
}

func runDecode(env *Env, args []string) int {
	var fl decodeFlags
	cmd := newCommand(env, "decode", func() string { return decodeUsage })
	cmd.BoolVar(&fl.json, "json", false, "print JSON")
	cmd.BoolVar(&fl.raw, "raw", false, "read bytes, not hex")
	cmd.StringVar(&fl.file, "f", "", "read the input from `FILE`")
	pos, exit, ok := cmd.parse(args)
	if !ok {
		return exit
	}
	in, err := readInput(env, fl, pos)
	if err != nil {
		return cmd.fail("%v", err)
	}
	if len(in) == 0 {
		return cmd.fail("no input")
	}
	status := ExitOK
	for i, c := range splitMessages(in) {
		var ok bool
		if fl.json {
			ok, err = printJSON(env.Stdout, c)
		} else {
			if i > 0 {
				fmt.Fprintln(env.Stdout)
			}
			ok, err = printDump(env.Stdout, i+1, c)
		}
		if err != nil {
			return cmd.fail("%v", err)
		}
		if !ok {
			status = ExitFailure
		}
	}
	return status
}

// readInput returns the input bytes: hex decoded, unless --raw.
func readInput(env *Env, fl decodeFlags, pos []string) ([]byte, error) {
	stdin := len(pos) == 1 && pos[0] == "-" || len(pos) == 0 && fl.file == ""
	switch {
	case fl.file != "" && len(pos) > 0:
		return nil, errors.New("give HEX arguments, -f FILE or -, not several")
	case !stdin && len(pos) > 0 && fl.raw:
		return nil, errors.New("--raw reads bytes from -f FILE or standard input, not from arguments")
	case !stdin && len(pos) > 1 && contains(pos, "-"):
		return nil, errors.New(`"-" (standard input) cannot be mixed with HEX arguments`)
	}
	var data []byte
	var err error
	switch {
	case fl.file != "":
		data, err = filein.Read(fl.file, filein.Default)
	case stdin:
		if data, err = io.ReadAll(io.LimitReader(env.Stdin, filein.Default+1)); err == nil && int64(len(data)) > filein.Default {
			err = fmt.Errorf("standard input: over the limit of %d MiB", filein.Default>>20)
		}
	default:
		data = []byte(strings.Join(pos, "\n"))
	}
	if err != nil {
		return nil, err
	}
	if fl.raw {
		return data, nil
	}
	b, err := fixtures.ParseHex(string(data))
	if err != nil {
		return nil, fmt.Errorf("input is not hex: %w", err)
	}
	return b, nil
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// chunk is one message of the input and where it starts.
type chunk struct {
	off int
	b   []byte
}

// splitMessages cuts the input at each header's Length. A header that
// cannot frame a message (fewer than 19 bytes left, or a Length under 19
// or past the end of the input) makes the rest of the input one message,
// which then fails to decode with the header's error.
func splitMessages(in []byte) []chunk {
	var out []chunk
	for off := 0; off < len(in); {
		rest := in[off:]
		n := len(rest)
		if l, _ := omp.HeaderLength(rest); l >= omp.HeaderLen && l <= len(rest) {
			n = l
		}
		out = append(out, chunk{off, rest[:n]})
		off += n
	}
	return out
}

// printJSON prints a message as omp.MessageJSON, or a malformed one as
// {"offset", "error", "fields"}. It reports whether the message decoded.
func printJSON(w io.Writer, c chunk) (bool, error) {
	m, fields, err := omp.DecodeFields(c.b)
	decoded := err == nil
	var out []byte
	if decoded {
		if out, err = omp.MessageJSON(m); err != nil {
			return false, err
		}
	} else {
		e, ok := omp.AsError(err)
		if !ok {
			return false, err
		}
		type jf struct {
			Name   string `json:"name"`
			Offset int    `json:"offset"`
			Length int    `json:"length"`
			Kind   string `json:"kind"`
			Bytes  string `json:"bytes,omitempty"`
			Value  string `json:"value,omitempty"`
		}
		doc := struct {
			Offset int `json:"offset"`
			Length int `json:"length"`
			Error  struct {
				Code    string `json:"code"`
				Subcode string `json:"subcode"`
				Field   string `json:"field"`
				Offset  int    `json:"offset"`
				Reason  string `json:"reason"`
				Data    string `json:"data"`
			} `json:"error"`
			Fields []jf `json:"fields"`
		}{Offset: c.off, Length: len(c.b), Fields: []jf{}}
		doc.Error.Code, doc.Error.Subcode = e.Code.String(), e.Code.SubcodeName(e.Subcode)
		doc.Error.Field, doc.Error.Offset, doc.Error.Reason = e.Field, e.Offset, e.Reason
		doc.Error.Data = hex.EncodeToString(e.Data)
		for _, f := range fields {
			x := jf{Name: f.Name, Offset: f.Offset, Length: f.Length, Kind: f.Kind.String(), Value: f.Value}
			if f.Kind != omp.FieldGroup {
				x.Bytes = hex.EncodeToString(fieldBytes(c.b, f))
			}
			doc.Fields = append(doc.Fields, x)
		}
		if out, err = json.Marshal(doc); err != nil {
			return false, err
		}
	}
	var b bytes.Buffer
	if err := json.Indent(&b, out, "", "  "); err != nil {
		return false, err
	}
	b.WriteByte('\n')
	_, err = w.Write(b.Bytes())
	return decoded, err
}

func fieldBytes(msg []byte, f omp.Field) []byte {
	end := min(f.Offset+f.Length, len(msg))
	if f.Offset < 0 || f.Offset > end {
		return nil
	}
	return msg[f.Offset:end]
}
