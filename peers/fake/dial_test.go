package fake

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ompconform/ompconform/transcript"
)

// A dial that fails is one transcript event that says where it failed:
// no TCP connection ("dial failed", from the configured address), or a
// TLS handshake over one (from the connection's own address and port).
func TestDialFailuresAreRecorded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := ln.Addr().String()
	ln.Close()
	plain := startDUT(t, "127.0.0.1:0", nil, drain)
	for _, tc := range []struct {
		name, addr, note string
		tls              bool
	}{
		{"refused", refused, "dial failed", false},
		{"plain server", plain, "TLS handshake failed", true},
	} {
		tr := &transcript.Transcript{}
		cfg := Config{Name: "peer0", LocalAddr: "127.0.0.6", Transcript: tr}
		if tc.tls {
			cfg.TLS = clientTLS()
		}
		if _, err := Dial(cfg, tc.addr, 300*time.Millisecond); err == nil || !strings.HasPrefix(err.Error(), "peer0: ") {
			t.Errorf("%s: error %v, want one naming the peer", tc.name, err)
		}
		es := tr.Entries()
		if len(es) != 1 || es[0].Note != tc.note || es[0].Remote != tc.addr {
			t.Fatalf("%s: transcript %+v, want one %q event", tc.name, es, tc.note)
		}
		if local := es[0].Local; tc.tls != strings.HasPrefix(local, "127.0.0.6:") || !strings.HasPrefix(local, "127.0.0.6") {
			t.Errorf("%s: local %q", tc.name, local)
		}
	}
}
