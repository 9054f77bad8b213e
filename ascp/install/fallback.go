package install

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// The HTTP fallback key and certificate in the SDK folder, as IBM's
// runner names them.
const (
	FallbackKeyName  = "aspera_fallback_cert_private_key.pem"
	FallbackCertName = "aspera_fallback_cert.pem"
)

// DefaultSDKDir is aspera-cli's SDK folder when the aspera-cli envelope names
// none.
func DefaultSDKDir() string {
	home, err := os.UserHomeDir()
	if err != nil {
		return filepath.Join(".aspera", "sdk")
	}
	return filepath.Join(home, ".aspera", "sdk")
}

// FallbackFiles are the paths of the HTTP fallback key and certificate in
// the SDK folder sdk.
func FallbackFiles(sdk string) (key, cert string) {
	return filepath.Join(sdk, FallbackKeyName), filepath.Join(sdk, FallbackCertName)
}

// EnsureFallbackCert creates a self-signed key and certificate at key and
// cert unless both exist, as IBM's runner does; ascp needs them for an
// HTTPS fallback. Each file appears whole (written aside, then renamed),
// so that two jobs starting together never read half a file. The key is
// private to the user (0600), which IBM's runner does not ensure.
func EnsureFallbackCert(key, cert string) error {
	if isRegular(key) && isRegular(cert) {
		return nil
	}
	if err := os.MkdirAll(filepath.Dir(key), 0o700); err != nil {
		return err
	}
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return err
	}
	now := time.Now()
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: "aspera fallback (asession, self-signed)"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(10, 0, 0),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &priv.PublicKey, priv)
	if err != nil {
		return err
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(priv)})
	certPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	if err := writeWhole(key, keyPEM, 0o600); err != nil {
		return err
	}
	return writeWhole(cert, certPEM, 0o644)
}

func writeWhole(path string, data []byte, mode os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return nil
}
