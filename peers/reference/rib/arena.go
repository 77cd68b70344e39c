package rib

import "math/rand/v2"

// The tables live in pointer-free chunked arenas indexed by uint32 (0 is
// the nil index), so the garbage collector never scans them and growing
// never copies them.

const (
	chunkShift = 12
	chunkSize  = 1 << chunkShift
	chunkMask  = chunkSize - 1
)

type arena[T any] struct {
	chunks [][]T
	next   uint32 // next never-used index
	free   []uint32
	live   int
}

func (a *arena[T]) at(i uint32) *T { return &a.chunks[i>>chunkShift][i&chunkMask] }

func (a *arena[T]) alloc() uint32 {
	a.live++
	if n := len(a.free); n > 0 {
		i := a.free[n-1]
		a.free = a.free[:n-1]
		return i
	}
	if a.next == 0 {
		a.next = 1
	}
	i := a.next
	a.next++
	if int(i>>chunkShift) == len(a.chunks) {
		a.chunks = append(a.chunks, make([]T, chunkSize))
	}
	return i
}

func (a *arena[T]) release(i uint32) {
	var z T
	*a.at(i) = z
	a.free = append(a.free, i)
	a.live--
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
// and backward-shift deletion. A slot is 8 bytes: the low 32 bits of the
// key's hash (which also give its home slot, so growing never reads a
// dest) and the dest index.
type index struct {
	slots []uint64
	n     int
	seed  uint64
}

func newIndex() index { return index{slots: make([]uint64, 1024), seed: rand.Uint64()} }

func slot(h uint64, di uint32) uint64 { return h<<32 | uint64(di) }

func (x *index) find(k *key, dests *arena[dest]) uint32 {
	mask := uint64(len(x.slots) - 1)
	h := k.hash(x.seed) & 0xFFFFFFFF
	for i := h & mask; ; i = (i + 1) & mask {
		s := x.slots[i]
		if s == 0 {
			return 0
		}
		if s>>32 == h && dests.at(uint32(s)).k == *k {
			return uint32(s)
		}
	}
}

// lookup returns the dest of k, or 0 and the slot where to put it with
// put (the table has room for it).
func (x *index) lookup(k *key, dests *arena[dest]) (di uint32, at uint64, h uint64) {
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	mask := uint64(len(x.slots) - 1)
	h = k.hash(x.seed) & 0xFFFFFFFF
	i := h & mask
	for ; x.slots[i] != 0; i = (i + 1) & mask {
		if s := x.slots[i]; s>>32 == h && dests.at(uint32(s)).k == *k {
			return uint32(s), i, h
		}
	}
	return 0, i, h
}

// put fills the slot lookup returned.
func (x *index) put(at, h uint64, di uint32) {
	x.slots[at] = slot(h, di)
	x.n++
}

func (x *index) grow() {
	old := x.slots
	x.slots = make([]uint64, len(old)*2)
	for _, s := range old {
		if s != 0 {
			x.place(s)
		}
	}
}

func (x *index) insert(k *key, di uint32) {
	if (x.n+1)*4 > len(x.slots)*3 {
		x.grow()
	}
	x.place(slot(k.hash(x.seed)&0xFFFFFFFF, di))
	x.n++
}

func (x *index) place(s uint64) {
	mask := uint64(len(x.slots) - 1)
	i := s >> 32 & mask
	for x.slots[i] != 0 {
		i = (i + 1) & mask
	}
	x.slots[i] = s
}

func (x *index) remove(k *key, di uint32) {
	mask := uint64(len(x.slots) - 1)
	i := k.hash(x.seed) & mask
	for uint32(x.slots[i]) != di {
		if x.slots[i] == 0 {
			return
		}
		i = (i + 1) & mask
	}
	for j := i; ; {
		j = (j + 1) & mask
		s := x.slots[j]
		if s == 0 {
			break
		}
		h := s >> 32 & mask
		// s may move to the hole at i unless its home h lies cyclically in (i, j].
		if (i < j && (h <= i || h > j)) || (i > j && h <= i && h > j) {
			x.slots[i] = s
			i = j
		}
	}
	x.slots[i] = 0
	x.n--
}
