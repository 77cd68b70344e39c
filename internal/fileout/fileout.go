// Package fileout writes a file through a function that writes to an
// io.Writer, the way every report, capture and profile is written.
package fileout

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// Write creates path (truncating a file there; a link, such as
// /dev/stdout, is written through) and writes it with write. The error
// names the path: os.Create's, else write's, else Close's.
func Write(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	err = write(f)
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
