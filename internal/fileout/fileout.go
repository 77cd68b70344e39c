// Package fileout writes a file through a function that writes to an
// io.Writer, the way every report, capture and profile is written.
package fileout

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path (truncating a file there; a link, such as
// /dev/stdout, is written through) and writes it with write: for a path
// the user names on the command line. A file the program names inside an
// output folder is written with WriteIn. The error names the path:
// os.Create's, else write's, else Close's.
func Write(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return finish(path, f, write)
}

// WriteIn is Write for a file the program names inside an output folder
// (a report folder's report.html, a capture, a finding, a corpus file):
// what is at path and is not a regular file (a symbolic link, dangling
// or not, a FIFO, a device) is removed and a regular file made in its
// place, so that a link planted there cannot send the output to another
// file. The final component is opened without following a link
// (O_NOFOLLOW where the system has it). The folders above path are the
// user's and are followed.
func WriteIn(path string, write func(io.Writer) error) error {
	f, err := createIn(path)
	if err != nil {
		return err
	}
	return finish(path, f, write)
}

// errNotRegular says path is still not a regular file after it was
// replaced twice (another process puts one back).
var errNotRegular = errors.New("not a regular file, and could not be replaced by one")

// createIn opens path for writing as a regular file, truncated; see
// WriteIn.
func createIn(path string) (*os.File, error) {
	for range 3 {
		if fi, err := os.Lstat(path); err == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
			if err := os.Remove(path); err != nil {
				return nil, err
			}
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC|noFollow, 0o644)
		if err != nil {
			if fi, lerr := os.Lstat(path); lerr == nil && !fi.Mode().IsRegular() && !fi.IsDir() {
				continue // a link or a FIFO put there since the Lstat
			}
			return nil, err
		}
		fi, err := f.Stat()
		if err == nil && fi.Mode().IsRegular() {
			return f, nil
		}
		f.Close()
		if err != nil {
			return nil, err
		}
	}
	return nil, &os.PathError{Op: "open", Path: path, Err: errNotRegular}
}

// finish writes f with write and closes it; the error names path.
func finish(path string, f *os.File, write func(io.Writer) error) error {
	err := write(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return nil
}

// WriteParents is Write after making path's parent folders (as
// os.MkdirAll, mode 0755), for an output a user names with folders
// that need not exist yet ("--out my-scenarios/fuzz.yaml"). The error
// names the path.
func WriteParents(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return Write(path, write)
}

// WriteInParents is WriteIn after making path's parent folders.
func WriteInParents(path string, write func(io.Writer) error) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return WriteIn(path, write)
}
