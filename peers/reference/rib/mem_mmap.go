//go:build (linux || darwin || freebsd || netbsd || openbsd) && !race && !ribheap

package rib

import "syscall"

// mmapChunks says that tables live in mapped memory. Not under the race
// detector, which does not see accesses to memory it did not map: the
// tables are on the Go heap there, so that -race checks them too; nor
// with the build tag ribheap.
const mmapChunks = true

var pageSize = syscall.Getpagesize()

// mapChunk maps at least n bytes (whole pages) of zeroed memory.
func mapChunk(n int) []byte {
	size := (n + pageSize - 1) &^ (pageSize - 1)
	b, err := syscall.Mmap(-1, 0, size, syscall.PROT_READ|syscall.PROT_WRITE, syscall.MAP_ANON|syscall.MAP_PRIVATE)
	if err != nil {
		panic("rib: out of memory: mmap " + err.Error())
	}
	return b
}

// unmapChunk unmaps what mapChunk returned (the same address and
// length).
func unmapChunk(b []byte) {
	if err := syscall.Munmap(b); err != nil {
		panic("rib: munmap " + err.Error())
	}
}

// discardPages gives whole pages back to the operating system: they
// stay mapped and read as zeroes when touched again.
func discardPages(b []byte) {
	if len(b) == 0 {
		return
	}
	syscall.Madvise(b, syscall.MADV_DONTNEED)
}
