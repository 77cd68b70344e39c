package testdut

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"
)

// PKI is a throwaway certificate authority for TLS on loopback. The
// certificates it issues name 127.0.0.1, ::1 and localhost, are valid
// for an hour either side of now and serve a client as well as a server.
// NewPKI, Cert and Config panic on an error, which only a bug here can
// cause.
type PKI struct {
	// Pool holds the CA's certificate alone.
	Pool *x509.CertPool

	ca     *x509.Certificate
	key    *ecdsa.PrivateKey
	serial atomic.Int64
}

// NewPKI makes a CA.
func NewPKI() *PKI {
	key := newKey()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ompconform test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	ca, err := x509.ParseCertificate(mustCreate(tmpl, tmpl, key, key))
	if err != nil {
		panic("testdut: " + err.Error())
	}
	p := &PKI{Pool: x509.NewCertPool(), ca: ca, key: key}
	p.Pool.AddCert(ca)
	p.serial.Store(1)
	return p
}

// Cert issues a certificate for name (its common name), with a serial
// number of its own; Leaf is set.
func (p *PKI) Cert(name string) tls.Certificate {
	key := newKey()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(p.serial.Add(1)), Subject: pkix.Name{CommonName: name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1"), net.ParseIP("::1")},
		DNSNames:    []string{"localhost"},
	}
	der := mustCreate(tmpl, p.ca, key, p.key)
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		panic("testdut: " + err.Error())
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}
}

// Config is a mutual TLS configuration for name: a certificate Cert
// issued, and the CA to verify the other side, server or client.
func (p *PKI) Config(name string) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{p.Cert(name)}, RootCAs: p.Pool, ClientCAs: p.Pool, MinVersion: tls.VersionTLS12}
}

// WriteFiles writes a certificate Cert issues for name, its key and the
// CA's certificate as PEM files in dir: name.pem, name-key.pem and
// ca.pem.
func (p *PKI) WriteFiles(t testing.TB, dir, name string) (cert, key, ca string) {
	t.Helper()
	c := p.Cert(name)
	kder, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, key, ca = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+"-key.pem"), filepath.Join(dir, "ca.pem")
	for f, b := range map[string]*pem.Block{
		cert: {Type: "CERTIFICATE", Bytes: c.Certificate[0]},
		key:  {Type: "PRIVATE KEY", Bytes: kder},
		ca:   {Type: "CERTIFICATE", Bytes: p.ca.Raw},
	} {
		if err := os.WriteFile(f, pem.EncodeToMemory(b), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return cert, key, ca
}

func newKey() *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic("testdut: " + err.Error())
	}
	return key
}

// mustCreate signs tmpl, the certificate of key, with parent's key.
func mustCreate(tmpl, parent *x509.Certificate, key, parentKey *ecdsa.PrivateKey) []byte {
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, parentKey)
	if err != nil {
		panic("testdut: " + err.Error())
	}
	return der
}
