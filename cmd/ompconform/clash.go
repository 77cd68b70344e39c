package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// An output must not overwrite an input of the same run: a report
// written over the baseline, or into the scenarios folder, replaced what
// the next run reads (an attack review).

// sameFile reports whether a and b name one existing file.
func sameFile(a, b string) bool {
	sa, err := os.Stat(a)
	if err != nil {
		return false
	}
	sb, err := os.Stat(b)
	return err == nil && os.SameFile(sa, sb)
}

// resolved is p made absolute, the links of its folders resolved (the
// file itself may not exist yet).
func resolved(p string) string {
	abs, err := filepath.Abs(p)
	if err != nil {
		return p
	}
	if r, err := filepath.EvalSymlinks(abs); err == nil {
		return r
	}
	if d, err := filepath.EvalSymlinks(filepath.Dir(abs)); err == nil {
		return filepath.Join(d, filepath.Base(abs))
	}
	return abs
}

// within reports whether path is dir or lies inside it.
func within(path, dir string) bool {
	rel, err := filepath.Rel(resolved(dir), resolved(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// clashes returns an error naming the first output that is one of the
// input files or lies inside one of the input folders.
func clashes(outputs, inFiles, inDirs []string) error {
	for _, o := range outputs {
		if o == "" {
			continue
		}
		for _, in := range inFiles {
			if in != "" && (sameFile(o, in) || resolved(o) == resolved(in)) {
				return fmt.Errorf("output %s is the input %s: it would be overwritten", o, in)
			}
		}
		for _, d := range inDirs {
			if d != "" && within(o, d) {
				return fmt.Errorf("output %s lies inside the input folder %s: it would be written among its files", o, d)
			}
		}
	}
	return nil
}
