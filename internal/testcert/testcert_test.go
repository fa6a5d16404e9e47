package testcert

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"testing"
	"time"
)

func TestGenerateChain(t *testing.T) {
	now := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	caPEM, _, ca := Generate(Options{IsCA: true, Now: clock})
	certPEM, keyPEM, leaf := Generate(Options{
		Hosts:    []string{"127.0.0.1", "demo.test"},
		NotAfter: now.Add(3 * 24 * time.Hour),
		Parent:   &ca,
		Now:      clock,
	})

	if _, err := tls.X509KeyPair(certPEM, keyPEM); err != nil {
		t.Fatalf("PEM pair does not load: %v", err)
	}
	if n := countPEM(certPEM); n != 2 || len(leaf.Certificate) != 2 {
		t.Errorf("chain has %d PEM blocks and %d DER certificates, want leaf and CA", n, len(leaf.Certificate))
	}
	if got := leaf.Leaf.NotAfter; !got.Equal(now.Add(3 * 24 * time.Hour)) {
		t.Errorf("NotAfter = %v", got)
	}
	if got := leaf.Leaf.NotBefore; !got.Equal(now.Add(-time.Hour)) {
		t.Errorf("NotBefore = %v, want an hour before the clock", got)
	}

	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("CA PEM not usable as a root")
	}
	for _, host := range []string{"127.0.0.1", "demo.test"} {
		if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: host, CurrentTime: now}); err != nil {
			t.Errorf("verify for %s: %v", host, err)
		}
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: roots, DNSName: "other.test", CurrentTime: now}); err == nil {
		t.Error("verified for a host it does not name")
	}
	if _, err := leaf.Leaf.Verify(x509.VerifyOptions{Roots: roots, CurrentTime: now.Add(4 * 24 * time.Hour)}); err == nil {
		t.Error("verified after its expiry")
	}
}

func TestGenerateDefaults(t *testing.T) {
	_, _, c := Generate(Options{})
	if len(c.Leaf.IPAddresses) != 2 || len(c.Leaf.DNSNames) != 1 || c.Leaf.DNSNames[0] != "localhost" {
		t.Errorf("SANs %v %v, want 127.0.0.1, ::1 and localhost", c.Leaf.IPAddresses, c.Leaf.DNSNames)
	}
	if d := c.Leaf.NotAfter.Sub(c.Leaf.NotBefore); d != 365*24*time.Hour {
		t.Errorf("valid for %v, want a year", d)
	}
	if c.Leaf.IsCA {
		t.Error("a leaf by default is a CA")
	}
}

func countPEM(b []byte) int {
	n := 0
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return n
		}
		n++
	}
}
