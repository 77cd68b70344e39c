package rib

import (
	"math/rand/v2"
	"net/netip"
	"testing"
)

// vrKey's IPv4 fast path gives the key of the general one: the prefix
// with its host bits cleared, for every length.
func TestVRKeyIPv4(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 20000; i++ {
		var b [4]byte
		for j := range b {
			b[j] = byte(rng.Uint32())
		}
		a := netip.AddrFrom4(b)
		plen := uint8(rng.IntN(34))
		got, ok := vrKey(fVR4, 7, plen, a)
		if plen > 32 {
			if ok {
				t.Fatalf("%v/%d accepted", a, plen)
			}
			continue
		}
		p, _ := a.Prefix(int(plen))
		want := key{vpn: 7, plen: plen, fam: fVR4}
		setAddr(&want, p.Addr())
		if !ok || got != want {
			t.Fatalf("%v/%d: key %+v, want %+v", a, plen, got, want)
		}
		// The IPv4-mapped form takes the general path to the same key.
		if m, ok := vrKey(fVR4, 7, plen, netip.AddrFrom16(a.As16())); !ok || m != want {
			t.Fatalf("%v/%d mapped: key %+v, want %+v", a, plen, m, want)
		}
		if _, ok := vrKey(fVR6, 7, plen, a); ok {
			t.Fatalf("%v/%d accepted as IPv6", a, plen)
		}
	}
}

// checkIndex verifies that every entry of x is reachable from its home
// slot without crossing an empty one, and that n counts the entries.
func checkIndex(t *testing.T, x *index) {
	t.Helper()
	n := 0
	for i, s := range x.slots {
		if s == 0 {
			continue
		}
		n++
		for j := x.home(s >> 32); j != i; j = x.next(j) {
			if x.slots[j] == 0 {
				t.Fatalf("slot %d (home %d) is cut off by the empty slot %d", i, x.home(s>>32), j)
			}
		}
	}
	if n != x.n {
		t.Fatalf("%d entries, n says %d", n, x.n)
	}
}

// The index keeps every key through growth (by half, sequentially) and
// backward-shift removals, tag collisions included: with 300000 keys,
// some share their 32-bit tag.
func TestIndexGrowRemove(t *testing.T) {
	var d arena[dest]
	x := newIndex()
	const n = 300000
	keys := make([]key, n)
	ids := make([]uint32, n)
	tags := map[uint64]int{}
	for i := range keys {
		keys[i] = key{vpn: uint64(i % 3), lo: uint64(i) * 2654435761, plen: 32, fam: fVR4}
		tg := x.tag(&keys[i])
		tags[tg]++
		di, at := x.lookup(&keys[i], tg, &d)
		if di != 0 {
			t.Fatalf("new key %d found as %d", i, di)
		}
		ids[i] = d.alloc()
		d.at(ids[i]).k = keys[i]
		x.put(at, tg, ids[i])
	}
	t.Logf("%d tags shared, table %d slots", len(keys)-len(tags), len(x.slots))
	checkIndex(t, &x)
	for i := range keys {
		if got := x.find(&keys[i], &d); got != ids[i] {
			t.Fatalf("key %d: %d, want %d", i, got, ids[i])
		}
	}
	rng := rand.New(rand.NewPCG(5, 6))
	gone := make([]bool, n)
	for _, i := range rng.Perm(n)[:n/2] {
		x.remove(&keys[i], ids[i])
		gone[i] = true
	}
	checkIndex(t, &x)
	for i := range keys {
		want := ids[i]
		if gone[i] {
			want = 0
		}
		if got := x.find(&keys[i], &d); got != want {
			t.Fatalf("key %d (removed %v): %d, want %d", i, gone[i], got, want)
		}
	}
}
