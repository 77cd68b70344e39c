package main

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/fixtures"
	"github.com/ompconform/ompconform/omp"
)

func loadFixtures(t *testing.T) []fixtures.Fixture {
	t.Helper()
	fx, err := fixtures.Load()
	if err != nil {
		t.Fatal(err)
	}
	return fx
}

func compactJSON(t *testing.T, s string) string {
	t.Helper()
	var b bytes.Buffer
	if err := json.Compact(&b, []byte(s)); err != nil {
		t.Fatalf("json: %v in %q", err, s)
	}
	return b.String()
}

// Every fixture, given as its own commented hex, decodes as the fixture
// says: valid ones exit 0 and print their JSON with --json and a dump
// that names every field; malformed ones exit 1 and name the ALERT.
func TestDecodeFixtures(t *testing.T) {
	for _, f := range loadFixtures(t) {
		t.Run(f.Name, func(t *testing.T) {
			if len(splitMessages(f.Bytes)) > 1 {
				// The header Length frames fewer bytes than the fixture
				// holds: as a stream, that is a message and then a
				// second, truncated one.
				code, out, _ := runCmd(t, nil, "decode", f.Hex)
				if code != ExitFailure || !strings.Contains(out, "message 2: malformed") || !strings.Contains(out, f.Subcode) {
					t.Errorf("exit %d, output:\n%s", code, out)
				}
				return
			}
			code, out, errs := runCmd(t, nil, "decode", "--json", f.Hex)
			if f.Valid {
				if code != ExitOK || errs != "" {
					t.Fatalf("--json: exit %d, stderr %q", code, errs)
				}
				if got, want := compactJSON(t, out), compactJSON(t, f.JSON); got != want {
					t.Errorf("--json output\n got  %s\n want %s", got, want)
				}
			} else {
				if code != ExitFailure {
					t.Fatalf("--json: exit %d, want %d; stderr %q", code, ExitFailure, errs)
				}
				var doc struct {
					Error struct{ Code, Subcode, Field string }
				}
				if err := json.Unmarshal([]byte(out), &doc); err != nil {
					t.Fatalf("--json output is not one JSON document: %v\n%s", err, out)
				}
				if doc.Error.Code != f.Code || doc.Error.Subcode != f.Subcode || (doc.Error.Field != f.Field && f.KnownIssue == "") {
					t.Errorf("--json error %+v, want %s %s %s", doc.Error, f.Code, f.Subcode, f.Field)
				}
			}

			code, out, errs = runCmd(t, nil, "decode", f.Hex)
			if errs != "" {
				t.Errorf("stderr %q", errs)
			}
			if f.Valid {
				if code != ExitOK {
					t.Fatalf("dump: exit %d", code)
				}
				_, fields, _ := omp.DecodeFields(f.Bytes)
				checkDump(t, out, f.Bytes, fields)
				return
			}
			if code != ExitFailure {
				t.Fatalf("dump: exit %d, want %d", code, ExitFailure)
			}
			for _, s := range []string{"ALERT " + f.Code, "/ " + f.Subcode, "fields read:"} {
				if !strings.Contains(out, s) {
					t.Errorf("dump lacks %q:\n%s", s, out)
				}
			}
			if f.KnownIssue == "" && !strings.Contains(out, "  field   "+f.Field+" at offset ") {
				t.Errorf("dump does not name field %s:\n%s", f.Field, out)
			}
		})
	}
}

// checkDump checks that the dump has one row per field, in order, each
// with its offset, bytes and short name, and that the rows' bytes
// spell the whole message.
func checkDump(t *testing.T, out string, msg []byte, fields omp.FieldMap) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) < 2 || !strings.HasPrefix(lines[0], "message 1: ") || !strings.HasPrefix(strings.TrimSpace(lines[1]), "offset") {
		t.Fatalf("dump does not start with the message and column lines:\n%s", out)
	}
	var spelled []byte
	i := 2
	for _, f := range withHeaderGroup(fields, len(msg)) {
		for i < len(lines) && isContinuation(lines[i]) {
			spelled = appendHex(t, spelled, strings.Fields(lines[i])[1])
			i++
		}
		if i >= len(lines) {
			t.Fatalf("dump ends before field %s:\n%s", f.Name, out)
		}
		cols := strings.Fields(lines[i])
		if cols[0] != strconv.Itoa(f.Offset) {
			t.Fatalf("row %q: want offset %d for %s", lines[i], f.Offset, f.Name)
		}
		name := cols[1]
		if f.Kind != omp.FieldGroup {
			if cols[1] != hex.EncodeToString(fieldBytes(msg, f)[:min(f.Length, bytesPerLine)]) {
				t.Fatalf("row %q: want the bytes of %s", lines[i], f.Name)
			}
			spelled = appendHex(t, spelled, cols[1])
			name = cols[2]
		}
		if name != shortName(f.Name) {
			t.Fatalf("row %q: want field %s", lines[i], shortName(f.Name))
		}
		i++
	}
	for ; i < len(lines) && isContinuation(lines[i]); i++ {
		spelled = appendHex(t, spelled, strings.Fields(lines[i])[1])
	}
	if i != len(lines) {
		t.Errorf("extra dump lines from %q", lines[i])
	}
	if !bytes.Equal(spelled, msg) {
		t.Errorf("the dump's bytes\n %x\ndiffer from the message\n %x", spelled, msg)
	}
}

// isContinuation reports whether a dump line only continues the bytes of
// the row above: an offset and hex, nothing else.
func isContinuation(line string) bool { return len(strings.Fields(line)) == 2 }

func appendHex(t *testing.T, b []byte, s string) []byte {
	t.Helper()
	d, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q in dump", s)
	}
	return append(b, d...)
}

// A stream of every valid fixture, back to back, read as raw bytes from
// standard input, decodes to every fixture's JSON in order.
func TestDecodeRawStream(t *testing.T) {
	var stream []byte
	var want []string
	for _, f := range loadFixtures(t) {
		if f.Valid {
			stream = append(stream, f.Bytes...)
			want = append(want, compactJSON(t, f.JSON))
		}
	}
	code, out, errs := runCmd(t, bytes.NewReader(stream), "decode", "--raw", "--json")
	if code != ExitOK || errs != "" {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	for i, w := range want {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if got := compactJSON(t, string(raw)); got != w {
			t.Fatalf("document %d\n got  %s\n want %s", i, got, w)
		}
	}
	if dec.More() {
		t.Fatal("more documents than messages")
	}
	// The same stream as hex from a file, dumped: one "message N" line each.
	path := filepath.Join(t.TempDir(), "stream.hex")
	if err := os.WriteFile(path, []byte("# all valid fixtures\n0x"+hex.EncodeToString(stream)+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs = runCmd(t, nil, "decode", "-f", path)
	if code != ExitOK || errs != "" {
		t.Fatalf("-f: exit %d, stderr %q", code, errs)
	}
	if n := strings.Count(out, "\nmessage ") + 1; n != len(want) || !strings.HasPrefix(out, "message 1: ") {
		t.Fatalf("-f: %d messages dumped, want %d", n, len(want))
	}
}

// A malformed message in the middle of a stream makes the exit status 1
// and does not stop the messages after it.
func TestDecodeMalformedInStream(t *testing.T) {
	hello := "ffffffffffffffffffffffffffffffff 0013 04"
	bad := "ffffffffffffffffffffffffffffffff 001b 02 0006 00 05 03 000064" // PREF of length 3
	code, out, _ := runCmd(t, strings.NewReader(hello+"\n"+bad+"\n"+hello), "decode", "-")
	if code != ExitFailure {
		t.Fatalf("exit %d, want %d", code, ExitFailure)
	}
	for _, s := range []string{
		"message 1: HELLO, 19 bytes at input offset 0",
		"message 2: malformed UPDATE, 27 bytes at input offset 19",
		"ALERT OMP_ERR_UPDATE (3) / OMP_SUB_ERR_UPDATE_LENGTH (5)",
		"  field   update.attr[0].",
		"(not decoded)",
		"message 3: HELLO, 19 bytes at input offset 46",
	} {
		if !strings.Contains(out, s) {
			t.Errorf("output lacks %q:\n%s", s, out)
		}
	}
}

// A header that cannot frame a message takes the rest of the input.
func TestDecodeUnframedRest(t *testing.T) {
	code, out, _ := runCmd(t, nil, "decode", "ffffffffffffffffffffffffffffffff 0013 04", "ffffffffffffffffffffffffffffffff 0040 04 00")
	if code != ExitFailure {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "message 2: malformed HELLO, 20 bytes at input offset 19") || !strings.Contains(out, "OMP_SUB_ERR_HEADER_LENGTH") {
		t.Errorf("output:\n%s", out)
	}
}

func TestDecodeFlagsAnywhere(t *testing.T) {
	hello := "ffffffffffffffffffffffffffffffff0013 04"
	for _, args := range [][]string{
		{"decode", "--json", hello},
		{"decode", hello, "--json"},
		{"decode", "-json", "--", hello},
	} {
		code, out, errs := runCmd(t, nil, args...)
		if code != ExitOK || compactJSON(t, out) != `{"type":"HELLO","body":{"tlvs":[]}}` {
			t.Errorf("%q: exit %d, out %q, stderr %q", args, code, out, errs)
		}
	}
}

func TestDecodeBadInput(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing.hex")
	for _, tc := range []struct {
		args  []string
		stdin string
		want  string
	}{
		{[]string{"decode", "fff"}, "", "odd number of hex digits"},
		{[]string{"decode", "ff", "zz"}, "", "not a hex digit"},
		{[]string{"decode", "-f", missing}, "", "missing.hex"},
		{[]string{"decode"}, "", "no input"},
		{[]string{"decode", "-"}, "  # nothing\n", "no input"},
		{[]string{"decode", "--raw", "ffff"}, "", "--raw reads bytes"},
		{[]string{"decode", "-f", missing, "ffff"}, "", "not several"},
		{[]string{"decode", "-", "ffff"}, "", `"-"`},
		{[]string{"decode", "--bogus"}, "", "flag provided but not defined"},
	} {
		code, out, errs := runCmd(t, strings.NewReader(tc.stdin), tc.args...)
		if code != ExitUsage || out != "" || !strings.Contains(errs, tc.want) {
			t.Errorf("%q: exit %d, stdout %q, stderr %q; want exit %d and %q", tc.args, code, out, errs, ExitUsage, tc.want)
		}
	}
}

func TestDecodeHelpFlag(t *testing.T) {
	code, _, errs := runCmd(t, nil, "decode", "-h")
	if code != ExitOK || !strings.Contains(errs, "usage: ompconform decode") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
}

func TestDecodeRawFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "hello.bin")
	msg, _ := omp.Encode(&omp.Hello{})
	if err := os.WriteFile(path, msg, 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd(t, io.MultiReader(), "decode", "--raw", "-f", path)
	if code != ExitOK || !strings.HasPrefix(out, "message 1: HELLO, 19 bytes") {
		t.Fatalf("exit %d, out %q, stderr %q", code, out, errs)
	}
}

// Every command's -h prints its usage and exits 0, as `help` would.
func TestEveryCommandHelpFlag(t *testing.T) {
	names := []string{"fuzz merge", "fuzz minimize", "fuzz promote"}
	for name := range commands {
		names = append(names, name)
	}
	for _, name := range names {
		args := append(strings.Fields(name), "-h")
		code, out, errs := runCmd(t, nil, args...)
		if code != ExitOK || !strings.Contains(out+errs, "ompconform "+name) {
			t.Errorf("%s -h: exit %d, stdout %.80q, stderr %.80q; want exit 0 and the usage", name, code, out, errs)
		}
	}
}
