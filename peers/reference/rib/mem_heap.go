//go:build !((linux || darwin || freebsd || netbsd || openbsd) && !race && !ribheap)

package rib

// mmapChunks says that tables live on the Go heap: this platform has no
// syscall.Mmap, the race detector is on (see mem_mmap.go), or the build
// tag ribheap asks for it.
const mmapChunks = false

const pageSize = 4096

func mapChunk(n int) []byte { return make([]byte, n) }

func unmapChunk([]byte) {}

func discardPages([]byte) {}
