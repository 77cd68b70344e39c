//go:build gofuzz

package omp

import (
	"bytes"
	"fmt"
)

// Fuzz is the go-fuzz entry point (scripts/gofuzz.sh builds it with
// go-fuzz-build). Decoding must never panic; a message that decodes must
// re-encode to exactly its input and decode again the same way. It
// returns 1 for valid messages, so go-fuzz favours inputs that decode,
// and 0 for the rest.
func Fuzz(data []byte) int {
	m, err := Decode(data)
	if err != nil {
		if _, ok := AsError(err); !ok {
			panic(fmt.Sprintf("decode error %v is not an *Error", err))
		}
		return 0
	}
	wire, err := Encode(m)
	if err != nil {
		panic(fmt.Sprintf("decoded %x but cannot encode it: %v", data, err))
	}
	if !bytes.Equal(wire, data) {
		panic(fmt.Sprintf("re-encoding differs:\n in  %x\n out %x", data, wire))
	}
	m2, err := Decode(wire)
	if err != nil {
		panic(fmt.Sprintf("re-encoded message does not decode: %v", err))
	}
	if again, err := Encode(m2); err != nil || !bytes.Equal(again, wire) {
		panic(fmt.Sprintf("second round trip differs (%v)", err))
	}
	if _, fm, err := DecodeFields(data); err != nil || len(fm.Leaves()) == 0 {
		panic(fmt.Sprintf("DecodeFields disagrees with Decode: %v", err))
	}
	return 1
}
