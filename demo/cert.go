package demo

import (
	"crypto/tls"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testcert"
)

// certLife is how long the demo's TLS certificate is valid: a few days,
// well under the demo monitor's cert_warn_days, so the monitor is degraded.
const certLife = 5 * 24 * time.Hour

// demoCerts is a throwaway CA and a leaf it signed for 127.0.0.1, ::1 and
// localhost.
type demoCerts struct {
	caPEM    []byte          // the CA alone: what the monitor trusts
	leaf     tls.Certificate // leaf then CA, with the leaf's key
	notAfter time.Time       // the leaf's expiry: the earliest in the chain
}

// newCerts makes a CA valid for ten years and a leaf that expires
// certLife after now. The server sends the CA with the leaf, so a client
// that trusts the CA verifies the whole chain, and the earliest expiry in
// the verified chain is the leaf's.
func newCerts(now time.Time) *demoCerts {
	clock := func() time.Time { return now }
	caPEM, _, ca := testcert.Generate(testcert.Options{
		IsCA:       true,
		CommonName: "upbeat demo CA",
		ValidFor:   10 * 365 * 24 * time.Hour,
		Now:        clock,
	})
	_, _, leaf := testcert.Generate(testcert.Options{
		CommonName: "auth.demo.localhost",
		NotAfter:   now.Add(certLife),
		Parent:     &ca,
		Now:        clock,
	})
	return &demoCerts{caPEM: caPEM, leaf: leaf, notAfter: now.Add(certLife)}
}
