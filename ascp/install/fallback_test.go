package install

import (
	"crypto/rsa"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestEnsureFallbackCertCreatesAMatchingPair(t *testing.T) {
	key, cert := FallbackFiles(filepath.Join(t.TempDir(), "sdk"))
	if err := EnsureFallbackCert(key, cert); err != nil {
		t.Fatal(err)
	}
	if _, err := tls.LoadX509KeyPair(cert, key); err != nil {
		t.Fatalf("key and certificate do not form a pair: %v", err)
	}
	certPEM, _ := os.ReadFile(cert)
	block, _ := pem.Decode(certPEM)
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
		t.Errorf("certificate is not self-signed: %v", err)
	}
	if _, ok := c.PublicKey.(*rsa.PublicKey); !ok {
		t.Errorf("public key is %T, want RSA", c.PublicKey)
	}
	if info, err := os.Stat(key); err != nil || runtime.GOOS != "windows" && info.Mode().Perm() != 0o600 {
		t.Errorf("private key mode %v, want 0600 (%v)", info.Mode().Perm(), err)
	}
	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(key), ".tmp-*"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestEnsureFallbackCertKeepsExistingFiles(t *testing.T) {
	key, cert := FallbackFiles(t.TempDir())
	for _, p := range []string{key, cert} {
		if err := os.WriteFile(p, []byte("the user's own"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := EnsureFallbackCert(key, cert); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{key, cert} {
		if b, _ := os.ReadFile(p); string(b) != "the user's own" {
			t.Errorf("%s was replaced", p)
		}
	}
}
