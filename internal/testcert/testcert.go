// Package testcert makes TLS certificates for tests and for the demo origin:
// self-signed or signed by another generated certificate, valid for the
// hosts asked for and for the period asked for. Keys are ECDSA P-256, which
// are quick to generate.
//
// It is a normal package (not a _test file) because the demo needs a
// certificate that expires in a few days, generated at start.
package testcert

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"time"
)

// Options describe the certificate to generate. The zero value is a
// self-signed certificate for 127.0.0.1, ::1 and localhost, valid from an
// hour ago for a year.
type Options struct {
	// Hosts are the subject alternative names: IP addresses become IP SANs,
	// everything else a DNS name. Empty: 127.0.0.1, ::1 and localhost.
	Hosts []string
	// CommonName of the subject; empty: the first host, or "upbeat test CA"
	// for a CA.
	CommonName string
	// NotBefore is when the certificate starts being valid; zero: an hour
	// before now.
	NotBefore time.Time
	// NotAfter is when it expires; zero: NotBefore plus ValidFor.
	NotAfter time.Time
	// ValidFor is used when NotAfter is zero; zero: one year.
	ValidFor time.Duration
	// IsCA makes a certificate that can sign others (and be put in a pool
	// of roots).
	IsCA bool
	// Parent signs the new certificate; nil: self-signed. Parent must come
	// from Generate with IsCA (its Leaf and PrivateKey are used). The
	// returned chain holds the new certificate followed by Parent's chain.
	Parent *tls.Certificate
	// Now replaces time.Now for the defaults above.
	Now func() time.Time
	// IssuingCertificateURL is the Authority Information Access URL where
	// a client may fetch the issuer's certificate, as public CAs set it.
	IssuingCertificateURL []string
	// ClientAuth makes the certificate good for TLS clients too (mutual
	// TLS), besides servers.
	ClientAuth bool
}

// Generate makes a key and a certificate as described by opts and returns
// the certificate chain and the key as PEM, and as a tls.Certificate with
// Leaf set. It panics when the system's random source fails or Parent is
// not a certificate made by Generate, as httptest does: it is meant for
// tests and demos, where there is nothing better to do.
func Generate(opts Options) (certPEM, keyPEM []byte, cert tls.Certificate) {
	certPEM, keyPEM, cert, err := generate(opts)
	if err != nil {
		panic("testcert: " + err.Error())
	}
	return certPEM, keyPEM, cert
}

func generate(opts Options) ([]byte, []byte, tls.Certificate, error) {
	now := time.Now
	if opts.Now != nil {
		now = opts.Now
	}
	hosts := opts.Hosts
	if len(hosts) == 0 {
		hosts = []string{"127.0.0.1", "::1", "localhost"}
	}
	notBefore := opts.NotBefore
	if notBefore.IsZero() {
		notBefore = now().Add(-time.Hour)
	}
	notAfter := opts.NotAfter
	if notAfter.IsZero() {
		d := opts.ValidFor
		if d == 0 {
			d = 365 * 24 * time.Hour
		}
		notAfter = notBefore.Add(d)
	}
	cn := opts.CommonName
	if cn == "" {
		cn = hosts[0]
		if opts.IsCA {
			cn = "upbeat test CA"
		}
	}

	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, tls.Certificate{}, fmt.Errorf("generate key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 120))
	if err != nil {
		return nil, nil, tls.Certificate{}, fmt.Errorf("generate serial: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: cn, Organization: []string{"upbeat test"}},
		NotBefore:             notBefore,
		NotAfter:              notAfter,
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IssuingCertificateURL: opts.IssuingCertificateURL,
	}
	if opts.ClientAuth {
		tmpl.ExtKeyUsage = append(tmpl.ExtKeyUsage, x509.ExtKeyUsageClientAuth)
	}
	if opts.IsCA {
		tmpl.IsCA = true
		tmpl.KeyUsage |= x509.KeyUsageCertSign
	}
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
		} else {
			tmpl.DNSNames = append(tmpl.DNSNames, h)
		}
	}

	parent, signer := tmpl, any(key)
	var chain [][]byte
	if opts.Parent != nil {
		if opts.Parent.Leaf == nil || opts.Parent.PrivateKey == nil {
			return nil, nil, tls.Certificate{}, fmt.Errorf("parent has no leaf or key")
		}
		parent, signer = opts.Parent.Leaf, opts.Parent.PrivateKey
		chain = opts.Parent.Certificate
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, parent, &key.PublicKey, signer)
	if err != nil {
		return nil, nil, tls.Certificate{}, fmt.Errorf("create certificate: %w", err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, tls.Certificate{}, fmt.Errorf("parse certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, tls.Certificate{}, fmt.Errorf("marshal key: %w", err)
	}

	cert := tls.Certificate{
		Certificate: append([][]byte{der}, chain...),
		PrivateKey:  key,
		Leaf:        leaf,
	}
	var certPEM []byte
	for _, c := range cert.Certificate {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c})...)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	return certPEM, keyPEM, cert, nil
}
