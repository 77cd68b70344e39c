package omp

import (
	"bytes"
	"errors"
	"testing"
)

// FrameLength is the one framing rule: the Reader and Decode give the
// same ALERT for a header that cannot frame a message.
func TestFrameLength(t *testing.T) {
	hdr := func(length int, mk byte) []byte {
		return append(bytes.Repeat([]byte{mk}, MarkerLen), byte(length>>8), byte(length), byte(TypeHello))
	}
	for _, c := range []struct {
		h     []byte
		n     int
		sub   Subcode
		field string
	}{
		{hdr(19, 0xFF), 19, 0, ""},
		{hdr(4096, 0xFF), 4096, 0, ""},
		{hdr(18, 0xFF), 18, SubErrHeaderLength, "header.length"},
		{hdr(4097, 0xFF), 4097, SubErrHeaderLength, "header.length"},
		{hdr(0, 0xFF), 0, SubErrHeaderLength, "header.length"},
		{hdr(40, 0xFE), 40, SubErrHeaderUnsync, "header.marker"},
		{hdr(5000, 0x00), 5000, SubErrHeaderUnsync, "header.marker"},
	} {
		n, err := FrameLength(c.h)
		if n != c.n {
			t.Errorf("%x: length %d, want %d", c.h, n, c.n)
		}
		if c.sub == 0 {
			if err != nil {
				t.Errorf("%x: %v", c.h, err)
			}
			continue
		}
		e, ok := AsError(err)
		if !ok || e.Code != ErrHeader || e.Subcode != c.sub || e.Field != c.field {
			t.Errorf("%x: %v, want %s at %s", c.h, err, ErrHeader.SubcodeName(c.sub), c.field)
			continue
		}
		_, rerr := NewReader(bytes.NewReader(c.h)).ReadRaw()
		_, derr := Decode(c.h)
		if !errorsEqual(rerr, err) || !errorsEqual(derr, err) {
			t.Errorf("%x: FrameLength %v, Reader %v, Decode %v", c.h, err, rerr, derr)
		}
	}
	if _, err := FrameLength(hdr(19, 0xFF)[:HeaderLen-1]); !errors.Is(err, ErrTruncated) {
		t.Errorf("18 bytes: %v, want ErrTruncated", err)
	}
}

func errorsEqual(a, b error) bool {
	x, ok1 := AsError(a)
	y, ok2 := AsError(b)
	return ok1 && ok2 && x.Code == y.Code && x.Subcode == y.Subcode && x.Field == y.Field &&
		x.Offset == y.Offset && bytes.Equal(x.Data, y.Data) && x.Reason == y.Reason
}
