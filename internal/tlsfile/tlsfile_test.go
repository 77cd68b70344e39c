package tlsfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ompconform/ompconform/internal/testdut"
	"github.com/ompconform/ompconform/internal/tlsfile"
)

// The files a PKI writes load; each wrong file is an error that names it.
func TestReadsPEMFilesBounded(t *testing.T) {
	dir := t.TempDir()
	cert, key, ca := testdut.NewPKI().WriteFiles(t, dir, "edge")
	if _, err := tlsfile.KeyPair(cert, key); err != nil {
		t.Fatal(err)
	}
	if pool, err := tlsfile.CertPool(ca); err != nil || pool == nil {
		t.Fatalf("CertPool: %v", err)
	}
	if _, err := tlsfile.KeyPair(key, cert); err == nil || !strings.Contains(err.Error(), key) {
		t.Errorf("certificate and key swapped: %v", err)
	}
	if _, err := tlsfile.CertPool(key); err == nil || !strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("a key for a CA: %v", err)
	}
	if _, err := tlsfile.CertPool(dir); err == nil {
		t.Error("a folder read as a CA file")
	}
	big := filepath.Join(dir, "big.pem")
	if err := os.WriteFile(big, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(big, 17<<20); err != nil {
		t.Fatal(err)
	}
	if _, err := tlsfile.CertPool(big); err == nil {
		t.Error("a 17 MiB CA file read")
	}
}
