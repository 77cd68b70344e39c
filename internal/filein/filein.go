// Package filein reads a file a user names (a scenario, a baseline, a
// configuration, a policy, a capture to decode, a fuzz input) with a
// bound: only a regular file (a symbolic link to one is followed), and
// at most a limit of bytes, so that a link to /dev/zero, a FIFO or a
// huge file cannot take the process's memory or hang it.
package filein

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Default is the limit for an input without a larger need: 16 MiB, far
// past any scenario, policy, configuration or baseline.
const Default int64 = 16 << 20

// ErrNotRegular is the error (under errors.Is) for a path that is not a
// regular file: a directory, a device, a FIFO, a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is the error (under errors.Is) for a file over the limit.
var ErrTooLarge = errors.New("file too large")

// Read is the contents of the regular file at path, which must hold at
// most max bytes (max <= 0: Default). A file over max is an error, never
// a partial read; so is anything not a regular file once symbolic links
// are followed. Every error names the path; an open's error is
// os.Open's (errors.Is(err, fs.ErrNotExist) holds for a missing file).
func Read(path string, max int64) ([]byte, error) {
	if max <= 0 {
		max = Default
	}
	// Stat first, so that a FIFO is refused before an open that would
	// wait for its writer; the open is non-blocking all the same and the
	// opened file checked again, for a path changed in between.
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if fi, err = f.Stat(); err != nil {
		return nil, err
	}
	if err := regular(path, fi); err != nil {
		return nil, err
	}
	if fi.Size() > max {
		return nil, tooLarge(path, max)
	}
	b, err := io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > max { // grew since the Stat
		return nil, tooLarge(path, max)
	}
	return b, nil
}

// ErrNotJSON is the error (under errors.Is) ReadJSON gives for a file
// it read whose contents do not decode.
var ErrNotJSON = errors.New("not the JSON expected")

// ReadJSON decodes the JSON file at path, read as Read reads it, into v.
// A file that does not decode is an error that names the path and is
// ErrNotJSON under errors.Is, and the decoder's error too.
func ReadJSON(path string, max int64, v any) error {
	b, err := Read(path, max)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, v); err != nil {
		return fmt.Errorf("%s: %w: %w", path, ErrNotJSON, err)
	}
	return nil
}

func regular(path string, fi fs.FileInfo) error {
	if fi.Mode().IsRegular() {
		return nil
	}
	what := "a special file"
	switch m := fi.Mode(); {
	case m.IsDir():
		what = "a directory"
	case m&fs.ModeNamedPipe != 0:
		what = "a FIFO"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	}
	return fmt.Errorf("%s: %w (%s)", path, ErrNotRegular, what)
}

func tooLarge(path string, max int64) error {
	return fmt.Errorf("%s: %w: over the limit of %s", path, ErrTooLarge, size(max))
}

// size is n bytes as people read it: "16 MiB", "1500 bytes".
func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
