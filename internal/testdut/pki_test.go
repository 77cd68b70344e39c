package testdut

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"os"
	"testing"
	"time"
)

// handshake dials a server on 127.0.0.1 that uses server and requires a
// client certificate, with client, and returns the error of the
// handshake or of reading after it (a server that refuses the client's
// certificate says so after the client's half of the handshake).
func handshake(t *testing.T, server, client *tls.Config) error {
	t.Helper()
	server = server.Clone()
	server.ClientAuth = tls.RequireAndVerifyClientCert
	s := Listen(t, "127.0.0.1:0", server)
	s.Serve(func(c net.Conn) {
		c.SetDeadline(time.Now().Add(5 * time.Second))
		c.Write([]byte("ok"))
		io.Copy(io.Discard, c)
	})
	c, err := tls.DialWithDialer(&net.Dialer{Timeout: 5 * time.Second}, "tcp", s.Addr(), client)
	if err != nil {
		return err
	}
	defer c.Close()
	c.SetDeadline(time.Now().Add(5 * time.Second))
	_, err = io.ReadFull(c, make([]byte, 2))
	return err
}

// Two certificates of one PKI verify each other, by IP address and by
// name; a certificate of another PKI, or none, is refused both ways.
func TestPKI(t *testing.T) {
	pki := NewPKI()
	a, b := pki.Config("a"), pki.Config("b")
	if err := handshake(t, a, b); err != nil {
		t.Fatalf("127.0.0.1 without a server name: %v", err)
	}
	for _, name := range []string{"127.0.0.1", "localhost"} {
		c := b.Clone()
		c.ServerName = name
		if err := handshake(t, a, c); err != nil {
			t.Errorf("server name %s: %v", name, err)
		}
	}
	if x, y := pki.Cert("x"), pki.Cert("y"); x.Leaf.SerialNumber.Cmp(y.Leaf.SerialNumber) == 0 {
		t.Error("two certificates with one serial number")
	}

	other := NewPKI()
	if err := handshake(t, a, other.Config("b")); err == nil {
		t.Error("a server trusted another PKI's server")
	}
	c := other.Config("b")
	c.RootCAs = pki.Pool
	if err := handshake(t, a, c); err == nil {
		t.Error("a server took another PKI's client")
	}
	if err := handshake(t, a, &tls.Config{RootCAs: pki.Pool}); err == nil {
		t.Error("a server took a client without a certificate")
	}
}

// WriteFiles' files load as a key pair and a CA.
func TestPKIWriteFiles(t *testing.T) {
	pki := NewPKI()
	cert, key, ca := pki.WriteFiles(t, t.TempDir(), "dut")
	kp, err := tls.LoadX509KeyPair(cert, key)
	if err != nil {
		t.Fatal(err)
	}
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", ca)
	}
	if _, err := kp.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "localhost"}); err != nil {
		t.Errorf("%s does not verify against %s: %v", cert, ca, err)
	}
}
