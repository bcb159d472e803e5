package auth

import (
	"crypto/tls"
	"errors"
	"fmt"
)

// TLSConfig loads a certificate and key for `serve --tls-cert/--tls-key`.
// Both or neither must be given; neither returns nil (plain HTTP, for loopback
// or behind a TLS-terminating proxy, where Config.SecureCookies should be set).
func TLSConfig(certFile, keyFile string) (*tls.Config, error) {
	if certFile == "" && keyFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, errors.New("--tls-cert and --tls-key go together")
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, fmt.Errorf("load TLS certificate: %w", err)
	}
	return &tls.Config{
		MinVersion:   tls.VersionTLS12,
		Certificates: []tls.Certificate{cert},
		// Go's default cipher suites for TLS 1.2 are already AEAD-only with
		// forward secrecy; TLS 1.3 suites are not configurable.
	}, nil
}
