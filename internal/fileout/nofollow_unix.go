//go:build unix

package fileout

import "syscall"

// noFollow opens the final component of a path without following a
// symbolic link (ELOOP if it is one), and a FIFO without waiting for its
// reader (ENXIO if it has none).
const noFollow = syscall.O_NOFOLLOW | syscall.O_NONBLOCK
