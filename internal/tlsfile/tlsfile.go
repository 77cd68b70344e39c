// Package tlsfile reads the PEM files a TLS configuration is made of (a
// certificate and its key, a CA) bounded, as package filein reads every
// file a user names. The harness's client, its listener for DUTs that
// dial in, the ginkgo suite and the reference speaker all read them
// here. The codec does not import it (go-fuzz cannot build crypto/tls).
package tlsfile

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"

	"github.com/ompconform/ompconform/internal/filein"
)

// KeyPair is tls.LoadX509KeyPair with the files read bounded: a regular
// file each, of at most filein.Default bytes. Its errors name the files.
func KeyPair(certFile, keyFile string) (tls.Certificate, error) {
	certPEM, err := filein.Read(certFile, filein.Default)
	if err != nil {
		return tls.Certificate{}, err
	}
	keyPEM, err := filein.Read(keyFile, filein.Default)
	if err != nil {
		return tls.Certificate{}, err
	}
	kp, err := tls.X509KeyPair(certPEM, keyPEM)
	if err != nil {
		return tls.Certificate{}, fmt.Errorf("%s, %s: %w", certFile, keyFile, err)
	}
	return kp, nil
}

// CertPool is the pool of the PEM certificates in caFile, read bounded;
// a file without one is an error.
func CertPool(caFile string) (*x509.CertPool, error) {
	pem, err := filein.Read(caFile, filein.Default)
	if err != nil {
		return nil, err
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate", caFile)
	}
	return pool, nil
}
