package check

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Certificate inspection shared by https:// and tls:// checks.
//
// Trust: the system pool (SSL_CERT_FILE and SSL_CERT_DIR work), or
// Options.RootCAs; a monitor's ca_file is ADDED to that pool, so a private
// CA can be trusted without losing the public ones. insecure = true skips
// chain and host-name verification, but the expiry dates of the
// certificates the server sent are still judged: an expired certificate is
// down even then.

// judgeCert fills r's certificate fields from a completed handshake and
// marks r down or degraded when the chain has expired or expires within
// the monitor's cert_warn_days. The expiry is the earliest one in the
// verified chain (when several chains verify, the one lasting longest).
func (b *base) judgeCert(r *monitor.Result, m *monitor.Monitor, st *tls.ConnectionState) {
	now := b.now()
	var exp time.Time
	var leaf *x509.Certificate
	if len(st.VerifiedChains) > 0 {
		exp, leaf = chainExpiry(st.VerifiedChains)
	} else if len(st.PeerCertificates) > 0 { // insecure: nothing was verified
		exp, leaf = earliest(st.PeerCertificates), st.PeerCertificates[0]
		r.CertUnverified = true // its dates are judged, but /metrics and the views say they are the server's word
		if now.Before(leaf.NotBefore) {
			setCertFacts(r, exp, leaf, now)
			fail(r, ClassTLSNotYetValid, notYetValidText(leaf))
			return
		}
	} else {
		return
	}
	setCertFacts(r, exp, leaf, now)
	switch w := warnDays(m); {
	case now.After(exp):
		fail(r, ClassTLSExpired, expiredText(leaf, exp, now))
	case w > 0 && r.CertDays < w:
		degrade(r, ClassTLSExpiring, fmt.Sprintf("certificate expires in %s (%s), under cert_warn_days %d",
			humanize.Count(r.CertDays, "day", "days"), exp.UTC().Format(time.DateOnly), w))
	}
}

// certFailure fills r from a failed certificate verification: the class,
// a message in plain words, the verifier's own text as the Detail, and
// the expiry facts of the certificates the server sent, marked unverified.
// It reports false when err is not a certificate problem. targetPublic
// says whether the check began on a public address: then the issuer's
// certificate is fetched from public addresses only (see trustFailure),
// unless the monitor allows private redirects.
func (b *base) certFailure(ctx context.Context, r *monitor.Result, m *monitor.Monitor, err error, targetPublic bool) bool {
	class := classifyCert(err)
	if class == "" {
		return false
	}
	now := b.now()
	var ve *tls.CertificateVerificationError
	var served []*x509.Certificate
	if errors.As(err, &ve) {
		served = ve.UnverifiedCertificates
	}
	if len(served) > 0 {
		setCertFacts(r, earliest(served), served[0], now)
		r.CertUnverified = true
	}
	var inv x509.CertificateInvalidError
	var host x509.HostnameError
	msg := "the certificate chain could not be verified"
	note := "" // added to the Detail
	switch {
	case class == ClassTLSExpired && errors.As(err, &inv) && inv.Cert != nil:
		msg = expiredText(inv.Cert, inv.Cert.NotAfter, now)
	case class == ClassTLSNotYetValid && errors.As(err, &inv) && inv.Cert != nil:
		msg = notYetValidText(inv.Cert)
	case class == ClassTLSHostname && errors.As(err, &host):
		msg = hostnameText(host)
	case class == ClassTLSUnknownCA:
		roots, _ := b.rootsFor(m)
		if targetPublic && !m.AllowPrivateRedirects {
			ctx = withGuard(ctx, b.issuerGuard())
		}
		class, msg, note = b.trustFailure(ctx, served, roots, now)
	case errors.As(err, &inv):
		msg = invalidText(inv)
	}
	fail(r, class, msg)
	setDetail(r, err)
	if note != "" {
		r.Detail = engine.Sanitize(r.Detail+"; "+note, maxDetail)
	}
	return true
}

func setCertFacts(r *monitor.Result, exp time.Time, leaf *x509.Certificate, now time.Time) {
	sum := sha256.Sum256(leaf.Raw)
	r.CertFingerprint = hex.EncodeToString(sum[:])
	r.CertExpiry = exp
	r.CertDays = monitor.DaysLeft(exp, now)
	r.CertIssuer = engine.Sanitize(issuerName(leaf), 200)
}

func expiredText(c *x509.Certificate, exp, now time.Time) string {
	return fmt.Sprintf("certificate %q expired on %s%s", subjectName(c), exp.UTC().Format(time.DateOnly), ago(exp, now))
}

// ago is " (N days ago)" for a time at least a day past, else "", with
// N as monitor.DaysLeft counts it (so it matches cert_days).
func ago(t, now time.Time) string {
	if d := -monitor.DaysLeft(t, now); d == 1 {
		return " (1 day ago)"
	} else if d > 1 {
		return fmt.Sprintf(" (%d days ago)", d)
	}
	return ""
}

func notYetValidText(c *x509.Certificate) string {
	return fmt.Sprintf("certificate %q is not valid before %s", subjectName(c), c.NotBefore.UTC().Format(time.RFC3339))
}

// chainExpiry returns, of the verified chains, the earliest expiry of the
// chain that lasts longest, and the leaf.
func chainExpiry(chains [][]*x509.Certificate) (time.Time, *x509.Certificate) {
	var best time.Time
	var leaf *x509.Certificate
	for _, chain := range chains {
		if len(chain) == 0 {
			continue
		}
		if e := earliest(chain); leaf == nil || e.After(best) {
			best, leaf = e, chain[0]
		}
	}
	return best, leaf
}

func earliest(certs []*x509.Certificate) time.Time {
	var t time.Time
	for i, c := range certs {
		if i == 0 || c.NotAfter.Before(t) {
			t = c.NotAfter
		}
	}
	return t
}

func issuerName(c *x509.Certificate) string {
	if c.Issuer.CommonName != "" {
		return c.Issuer.CommonName
	}
	if len(c.Issuer.Organization) > 0 {
		return c.Issuer.Organization[0]
	}
	return c.Issuer.String()
}

func subjectName(c *x509.Certificate) string {
	if c.Subject.CommonName != "" {
		return engine.Sanitize(c.Subject.CommonName, 100)
	}
	if len(c.DNSNames) > 0 {
		return engine.Sanitize(c.DNSNames[0], 100)
	}
	return engine.Sanitize(c.Subject.String(), 100)
}

// tlsConfig is the client configuration for a monitor (ServerName is left
// to the caller: net/http sets it per host).
func (b *base) tlsConfig(m *monitor.Monitor) (*tls.Config, error) {
	roots, err := b.rootsFor(m)
	if err != nil {
		return nil, err
	}
	cfg := &tls.Config{
		RootCAs:            roots,
		InsecureSkipVerify: m.Insecure, //nolint:gosec // the monitor asked for it; shown as such
		Time:               b.now,
	}
	if m.ClientCert != "" {
		cert, _, err := b.clientCert(m)
		if err != nil {
			return nil, err
		}
		cfg.Certificates = []tls.Certificate{*cert}
	}
	return cfg, nil
}

// newRootsConfig is a client configuration trusting the base pool only
// (for RDAP lookups).
func newRootsConfig(b *base) *tls.Config {
	return &tls.Config{RootCAs: b.roots, Time: b.now}
}
