package omp

import "net/netip"

// Hello is the HELLO message (section 3.1.5): a sequence of TLVs.
type Hello struct {
	TLVs []HelloTLV
}

func (*Hello) Type() MsgType { return TypeHello }

func (m *Hello) walk(w *walker) {
	list(w, "tlv", &m.TLVs, 0, func(t *HelloTLV) { t.walk(w) })
}

// HelloTLV is one HELLO TLV: Type, Length (2 bytes, data only), Data.
// OMP_PTK_HELLO_TLV_VSMARTS carries a list of addresses, each as a 1-byte
// Length (4 or 16) and the address; other types carry Data.
type HelloTLV struct {
	TLVType HelloTLVType
	VSmarts []netip.Addr
	Data    []byte
}

func (t *HelloTLV) walk(w *walker) {
	enumField(w, "type", &t.TLVType)
	w.length2("length", "data", errHeaderLength, func() {
		if t.TLVType != HelloTLVVSmarts {
			w.bytes("data", &t.Data, -1)
			return
		}
		list(w, "vsmart", &t.VSmarts, 0, func(a *netip.Addr) {
			n := 4
			if !w.decode && !a.Is4() {
				n = 16
			}
			w.length1("length", "value", errHeaderLength, func() {
				if w.decode {
					n = w.remaining()
					if n != 4 && n != 16 {
						w.failAt(errHeaderLength, "length", w.off-1, 1, "vSmart address Length %d; must be 4 or 16", n)
						return
					}
				}
				w.addr("address", a, n)
			})
		})
	})
}
