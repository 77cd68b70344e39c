package netfuzz

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ompconform/ompconform/internal/filein"
	"github.com/ompconform/ompconform/internal/fileout"
)

// MergeOptions tune Merge.
type MergeOptions struct {
	// Minimize, if set, is applied to each finding read from an input
	// folder that was not minimised, before it is compared: findings of
	// one cause whose runs were not minimised then share a reproducer.
	// Its error is reported, and the finding kept as it was; after an
	// error that is ErrInterrupted, the findings left are not minimised.
	Minimize func(*Finding) (*Finding, error)
}

// MergeReport says what Merge did.
type MergeReport struct {
	// Findings counts the findings read (those already in the output
	// folder included); Kept those in it afterwards; Duplicates those
	// left out because another had their reproducer and outcome.
	Findings, Kept, Duplicates int
	// CorpusFiles counts the corpus files read; CorpusKept those copied;
	// CorpusDuplicates those whose bytes were already in their folder.
	CorpusFiles, CorpusKept, CorpusDuplicates int
	// Minimized counts the findings Options.Minimize minimised;
	// NotReproduced those it tried that did not reproduce, kept as they
	// were.
	Minimized, NotReproduced int
	// Skipped are files that are neither a finding nor in a folder;
	// Errors, what went wrong minimising.
	Skipped, Errors []string
}

func (r *MergeReport) String() string {
	return fmt.Sprintf("%d findings read, %d kept, %d duplicates; %d corpus files read, %d copied, %d duplicates",
		r.Findings, r.Kept, r.Duplicates, r.CorpusFiles, r.CorpusKept, r.CorpusDuplicates)
}

// Merge combines fuzz output folders (the --out of several runs, as the
// shards of one seed on several machines) into out:
//
//   - findings (the JSON files at the top of each folder) are kept once
//     per reproducer and outcome (Finding.Reproducer: the kind, what the
//     DUT did, a hash of every input's bytes); of findings with one
//     reproducer the best is kept: minimised and reproduced, then the
//     fewest bytes, then the first by file name;
//   - corpora (every file below a folder of an input, as its corpus/, or
//     testdata/fuzz/FuzzX/ of a native target, or a go-fuzz corpus) are
//     copied to the same folder under out, once per content; a name taken
//     by other bytes gets a hash of the content added.
//
// Findings already in out take part (a merge can be repeated); one that
// a better finding replaces is removed. out may not be one of ins.
func Merge(out string, ins []string, opt MergeOptions) (*MergeReport, error) {
	if len(ins) == 0 {
		return nil, errors.New("netfuzz: merge: no input folder")
	}
	absOut, err := filepath.Abs(out)
	if err != nil {
		return nil, err
	}
	for _, in := range ins {
		abs, err := filepath.Abs(in)
		if err != nil {
			return nil, err
		}
		if abs == absOut || strings.HasPrefix(absOut, abs+string(filepath.Separator)) {
			return nil, fmt.Errorf("netfuzz: merge: the output %s is (inside) the input %s", out, in)
		}
		if st, err := os.Stat(in); err != nil || !st.IsDir() {
			return nil, fmt.Errorf("netfuzz: merge: %s is not a folder", in)
		}
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return nil, err
	}
	rep := &MergeReport{}
	best := map[string]*Finding{}
	var order []string
	consider := func(fd *Finding) {
		rep.Findings++
		if fd.Reproducer == "" {
			fd.Reproducer = ReproducerKey(fd)
		}
		old, ok := best[fd.Reproducer]
		switch {
		case !ok:
			best[fd.Reproducer] = fd
			order = append(order, fd.Reproducer)
		case better(fd, old):
			best[fd.Reproducer] = fd
			rep.Duplicates++
		default:
			rep.Duplicates++
		}
	}
	existing := map[string]bool{} // findings already in out
	outFindings, err := findingsIn(out, rep)
	if err != nil {
		return nil, err
	}
	for _, fd := range outFindings {
		existing[fd.File] = true
		consider(fd)
	}
	stopped := false // minimising was interrupted
	for _, in := range ins {
		fds, err := findingsIn(in, rep)
		if err != nil {
			return nil, err
		}
		for _, fd := range fds {
			if opt.Minimize != nil && fd.Minimized == nil && !stopped {
				mf, err := opt.Minimize(fd)
				if err != nil {
					rep.Errors = append(rep.Errors, fd.File+": "+err.Error())
					// Cut short (Ctrl-C): the rest are merged as they are.
					stopped = errors.Is(err, ErrInterrupted)
				} else {
					mf.File = fd.File
					fd = mf
					if mf.Minimized != nil && mf.Minimized.Reproduced {
						rep.Minimized++
					} else {
						rep.NotReproduced++
					}
				}
			}
			consider(fd)
		}
		if err := mergeCorpora(in, out, rep); err != nil {
			return nil, err
		}
	}
	kept := map[string]bool{}
	for _, key := range order {
		fd := best[key]
		if existing[fd.File] {
			kept[fd.File] = true
			continue
		}
		path := freeName(out, filepath.Base(fd.File), fd.Input.Hex)
		if err := fd.save(path, fileout.WriteInParents); err != nil {
			return nil, err
		}
		kept[path] = true
	}
	for f := range existing {
		if !kept[f] {
			if err := os.Remove(f); err != nil {
				return nil, err
			}
		}
	}
	rep.Kept = len(order)
	return rep, nil
}

// better says whether a should be kept rather than b, two findings of one
// reproducer.
func better(a, b *Finding) bool {
	am, bm := a.Minimized != nil && a.Minimized.Reproduced, b.Minimized != nil && b.Minimized.Reproduced
	if am != bm {
		return am
	}
	if an, bn := totalBytes(a), totalBytes(b); an != bn {
		return an < bn
	}
	return filepath.Base(a.File) < filepath.Base(b.File)
}

// findingsIn reads the findings at the top of dir, in name order; other
// files there are skipped (noted in rep).
func findingsIn(dir string, rep *MergeReport) ([]*Finding, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []*Finding
	for _, e := range ents {
		if e.IsDir() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		if !strings.HasSuffix(e.Name(), ".json") {
			rep.Skipped = append(rep.Skipped, path)
			continue
		}
		fd, err := Load(path)
		if err != nil {
			rep.Skipped = append(rep.Skipped, path+": "+err.Error())
			continue
		}
		out = append(out, fd)
	}
	return out, nil
}

// freeName is name in dir, or, when a file of that name holds another
// finding, the name with a hash of the input's bytes added.
func freeName(dir, name, inputHex string) string {
	path := filepath.Join(dir, name)
	if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
		return path
	}
	sum := sha256.Sum256([]byte(inputHex))
	ext := filepath.Ext(name)
	for i := 0; ; i++ {
		alt := fmt.Sprintf("%s-%x%s", strings.TrimSuffix(name, ext), sum[:4], ext)
		if i > 0 {
			alt = fmt.Sprintf("%s-%x-%d%s", strings.TrimSuffix(name, ext), sum[:4], i, ext)
		}
		p := filepath.Join(dir, alt)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			return p
		}
	}
}

// mergeCorpora copies every file below the folders of in to the same
// place under out, once per content in each folder.
func mergeCorpora(in, out string, rep *MergeReport) error {
	seen := map[string]map[string]bool{} // folder under out -> content hashes there
	hashesIn := func(dir string) map[string]bool {
		if h, ok := seen[dir]; ok {
			return h
		}
		h := map[string]bool{}
		if ents, err := os.ReadDir(dir); err == nil {
			for _, e := range ents {
				if !e.Type().IsRegular() {
					continue
				}
				if b, err := filein.Read(filepath.Join(dir, e.Name()), filein.Default); err == nil {
					h[contentKey(b)] = true
				}
			}
		}
		seen[dir] = h
		return h
	}
	var files []string
	err := filepath.WalkDir(in, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.Type().IsRegular() && filepath.Dir(path) != filepath.Clean(in) {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		return err
	}
	sort.Strings(files)
	for _, path := range files {
		rel, err := filepath.Rel(in, path)
		if err != nil {
			return err
		}
		b, err := filein.Read(path, filein.Default)
		if err != nil {
			return err
		}
		rep.CorpusFiles++
		dir := filepath.Join(out, filepath.Dir(rel))
		hs := hashesIn(dir)
		key := contentKey(b)
		if hs[key] {
			rep.CorpusDuplicates++
			continue
		}
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		dst := filepath.Join(dir, filepath.Base(rel))
		if old, err := filein.Read(dst, filein.Default); err == nil && !bytes.Equal(old, b) {
			dst += "-" + key[:16]
		}
		if err := fileout.WriteIn(dst, func(w io.Writer) error { _, err := w.Write(b); return err }); err != nil {
			return err
		}
		hs[key] = true
		rep.CorpusKept++
	}
	return nil
}

func contentKey(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
