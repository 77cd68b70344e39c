//go:build !unix

package filein

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs") }
