package rib

import (
	"fmt"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/ompconform/ompconform/omp"
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
	t.Run("heap", func(t *testing.T) { indexGrowRemove(t, nil) })
	if mmapChunks {
		m := &offHeap{}
		t.Run("mapped", func(t *testing.T) { indexGrowRemove(t, m) })
		// Each grow gives the old table back; the next cannot be cut
		// from the smaller runs given back before, so each is a mapping.
		if got, want := len(m.free), len(m.maps)-1; got < 1 || got > want {
			t.Errorf("%d runs given back of %d mappings", got, len(m.maps))
		}
		m.freeAll()
	}
}

func indexGrowRemove(t *testing.T, m *offHeap) {
	var d destArena
	x := newIndex(m)
	const n = 300000
	keys := make([]key, n)
	ids := make([]uint32, n)
	tags := map[uint64]int{}
	for i := range keys {
		keys[i] = key{vpn: uint64(i % 3), lo: uint64(uint32(i) * 2654435761), plen: 32, fam: fVR4}
		tg := x.tag(&keys[i])
		tags[tg]++
		di, at := x.lookup(&keys[i], tg, &d)
		if di != 0 {
			t.Fatalf("new key %d found as %d", i, di)
		}
		ids[i] = d.alloc()
		d.set(ids[i], &keys[i])
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

// A RIB's mapped memory is released when the RIB is collected.
func TestOffHeapReleased(t *testing.T) {
	if !mmapChunks {
		t.Skip("tables on the Go heap here")
	}
	before := mapped.Load()
	func() {
		r, err := New(Config{Role: omp.RoleController, RouterID: a("10.0.0.100"), SiteID: 100})
		if err != nil {
			t.Fatal(err)
		}
		s := peerUp(t, r, "1.1.1.1", 1, 0)
		var vs []omp.VRouteNLRI
		for i := range 20000 {
			vs = append(vs, vroute(1, fmt.Sprintf("10.%d.%d.0/24", i>>8, i&0xFF), 0, 0))
			if len(vs) == 100 {
				apply(t, r, s, advV(tlocN("192.0.2.1", 1, 2), vs))
				vs = vs[:0]
			}
		}
		if got := len(r.Routes(VRoute4)); got != 20000 {
			t.Fatalf("%d routes", got)
		}
		if mapped.Load() <= before {
			t.Fatalf("nothing mapped: %d bytes before, %d after", before, mapped.Load())
		}
	}()
	deadline := time.Now().Add(10 * time.Second)
	for mapped.Load() > before {
		if time.Now().After(deadline) {
			t.Fatalf("%d bytes still mapped, %d before the RIB", mapped.Load(), before)
		}
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
}

// A chunk given back is cut into later chunks, which come zeroed.
func TestOffHeapReuse(t *testing.T) {
	if !mmapChunks {
		t.Skip("tables on the Go heap here")
	}
	m := &offHeap{}
	defer m.freeAll()
	big := chunkOf[uint64](m, 3*pageSize/8)
	for i := range big {
		big[i] = ^uint64(0)
	}
	release(m, big)
	if len(m.maps) != 1 || len(m.free) != 1 {
		t.Fatalf("%d mappings, %d runs free", len(m.maps), len(m.free))
	}
	for i := range 3 {
		c := chunkOf[uint32](m, 100)
		for j, v := range c {
			if v != 0 {
				t.Fatalf("chunk %d: element %d is %#x", i, j, v)
			}
		}
		c[99] = 7
	}
	if len(m.maps) != 1 || len(m.free) != 0 || m.size() != int64(3*pageSize) {
		t.Fatalf("%d mappings, %d runs free, %d bytes: the three chunks were not cut from the first", len(m.maps), len(m.free), m.size())
	}
	if c := chunkOf[uint32](m, 1); len(m.maps) != 2 || c[0] != 0 {
		t.Fatalf("%d mappings after the free run was used up", len(m.maps))
	}
}

// Only pointer-free types may live in mapped memory, which the garbage
// collector does not scan: netip.Addr holds a pointer, so a table of
// them is refused; the RIB's own element types pass.
func TestOffHeapRefusesPointers(t *testing.T) {
	type withAddr struct {
		a netip.Addr
		n uint32
	}
	if !hasPointers(reflect.TypeFor[withAddr]()) || !hasPointers(reflect.TypeFor[[2]*int]()) || !hasPointers(reflect.TypeFor[[]byte]()) {
		t.Error("hasPointers misses a pointer")
	}
	if hasPointers(reflect.TypeFor[struct {
		a [16]byte
		b uint64
	}]()) {
		t.Error("hasPointers sees a pointer in a pointer-free struct")
	}
	for _, typ := range []reflect.Type{reflect.TypeFor[dest](), reflect.TypeFor[path](), reflect.TypeFor[export](), reflect.TypeFor[uint64](), reflect.TypeFor[uint32]()} {
		if hasPointers(typ) {
			t.Errorf("%s holds pointers but is kept outside the Go heap", typ)
		}
	}
}
