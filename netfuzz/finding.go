package netfuzz

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/internal/fileout"
	"github.com/ompconform/ompconform/mutators"
	"github.com/ompconform/ompconform/peers/reference"
	"github.com/ompconform/ompconform/transcript"
)

// Kind is the kind of a finding.
type Kind string

const (
	// KindCrash: the DUT crashed or went deaf: after the input, a fresh
	// session no longer establishes within Config.Revive.
	KindCrash Kind = "crash"
	// KindHang: the DUT neither answered the input nor sent a HELLO for
	// longer than the negotiated hold time.
	KindHang Kind = "hang"
	// KindMismatch: the DUT answered with another ALERT than the one the
	// codec derives from the bytes (or closed without one).
	KindMismatch Kind = "mismatch"
	// KindAccepted: the DUT took a message the codec rejects: no ALERT,
	// and the session stayed up.
	KindAccepted Kind = "accepted"
)

// Kinds lists the kinds, gravest first.
func Kinds() []Kind { return []Kind{KindCrash, KindHang, KindMismatch, KindAccepted} }

// Input is one fuzzed message as sent: where it came from, the mutations,
// and the exact bytes.
type Input struct {
	Iteration int            `json:"iteration"`
	Phase     mutators.Phase `json:"phase"`
	// RunSeed and Iteration give the random stream the input was drawn
	// from (rand.NewPCG(RunSeed, Iteration)): the same build, corpus and
	// session replay it; Hex is what counts.
	RunSeed uint64 `json:"run_seed"`
	// Seed names the corpus entry; SeedHex is its bytes.
	Seed      string              `json:"seed"`
	SeedHex   string              `json:"seed_hex"`
	Mutations []mutators.Mutation `json:"mutations"`
	Described string              `json:"described,omitempty"`
	Hex       string              `json:"hex"`
	// Padding is how many zero bytes were added to complete the last
	// frame (Complete); they are included in Hex.
	Padding int `json:"padding,omitempty"`
	// Probe says a REFRESH_REQUEST (ProbeHex) followed the bytes.
	Probe    bool        `json:"probe,omitempty"`
	ProbeHex string      `json:"probe_hex,omitempty"`
	Expected Expectation `json:"expected"`
	Observed Observation `json:"observed"`
}

// Bytes are the input's bytes.
func (in *Input) Bytes() ([]byte, error) { return hex.DecodeString(in.Hex) }

// Observation is what the DUT did after an input.
type Observation struct {
	// Outcome is OutAlert, OutClose, OutAccept (the probe's End-of-RIB
	// came back, or in the opening phase the DUT's HELLO) or OutSilence.
	Outcome string `json:"outcome"`
	Alert   *Alert `json:"alert,omitempty"`
	// BadAlert is set when the DUT sent an ALERT that does not decode.
	BadAlert string `json:"bad_alert,omitempty"`
	// Close says how the connection ended, for OutClose.
	Close string `json:"close,omitempty"`
	// Hellos counts the DUT's HELLOs during the wait.
	Hellos int `json:"hellos"`
	// Others counts its other messages.
	Others int     `json:"others"`
	WaitMS float64 `json:"wait_ms"`
	Note   string  `json:"note,omitempty"`
}

func (o Observation) String() string {
	switch o.Outcome {
	case OutAlert:
		if o.BadAlert != "" {
			return "undecodable ALERT (" + o.BadAlert + ")"
		}
		return "ALERT " + o.Alert.Name
	case OutClose:
		return "close without ALERT (" + o.Close + ")"
	case OutAccept:
		return "accepted"
	}
	s := fmt.Sprintf("silence for %.0fms (%d HELLOs)", o.WaitMS, o.Hellos)
	if o.Note != "" {
		s += ": " + o.Note
	}
	return s
}

// Finding is one problem, with what reproduces it: the session's inputs
// (History, then Input, the one that triggered it), the transcript of the
// session, and the DUT it was found on.
type Finding struct {
	Kind    Kind      `json:"kind"`
	Summary string    `json:"summary"`
	Time    time.Time `json:"time"`
	Target  string    `json:"target"`
	// InProcess says the DUT was the in-process reference; Role is the
	// DUT's role.
	InProcess bool   `json:"in_process"`
	Role      string `json:"role"`
	// Faults are the deliberate faults the in-process reference ran
	// with (Config.Faults), which Replay and Minimize start it with
	// again; none when absent (as in findings saved before the field).
	Faults []reference.Fault `json:"faults,omitempty"`
	// Signature groups findings of the same cause.
	Signature string `json:"signature"`
	// SessionPhase is how the session began: PhaseOpening (the first
	// input replaced the HANDSHAKE) or PhaseEstablished.
	SessionPhase mutators.Phase `json:"session_phase"`
	// History are the inputs sent on the session before Input (oldest
	// first; Truncated counts those dropped).
	History   []Input `json:"history,omitempty"`
	Truncated int     `json:"history_truncated,omitempty"`
	Input     Input   `json:"input"`
	// Detail says more: the dial error of a crash, the wait of a hang.
	Detail     string                 `json:"detail,omitempty"`
	Transcript []transcript.JSONEntry `json:"transcript"`
	// Shard is "i/n" when the run was sharded (Config.Shard).
	Shard string `json:"shard,omitempty"`
	// Reproducer is what findings are deduplicated by: the kind, what
	// the DUT did, and a hash of the bytes sent (ReproducerKey).
	Reproducer string `json:"reproducer,omitempty"`
	// Minimized says how the finding was minimised; nil: it was not.
	Minimized *MinStats `json:"minimized,omitempty"`
	// File is where the finding was saved (not in the JSON).
	File string `json:"-"`
}

// maxEntries and maxEntryBytes bound a finding's transcript: its last
// entries are kept, at most 400 of them and 64 KiB of their message
// bytes (a DUT that answers with floods of large UPDATEs made findings of
// 20 MB each, up to maxKept of them); an event first says what was not.
const (
	maxEntries    = 400
	maxEntryBytes = 64 << 10
)

func entries(tr *transcript.Transcript) []transcript.JSONEntry {
	es := tr.Entries()
	if len(es) == 0 {
		return []transcript.JSONEntry{}
	}
	start := es[0].Time
	n, size := 0, 0
	for i := len(es) - 1; i >= 0 && n < maxEntries; i-- {
		if size += len(es[i].Raw); size > maxEntryBytes && n > 0 {
			break
		}
		n++
	}
	out := make([]transcript.JSONEntry, 0, n+1)
	if left := es[:len(es)-n]; len(left) > 0 {
		b := 0
		for i := range left {
			b += len(left[i].Raw)
		}
		out = append(out, transcript.JSONEntry{Time: left[0].Time, Dir: transcript.Event.String(),
			Note: fmt.Sprintf("%d earlier entries (%d message bytes) not kept", len(left), b)})
	}
	for i := range es[len(es)-n:] {
		out = append(out, es[len(es)-n+i].JSON(start))
	}
	return out
}

// signature groups findings: kind, phase, what was expected and seen,
// and the field the codec blames.
func signature(k Kind, in *Input) string {
	exp := in.Expected.Outcome
	if in.Expected.Alert != nil {
		exp = in.Expected.Alert.Name
	}
	got := in.Observed.Outcome
	if in.Observed.Alert != nil {
		got = in.Observed.Alert.Name
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s", k, in.Phase, exp, got, fieldClass(in.Expected.Field))
}

// fieldClass drops list indexes from a field name: "update.attr[2].length"
// becomes "update.attr[].length".
func fieldClass(f string) string {
	out := make([]byte, 0, len(f))
	skip := false
	for i := 0; i < len(f); i++ {
		switch {
		case f[i] == '[':
			skip = true
			out = append(out, '[')
		case f[i] == ']':
			skip = false
			out = append(out, ']')
		case !skip:
			out = append(out, f[i])
		}
	}
	return string(out)
}

// Save writes f as indented JSON into dir (created if needed), named by
// kind, iteration and a hash of the bytes, and sets f.File. A link or
// FIFO at that name is replaced by the file (fileout.WriteIn).
func (f *Finding) Save(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(f.Input.Hex))
	return f.save(filepath.Join(dir, fmt.Sprintf("%s-%06d-%x.json", f.Kind, f.Input.Iteration, sum[:4])), fileout.WriteInParents)
}

// SaveAs writes f as indented JSON to path (its missing folders made)
// and sets f.File: path is one the user names, written through a link
// (fileout.WriteParents).
func (f *Finding) SaveAs(path string) error { return f.save(path, fileout.WriteParents) }

func (f *Finding) save(path string, with func(string, func(io.Writer) error) error) error {
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	if err := with(path, func(w io.Writer) error { _, err := w.Write(append(b, '\n')); return err }); err != nil {
		return err
	}
	f.File = path
	return nil
}

// maxFindingFile bounds a finding file Load reads: a finding's
// transcript is bounded far below it.
const maxFindingFile = 64 << 20

// Load reads a finding Save wrote: a regular file of at most 64 MiB
// (filein.Read).
func Load(path string) (*Finding, error) {
	var f Finding
	if err := filein.ReadJSON(path, maxFindingFile, &f); err != nil {
		return nil, err
	}
	if f.Kind == "" || f.Input.Hex == "" {
		return nil, errors.New("netfuzz: " + path + ": not a finding (no kind or input)")
	}
	if len(f.History) > maxHistory {
		return nil, fmt.Errorf("netfuzz: %s: a history of %d inputs, where a run records at most %d", path, len(f.History), maxHistory)
	}
	f.File = path
	return &f, nil
}
