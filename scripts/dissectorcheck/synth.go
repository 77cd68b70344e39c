package main

import (
	"fmt"
	"math/rand/v2"
	"os"
	"time"

	"github.com/ompconform/ompconform/fixtures"
	"github.com/ompconform/ompconform/omp"
	"github.com/ompconform/ompconform/reports"
	"github.com/ompconform/ompconform/suites/catalog"
	"github.com/ompconform/ompconform/suites/runner"
	"github.com/ompconform/ompconform/transcript"
)

// segmentSizes cut a stream into TCP segments: a header split after 7
// bytes, single bytes, a message and a half, several messages at once.
var segmentSizes = []int{7, 1, 30, 250, 19, 3, 600, 2, 90, 1500, 41, 4000, 5}

// writeSynthetic writes a capture, to TCP port 12346, of the zoo and the
// valid fixtures as one stream cut into segments of segmentSizes (several
// messages in a segment, messages split across segments, headers split),
// then each malformed fixture and each mutant on a connection of its own.
func writeSynthetic(path string) (int, error) {
	var stream []byte
	var zooBytes [][]byte
	n := 0
	for _, m := range zoo() {
		b, err := omp.Encode(m)
		if err != nil {
			return 0, fmt.Errorf("zoo %T: %w", m, err)
		}
		stream = append(stream, b...)
		zooBytes = append(zooBytes, b)
		n++
	}
	fx, err := fixtures.Load()
	if err != nil {
		return 0, err
	}
	for _, f := range fx {
		if f.Valid {
			stream = append(stream, f.Bytes...)
			n++
		}
	}
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var tr []transcript.Entry
	add := func(local string, raw []byte) {
		at = at.Add(time.Millisecond)
		tr = append(tr, transcript.Entry{Time: at, Dir: transcript.Sent, Peer: local, Local: local, Remote: "127.0.0.1:12346", Raw: raw})
	}
	for i := 0; len(stream) > 0; i++ {
		k := min(segmentSizes[i%len(segmentSizes)], len(stream))
		add("127.0.0.2:40000", stream[:k])
		stream = stream[k:]
	}
	for i, f := range fx {
		if !f.Valid {
			add(fmt.Sprintf("127.0.0.3:%d", 41000+i), f.Bytes)
			n++
		}
	}
	for i, b := range mutants(zooBytes) {
		add(fmt.Sprintf("127.0.0.4:%d", 42000+i), b)
		n++
	}
	out, err := os.Create(path)
	if err != nil {
		return 0, err
	}
	err = reports.WritePcap(out, &runner.Result{Identity: catalog.Identity{ID: "synthetic"}, Start: tr[0].Time, Transcript: tr}, reports.Options{ShowKeys: true})
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	return n, err
}

// mutants are zoo messages with one to three bytes of the Type or body
// set at random (a Marker byte now and then), or cut short: the same few
// hundred every run, most of them UPDATEs, the richest layout.
func mutants(zoo [][]byte) [][]byte {
	r := rand.New(rand.NewPCG(1, 2))
	var updates [][]byte
	for _, b := range zoo {
		if t, _ := omp.TypeOf(b); t == omp.TypeUpdate {
			updates = append(updates, b)
		}
	}
	var out [][]byte
	for range 400 {
		from := zoo
		if r.IntN(2) == 0 {
			from = updates
		}
		b := append([]byte(nil), from[r.IntN(len(from))]...)
		if r.IntN(8) == 0 {
			b = b[:omp.HeaderLen+r.IntN(len(b)-omp.HeaderLen+1)]
			omp.PutLength(b)
		}
		for range 1 + r.IntN(3) {
			i := omp.HeaderLen - 1 + r.IntN(len(b)-omp.HeaderLen+1)
			if r.IntN(20) == 0 {
				i = r.IntN(omp.MarkerLen)
			}
			b[i] = byte(r.IntN(256))
		}
		out = append(out, b)
	}
	return out
}
