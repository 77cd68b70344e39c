package rib

import (
	"reflect"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// The RIB's tables (the dest, path and export arenas, the change logs
// and the index) are pointer-free, so they may live outside the Go heap:
// where the platform allows (mem_mmap.go), in memory mapped from the
// operating system. That keeps them out of the garbage collector's
// pacing: a heap of 100 MB of tables would let the collector wait for
// as much again of garbage (decoded UPDATEs) before running, and the
// controller's peak memory would carry it. Off the heap, the garbage is
// collected within a heap of a few MB, and the tables cost what they
// hold.
//
// Chunks come zeroed. A chunk given back (the index's old table when it
// grows, log chunks when a log shrinks) is kept and cut into later
// chunks, cleared, rather than unmapped: its pages are resident already,
// while fresh ones cost a page fault each, the main cost of loading a
// large table. Every mapping is unmapped when the RIB is collected.
//
// Nothing outside the RIB ever points into this memory; within, pointers
// into it (r.dests.at(di) and the like) live only while a method runs,
// which holds r.mu and keeps r, and so the memory, alive.

// mapped counts the bytes mapped, over every RIB.
var mapped atomic.Int64

// MappedBytes is the memory the tables of every RIB in this process hold
// outside the Go heap (0 where they live on it): what runtime memory
// statistics do not count.
func MappedBytes() int64 { return mapped.Load() }

// offHeap is the memory of one RIB's tables. A nil *offHeap allocates on
// the Go heap (tables made outside a RIB, in tests).
type offHeap struct {
	maps  [][]byte // every mapping
	free  [][]byte // runs of whole pages given back, to cut chunks from
	bytes int64    // mapped
}

// newOffHeap returns the memory of owner's tables, unmapped when owner
// is collected; nil where tables live on the Go heap.
func newOffHeap[T any](owner *T) *offHeap {
	if !mmapChunks {
		return nil
	}
	m := &offHeap{}
	runtime.AddCleanup(owner, func(m *offHeap) { m.freeAll() }, m)
	return m
}

func pageRound(n int) int { return (n + pageSize - 1) &^ (pageSize - 1) }

// chunkOf returns a zeroed []T of n elements. T must hold no pointers:
// the garbage collector does not scan mapped memory, so a pointer kept
// there would not keep what it points to alive.
func chunkOf[T any](m *offHeap, n int) []T {
	if m == nil || n == 0 {
		return make([]T, n)
	}
	if t := reflect.TypeFor[T](); hasPointers(t) {
		panic("rib: " + t.String() + " holds pointers and cannot live outside the Go heap")
	}
	var z T
	b := m.get(pageRound(n * int(unsafe.Sizeof(z))))
	return unsafe.Slice((*T)(unsafe.Pointer(&b[0])), n)[:n:n]
}

// get returns size zeroed bytes (size a multiple of the page size): cut
// from a run given back, cleared, else freshly mapped.
func (m *offHeap) get(size int) []byte {
	for i, f := range m.free {
		if len(f) < size {
			continue
		}
		b := f[:size:size]
		if rest := f[size:]; len(rest) > 0 {
			m.free[i] = rest
		} else {
			m.free = append(m.free[:i], m.free[i+1:]...)
		}
		clear(b)
		return b
	}
	b := mapChunk(size)
	m.maps = append(m.maps, b)
	m.bytes += int64(len(b))
	mapped.Add(int64(len(b)))
	return b
}

// release gives back a chunk chunkOf made; s must not be used after.
// Its pages go back to the operating system (a later chunk cut from it
// faults them in again).
func release[T any](m *offHeap, s []T) {
	if m == nil || cap(s) == 0 {
		return
	}
	var z T
	n := pageRound(cap(s) * int(unsafe.Sizeof(z)))
	b := unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(s))), n)
	discardPages(b)
	discarded.Add(int64(n))
	m.free = append(m.free, b)
}

// discard returns the pages of a chunk whose elements are all zero and
// unused to the operating system; the chunk stays mapped and reads as
// zeroes. On the Go heap it does nothing but count.
func discardChunk[T any](m *offHeap, c []T) {
	if cap(c) == 0 {
		return
	}
	var z T
	n := cap(c) * int(unsafe.Sizeof(z))
	discarded.Add(int64(n))
	if m == nil {
		return
	}
	discardPages(unsafe.Slice((*byte)(unsafe.Pointer(unsafe.SliceData(c))), pageRound(n)))
}

// discarded counts the bytes given back to the operating system, over
// every RIB (DiscardedBytes).
var discarded atomic.Int64

// DiscardedBytes is how many bytes of table memory the RIBs of this
// process have given back to the operating system (madvise) since it
// started, counted also where the tables live on the Go heap.
func DiscardedBytes() int64 { return discarded.Load() }

func (m *offHeap) freeAll() {
	for _, b := range m.maps {
		unmapChunk(b)
	}
	mapped.Add(-m.bytes)
	m.maps, m.free, m.bytes = nil, nil, 0
}

// size is the memory m has mapped.
func (m *offHeap) size() int64 {
	if m == nil {
		return 0
	}
	return m.bytes
}

// hasPointers reports whether a value of type t holds a pointer the
// garbage collector must see.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	}
	return true
}
