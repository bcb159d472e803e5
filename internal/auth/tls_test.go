package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/waspada-id/waspada/internal/access"
)

func writeSelfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "waspada test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, _ := x509.MarshalECPrivateKey(key)
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	c, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(c)
	return certFile, keyFile, pool
}

func TestTLSConfig(t *testing.T) {
	if c, err := TLSConfig("", ""); c != nil || err != nil {
		t.Fatalf("no files: %v %v, want plain HTTP", c, err)
	}
	if _, err := TLSConfig("cert.pem", ""); err == nil {
		t.Fatal("a certificate without a key accepted")
	}
	if _, err := TLSConfig("/nonexistent/cert.pem", "/nonexistent/key.pem"); err == nil {
		t.Fatal("missing files accepted")
	}
	certFile, keyFile, _ := writeSelfSigned(t)
	c, err := TLSConfig(certFile, keyFile)
	if err != nil || len(c.Certificates) != 1 || c.MinVersion != tls.VersionTLS12 {
		t.Fatalf("TLSConfig = %+v, %v", c, err)
	}
}

// Over TLS, the session cookie is Secure and HSTS is sent.
func TestTLSSecureCookieAndHSTS(t *testing.T) {
	e := newEnv(t, testConfig())
	e.addUser("admin1", access.Admin, nil, nil)
	certFile, keyFile, roots := writeSelfSigned(t)
	cfg, err := TLSConfig(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: e.srv.Config.Handler}
	go func() { _ = hs.Serve(tls.NewListener(ln, cfg)) }()
	t.Cleanup(func() { _ = hs.Shutdown(context.Background()) })
	base := "https://" + ln.Addr().String()
	c := e.browser()
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: roots}}
	e.srv.URL = base // login() posts to e.srv.URL
	resp := e.login(c, "admin1", "rahasia-sekali-123")
	if resp.StatusCode != 303 {
		t.Fatalf("login over TLS = %d", resp.StatusCode)
	}
	var secure bool
	for _, ck := range resp.Cookies() {
		if ck.Name == SessionCookie {
			secure = ck.Secure
		}
	}
	if !secure {
		t.Error("session cookie over TLS is not Secure")
	}
	if resp.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS header over TLS")
	}
}
