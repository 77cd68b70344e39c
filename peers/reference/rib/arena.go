package rib

import (
	"math/rand/v2"
	"unsafe"
)

// The tables live in pointer-free chunked arenas indexed by uint32 (0 is
// the nil index), so the garbage collector never scans them and growing
// never copies them.

const (
	chunkShift = 12
	chunkSize  = 1 << chunkShift
	chunkMask  = chunkSize - 1
)

type arena[T any] struct {
	mem    *offHeap
	chunks [][]T
	used   []int32 // live elements per chunk: a chunk with none is discarded
	next   uint32  // next never-used index
	free   []uint32
	live   int
}

func (a *arena[T]) at(i uint32) *T { return &a.chunks[i>>chunkShift][i&chunkMask] }

// unlink takes element i out of the singly linked list of a's elements
// that starts at *head, each element's link giving the next index.
func unlink[T any, P interface {
	*T
	link() *uint32
}](a *arena[T], head *uint32, i uint32) {
	next := *P(a.at(i)).link()
	for l := head; *l != 0; l = P(a.at(*l)).link() {
		if *l == i {
			*l = next
			return
		}
	}
}

func (a *arena[T]) alloc() uint32 {
	a.live++
	if n := len(a.free); n > 0 {
		i := a.free[n-1]
		a.free = a.free[:n-1]
		a.used[i>>chunkShift]++
		return i
	}
	if a.next == 0 {
		a.next = 1
	}
	i := a.next
	a.next++
	if int(i>>chunkShift) == len(a.chunks) {
		a.chunks = append(a.chunks, newChunk[T](a.mem))
		a.used = append(a.used, 0)
	}
	a.used[i>>chunkShift]++
	return i
}

// trim returns what the arena no longer uses: the never-used tail
// moves back over the chunks at the end that hold no live element, the
// free list forgets their indices, and a free list much longer than it
// needs to be is reallocated. Chunks with no live element were
// discarded already (release), so their pages are not resident.
func (a *arena[T]) trim() {
	end := a.next
	for end > 1 {
		c := (end - 1) >> chunkShift
		if a.used[c] != 0 {
			break
		}
		end = max(c<<chunkShift, 1)
	}
	if end == a.next {
		return
	}
	a.next = end
	w := 0
	for _, i := range a.free {
		if i < end {
			a.free[w] = i
			w++
		}
	}
	a.free = a.free[:w]
	if cap(a.free) > 4*len(a.free)+chunkSize {
		a.free = append([]uint32(nil), a.free...)
	}
}

// newChunk allocates a chunk and writes every page of it once: fresh
// memory first read (a field of an element whose other fields were
// written on the page before, say) maps the shared zero page, and the
// first write then faults again and flushes the TLB of every CPU the
// process runs on.
func newChunk[T any](m *offHeap) []T {
	c := chunkOf[T](m, chunkSize)
	var z T
	// Elements at most a page apart: every page holds the start of one.
	step := max(1, 4096/int(unsafe.Sizeof(z)))
	for i := 0; i < len(c); i += step {
		c[i] = z
	}
	return c
}

func (a *arena[T]) release(i uint32) {
	var z T
	*a.at(i) = z
	a.free = append(a.free, i)
	a.live--
	c := i >> chunkShift
	if a.used[c]--; a.used[c] == 0 {
		// Nothing lives in the chunk: its pages go back to the operating
		// system (they read as zeroes, as released elements are).
		discardChunk(a.mem, a.chunks[c])
	}
}

// logBuf is a family's change log, export indices by position, in
// chunks, so that it grows without copying.
type logBuf struct {
	mem    *offHeap
	chunks [][]uint32
	n      int
}

func (l *logBuf) len() int            { return l.n }
func (l *logBuf) at(i int) uint32     { return l.chunks[i>>chunkShift][i&chunkMask] }
func (l *logBuf) set(i int, v uint32) { l.chunks[i>>chunkShift][i&chunkMask] = v }

func (l *logBuf) push(v uint32) {
	if l.n>>chunkShift == len(l.chunks) {
		l.chunks = append(l.chunks, chunkOf[uint32](l.mem, chunkSize))
	}
	l.set(l.n, v)
	l.n++
}

// truncate keeps the first n positions and frees the chunks after them
// but one.
func (l *logBuf) truncate(n int) {
	keep := min((n+chunkSize-1)>>chunkShift+1, len(l.chunks))
	for _, c := range l.chunks[keep:] {
		release(l.mem, c)
	}
	clear(l.chunks[keep:])
	l.chunks = l.chunks[:keep]
	l.n = n
}

// bitset is one bit per export entry: the entries a peer holds.
type bitset []uint64

func (b bitset) has(i uint32) bool {
	w := int(i >> 6)
	return w < len(b) && b[w]&(1<<(i&63)) != 0
}

func (b *bitset) set(i uint32) {
	w := int(i >> 6)
	if w >= len(*b) {
		*b = append(*b, make([]uint64, w+1-len(*b)+len(*b)/4)...)
	}
	(*b)[w] |= 1 << (i & 63)
}

func (b bitset) clear(i uint32) {
	if w := int(i >> 6); w < len(b) {
		b[w] &^= 1 << (i & 63)
	}
}

// key is a destination: a vRoute's VPN ID and prefix, a TLOC's address,
// color and encap, or a multicast route's interned NLRI (lo). IPv4
// addresses sit in the low 32 bits of lo.
type key struct {
	vpn   uint64
	hi    uint64
	lo    uint64
	plen  uint8
	color uint8
	encap uint8
	fam   uint8 // famFree marks a released dest
}

const famFree = 0xFF

func (k *key) hash(seed uint64) uint64 {
	const m1, m2, m3, m4 = 0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93
	h := seed ^ k.vpn*m1
	h = (h ^ k.hi) * m2
	h = (h ^ k.lo) * m3
	h = (h ^ uint64(k.plen)<<24 ^ uint64(k.color)<<16 ^ uint64(k.encap)<<8 ^ uint64(k.fam)) * m4
	h ^= h >> 29
	h *= m1
	return h ^ h>>32
}

// index maps keys to dest indices: open addressing with linear probing
// and backward-shift deletion. A slot is 8 bytes: a 32-bit tag of the
// key's hash (high half; 0 is an empty slot) and the dest index (low
// half), so a probe compares tags and reads a dest only on a match, and
// growing never reads a dest.
//
// A key's home slot is its tag scaled to the table's size (tag*len>>32),
// so the table is kept in (nearly) tag order: growing walks the old table
// in order and fills the new one in order, sequentially, instead of
// scattering writes over it; the size need not be a power of two, so the
// table grows by half (less memory than doubling: 10.7 to 16 bytes per
// key); and a tag stays valid whatever the size, so callers may hash a
// batch of keys first and touch their slots (prefetch) before probing.
type index struct {
	mem   *offHeap
	slots []uint64
	n     int
	seed  uint64
	sink  uint64 // what prefetch read, so that its loads are not dropped
}

const minIndex = 1024

func newIndex(m *offHeap) index {
	return index{mem: m, slots: chunkOf[uint64](m, minIndex), seed: rand.Uint64()}
}

func slot(tag uint64, di uint32) uint64 { return tag<<32 | uint64(di) }

// tag is the key's 32-bit hash tag, never 0.
func (x *index) tag(k *key) uint64 {
	t := k.hash(x.seed) >> 32
	if t == 0 {
		t = 1
	}
	return t
}

func (x *index) home(tag uint64) int { return int(tag * uint64(len(x.slots)) >> 32) }

// next is the slot after i, cyclically.
func (x *index) next(i int) int {
	if i++; i == len(x.slots) {
		return 0
	}
	return i
}

func (x *index) find(k *key, dests *destArena) uint32 {
	t := x.tag(k)
	for i := x.home(t); ; i = x.next(i) {
		s := x.slots[i]
		if s == 0 {
			return 0
		}
		if s>>32 == t && dests.is(uint32(s), k) {
			return uint32(s)
		}
	}
}

// full reports whether extra more keys would pass the load factor (3/4).
func (x *index) full(extra int) bool { return (x.n+extra)*4 > len(x.slots)*3 }

// reserve grows the table so that extra more keys fit without growing.
func (x *index) reserve(extra int) {
	for x.full(extra) {
		x.grow()
	}
}

// prefetch reads the home slot of each tag and the slot a cache line
// after it (a probe often runs past the first line), so that the probes
// that follow find them in cache: the loads are independent, so the CPU
// overlaps their misses instead of taking them one at a time.
func (x *index) prefetch(tags []uint64) {
	var acc uint64
	n := len(x.slots)
	for _, t := range tags {
		h := x.home(t)
		acc += x.slots[h] + x.slots[min(h+8, n-1)]
	}
	x.sink += acc
}

// lookup returns the dest of k (whose tag is t), or 0 and the slot where
// to put it with put (the table has room for it).
func (x *index) lookup(k *key, t uint64, dests *destArena) (di uint32, at int) {
	if x.full(1) {
		x.grow()
	}
	i := x.home(t)
	for ; x.slots[i] != 0; i = x.next(i) {
		if s := x.slots[i]; s>>32 == t && dests.is(uint32(s), k) {
			return uint32(s), i
		}
	}
	return 0, i
}

// put fills the slot lookup returned.
func (x *index) put(at int, t uint64, di uint32) {
	x.slots[at] = slot(t, di)
	x.n++
}

// grow makes the table half as large again.
func (x *index) grow() { x.resize(len(x.slots) + len(x.slots)/2) }

// shrink makes the table smaller when it is at most an eighth full, so
// that the memory of a large table that emptied goes back: a third full
// after it (it grows again at three quarters).
func (x *index) shrink() {
	if len(x.slots) > minIndex && x.n*8 < len(x.slots) {
		x.resize(max(minIndex, x.n*3))
	}
}

// resize moves the keys to a table of n slots. It walks the old slots
// from the start of a run (after an empty slot), so in tag order, and
// each lands at or after its new home, just after where the previous
// one landed: both tables are read and written sequentially.
func (x *index) resize(n int) {
	old := x.slots
	x.slots = chunkOf[uint64](x.mem, n)
	defer release(x.mem, old)
	// Write each page before place reads it: a first read of fresh
	// memory maps the shared zero page and the first write then faults
	// a second time, which would double the table's page faults.
	for i := 0; i < len(x.slots); i += 4096 / 8 {
		x.slots[i] = 0
	}
	start := 0
	for start < len(old) && old[start] != 0 {
		start++
	}
	for _, s := range old[start:] {
		if s != 0 {
			x.place(s)
		}
	}
	for _, s := range old[:start] {
		x.place(s)
	}
}

func (x *index) insert(k *key, di uint32) {
	if x.full(1) {
		x.grow()
	}
	x.place(slot(x.tag(k), di))
	x.n++
}

func (x *index) place(s uint64) {
	i := x.home(s >> 32)
	for x.slots[i] != 0 {
		i = x.next(i)
	}
	x.slots[i] = s
}

func (x *index) remove(k *key, di uint32) {
	i := x.home(x.tag(k))
	for uint32(x.slots[i]) != di {
		if x.slots[i] == 0 {
			return
		}
		i = x.next(i)
	}
	for j := i; ; {
		j = x.next(j)
		s := x.slots[j]
		if s == 0 {
			break
		}
		h := x.home(s >> 32)
		// s may move to the hole at i unless its home h lies cyclically in (i, j].
		if (i < j && (h <= i || h > j)) || (i > j && h <= i && h > j) {
			x.slots[i] = s
			i = j
		}
	}
	x.slots[i] = 0
	x.n--
	x.shrink()
}
