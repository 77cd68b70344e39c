package netfuzz

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ompconform/ompconform/internal/fileout"
)

// CorpusDir is the folder of a run's OutDir that holds its corpus: the
// bytes of the first input of each outcome class (phase, seed, the
// codec's answer and the DUT's, the field blamed), one file each, named
// by a hash of the bytes. They are raw OMP messages: seeds for the codec's
// fuzz targets (go-fuzz, native), and what "fuzz merge" combines.
const CorpusDir = "corpus"

// PrepareOutDir makes dir (a run's OutDir) and checks that a file can
// be written in it, so that a run whose findings could not be saved
// fails before its first input rather than losing them one by one.
func PrepareOutDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("netfuzz: findings folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".write-check-*")
	if err != nil {
		return fmt.Errorf("netfuzz: findings folder %s: %w", dir, err)
	}
	name := f.Name()
	_, err = f.WriteString("ompconform")
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	os.Remove(name)
	if err != nil {
		return fmt.Errorf("netfuzz: findings folder %s: %w", dir, err)
	}
	return nil
}

// maxCorpus bounds the corpus files a run writes.
const maxCorpus = 1000

// outcomeClass is the corpus class of a judged input.
func outcomeClass(in *Input) string {
	exp, got := in.Expected.Outcome, in.Observed.Outcome
	if a := in.Expected.Alert; a != nil {
		exp = a.Name
	}
	if a := in.Observed.Alert; a != nil {
		got = a.Name
	}
	return fmt.Sprintf("%s|%s|%s|%s|%s", in.Phase, in.Seed, exp, got, fieldClass(in.Expected.Field))
}

// CorpusName is the file name of bytes in a corpus: 16 hex digits of
// their SHA-256.
func CorpusName(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// keep adds in to the run's corpus when it is the first of its class.
func (f *fuzzer) keep(in *Input) {
	if f.cfg.OutDir == "" {
		return
	}
	class := outcomeClass(in)
	f.mu.Lock()
	if f.classes == nil {
		f.classes = map[string]bool{}
	}
	if f.classes[class] || len(f.classes) >= maxCorpus {
		f.mu.Unlock()
		return
	}
	f.classes[class] = true
	f.mu.Unlock()
	b, err := in.Bytes()
	if err != nil || len(b) == 0 {
		return
	}
	dir := filepath.Join(f.cfg.OutDir, CorpusDir)
	err = os.MkdirAll(dir, 0o755)
	if err == nil {
		err = fileout.WriteIn(filepath.Join(dir, CorpusName(b)), func(w io.Writer) error { _, err := w.Write(b); return err })
	}
	if err != nil {
		f.mu.Lock()
		f.rep.SaveErrors = append(f.rep.SaveErrors, err.Error())
		f.mu.Unlock()
	}
}
