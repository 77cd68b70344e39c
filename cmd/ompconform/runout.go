package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"

	"github.com/ompconform/ompconform/internal/fileout"
	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites/runner"
)

// Report outputs of `ompconform run`: every path is checked (its folder
// made, the file opened for writing) before the first case, so that a
// run never ends in a path error; the reports are written whatever the
// run's outcome, and the last lines say where they are.

// reportFile is one report the run writes.
type reportFile struct {
	path string
	w    func(io.Writer, *runner.Report, reports.Options) error
	// inDir: the path is --report-dir's, named by the program: a link
	// planted there is replaced, never written through.
	inDir bool
}

// Standard names of the reports --report-dir writes.
const (
	reportJUnit    = "report.xml"
	reportJSON     = "report.json"
	reportHTML     = "report.html"
	reportMarkdown = "report.md"
	reportPcapDir  = "pcap"
)

// outputs resolves --report-dir against the per-report flags (a flag
// given names its own path), and lists the files.
func (f *runFlags) outputs() []reportFile {
	inDir := func(p string) bool { return f.reportDir != "" && p == filepath.Join(f.reportDir, filepath.Base(p)) }
	if f.reportDir != "" {
		def := func(p *string, name string) {
			if *p == "" {
				*p = filepath.Join(f.reportDir, name)
			}
		}
		def(&f.junit, reportJUnit)
		def(&f.jsonOut, reportJSON)
		def(&f.htmlOut, reportHTML)
		def(&f.md, reportMarkdown)
		def(&f.pcapDir, reportPcapDir)
	}
	var out []reportFile
	for _, x := range []reportFile{{f.junit, reports.WriteJUnit, false}, {f.jsonOut, reports.WriteJSON, false}, {f.htmlOut, reports.WriteHTML, false}, {f.md, reports.WriteMarkdown, false}} {
		if x.path != "" {
			x.inDir = inDir(x.path)
			out = append(out, x)
		}
	}
	return out
}

// write writes the report x with rep.
func (x reportFile) write(rep *runner.Report, o reports.Options) error {
	w := func(w io.Writer) error { return x.w(w, rep, o) }
	if x.inDir {
		return fileout.WriteIn(x.path, w)
	}
	return fileout.Write(x.path, w)
}

// prepareOutputs makes every report's folder and checks that each file
// can be written, before any case runs. A report file of an earlier run
// is removed: the reports are written when the run ends, and a run that
// ends without them (no session with the DUT) leaves none, rather than
// an empty file or another run's verdicts. A path that is not a regular
// file (a device, a pipe, a link such as /dev/stdout) is left as it is.
func (f *runFlags) prepareOutputs() error {
	var errs []error
	for _, x := range f.outputs() {
		if err := os.MkdirAll(filepath.Dir(x.path), 0o755); err != nil {
			errs = append(errs, err)
			continue
		}
		// Lstat: a link (/dev/stdout is one, to /proc/self/fd/1) named
		// by the user is written through, never removed; one planted in
		// --report-dir is removed, never opened.
		st, err := os.Lstat(x.path)
		regular := err != nil || st.Mode().IsRegular()
		if !regular && x.inDir {
			if err := os.Remove(x.path); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		file, err := os.OpenFile(x.path, os.O_WRONLY|os.O_CREATE, 0o644)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		file.Close()
		if regular {
			os.Remove(x.path)
		}
	}
	if f.pcapDir != "" {
		if err := os.MkdirAll(f.pcapDir, 0o755); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// writeOutputs writes every report; it goes on past a failing one and
// returns the paths written and the errors.
func (f *runFlags) writeOutputs(rep *runner.Report, o reports.Options) (written []string, err error) {
	var errs []error
	for _, x := range f.outputs() {
		if err := x.write(rep, o); err != nil {
			errs = append(errs, err)
			continue
		}
		written = append(written, x.path)
	}
	if f.pcapDir != "" {
		if perr := reports.WritePcaps(f.pcapDir, rep, o); perr != nil {
			errs = append(errs, perr)
		} else {
			written = append(written, f.pcapDir+string(filepath.Separator))
		}
	}
	return written, errors.Join(errs...)
}
