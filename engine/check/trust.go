package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Telling certificate and handshake failures apart in words a person on
// call can act on. The TLS library's own text goes to Result.Detail only.

// maxDetail is the most runes of a Detail kept in a Result.
const maxDetail = 500

// setDetail keeps the library's text for an error as r.Detail.
func setDetail(r *monitor.Result, err error) {
	if err != nil {
		r.Detail = engine.Sanitize(errorText(err), maxDetail)
	}
}

// trustFailure names why a chain leads to no trusted root: the server's
// certificate signs itself; the server leaves out an intermediate (found
// through the certificate's Authority Information Access URL, as browsers
// do, and chaining to a trusted root); or the chain ends at a CA that is
// not trusted. The AIA URL is the server's choice: a redirect guard in
// ctx (private.go) keeps its fetch on public addresses, and when it
// refused one, note says so, for the result's Detail.
func (b *base) trustFailure(ctx context.Context, served []*x509.Certificate, roots *x509.CertPool, now time.Time) (class, msg, note string) {
	if len(served) == 0 {
		return ClassTLSUnknownCA, "the certificate chain leads to no trusted CA; if the CA is your own, add it with ca_file", ""
	}
	leaf := served[0]
	if selfSigned(leaf) {
		return ClassTLSSelfSigned, fmt.Sprintf("the certificate %q is self-signed and not trusted; "+
			"trust it with ca_file, or serve a certificate from a CA", subjectName(leaf)), ""
	}
	top := topOf(served)
	if selfSigned(top) {
		return ClassTLSUnknownCA, fmt.Sprintf("the chain ends at %q, a CA that is not trusted; if it is your own CA, add it with ca_file",
			subjectName(top)), ""
	}
	issuer := engine.Sanitize(issuerName(top), 100)
	up, refused := b.fetchIssuer(ctx, top)
	if refused != nil {
		note = "the issuer's certificate was not fetched from the AIA URL in the server's certificate: it leads from a public target to " +
			refused.where() + "; allow_private_redirects = true permits it"
	}
	if up != nil {
		if !selfSigned(up) {
			opts := x509.VerifyOptions{Roots: roots, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}
			if _, err := up.Verify(opts); err == nil {
				return ClassTLSIncomplete, fmt.Sprintf("the server does not send the intermediate certificate %q that signed %q; "+
					"browsers may fetch it, other clients fail: append it to the server's certificate file", issuer, subjectName(top)), note
			}
		}
	} else if len(top.IssuingCertificateURL) > 0 {
		return ClassTLSIncomplete, fmt.Sprintf("the server does not send the certificate of %q, the issuer of %q, "+
			"and it could not be fetched either: append it to the server's certificate file", issuer, subjectName(top)), note
	}
	return ClassTLSUnknownCA, fmt.Sprintf("%q is issued by %q, a CA that is not trusted; if it is your own CA, add it with ca_file",
		subjectName(top), issuer), note
}

// selfSigned reports whether c names itself as its issuer and its
// signature checks out with its own key (whether or not it may sign as a
// CA: an appliance's default certificate often may not).
func selfSigned(c *x509.Certificate) bool {
	return bytes.Equal(c.RawIssuer, c.RawSubject) && c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature) == nil
}

// topOf follows the served certificates from the leaf up, issuer by
// issuer, and returns the last one found: the one whose issuer is missing.
func topOf(served []*x509.Certificate) *x509.Certificate {
	cur := served[0]
	for range served {
		next := (*x509.Certificate)(nil)
		for _, c := range served {
			if c != cur && bytes.Equal(c.RawSubject, cur.RawIssuer) && cur.CheckSignatureFrom(c) == nil {
				next = c
				break
			}
		}
		if next == nil {
			break
		}
		cur = next
	}
	return cur
}

// issuerCacheTTL is how long a certificate fetched from an AIA URL is kept.
const issuerCacheTTL = 24 * time.Hour

type fetchedIssuer struct {
	cert *x509.Certificate
	at   time.Time
	// public: fetched under an armed guard, from public addresses only.
	// Only such a certificate is handed to a guarded fetch, so that what
	// a public target is told never depends on what an internal monitor
	// fetched before.
	public bool
}

// fetchIssuer downloads the certificate of c's issuer from c's AIA
// "CA Issuers" URL (plain http, as CAs publish them), within ctx's
// deadline, or returns nil, and the refusal of the guard in ctx when it
// kept a URL from being fetched. Found certificates are cached.
func (b *base) fetchIssuer(ctx context.Context, c *x509.Certificate) (*x509.Certificate, *privateAddrError) {
	guarded := guardOf(ctx) != nil
	var refused *privateAddrError
	for _, u := range c.IssuingCertificateURL {
		if !strings.HasPrefix(u, "http://") {
			continue
		}
		if v, ok := b.issuers.Load(u); ok {
			if f := v.(fetchedIssuer); time.Since(f.at) < issuerCacheTTL && (f.public || !guarded) {
				return f.cert, nil
			}
		}
		cert, err := b.getIssuer(ctx, u)
		if cert != nil {
			b.issuers.Store(u, fetchedIssuer{cert: cert, at: time.Now(), public: guarded})
			return cert, nil
		}
		var pe *privateAddrError
		if refused == nil && errors.As(err, &pe) {
			refused = pe
		}
	}
	return nil, refused
}

// getIssuer fetches and parses the certificate at u. With a guard in ctx,
// u is judged as a redirect the target sent: an address written in it at
// once, every address dialled for it or its redirects before connecting.
func (b *base) getIssuer(ctx context.Context, u string) (*x509.Certificate, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header["User-Agent"] = b.uaHeader
	tr := &http.Transport{DialContext: guardedDial(b.dial), DisableKeepAlives: true, MaxResponseHeaderBytes: 16 << 10}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 5 * time.Second}
	if g := guardOf(ctx); g != nil {
		if err := g.redirect(req.URL); err != nil {
			return nil, err
		}
		client.CheckRedirect = guardRedirects(g)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	der, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return nil, err
	}
	if blk, _ := pem.Decode(der); blk != nil {
		der = blk.Bytes
	}
	return x509.ParseCertificate(der)
}

// hostnameText says which names a certificate is for, and which was asked.
func hostnameText(h x509.HostnameError) string {
	c := h.Certificate
	if c == nil {
		return fmt.Sprintf("the certificate is not for %s", engine.Sanitize(h.Host, 100))
	}
	names := append([]string(nil), c.DNSNames...)
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = []string{c.Subject.CommonName}
	}
	switch {
	case len(names) == 0:
		return fmt.Sprintf("the certificate names no host, so it is not for %s", engine.Sanitize(h.Host, 100))
	case len(names) > 4:
		names = append(names[:4], fmt.Sprintf("%d more", len(names)-4))
	}
	return engine.Sanitize(fmt.Sprintf("the certificate is for %s, not %s", strings.Join(names, ", "), h.Host), 300)
}

// invalidText explains a certificate the verifier rejected for a reason
// other than its dates.
func invalidText(inv x509.CertificateInvalidError) string {
	name := "a certificate in the chain"
	if inv.Cert != nil {
		name = fmt.Sprintf("the certificate %q", subjectName(inv.Cert))
	}
	switch inv.Reason {
	case x509.NotAuthorizedToSign:
		return name + " signs another one without being a CA"
	case x509.IncompatibleUsage:
		return name + " is not meant for TLS servers (its extended key usage)"
	case x509.CANotAuthorizedForThisName, x509.CANotAuthorizedForExtKeyUsage:
		return name + " is signed by a CA that may not issue it (name constraints)"
	case x509.TooManyIntermediates, x509.TooManyConstraints:
		return "the certificate chain is too long or too complex to verify"
	case x509.NameMismatch:
		return name + " does not name its issuer correctly"
	}
	return name + " is not valid"
}

// TLS alert numbers (RFC 8446 §6) worth a sentence of their own.
const (
	alertHandshakeFailure  = 40
	alertBadCertificate    = 42
	alertProtocolVersion   = 70
	alertUnrecognizedName  = 112
	alertCertRequired      = 116
	alertNoApplicationProt = 120
)

// remoteAlert returns the TLS alert the server ended the handshake with.
// crypto/tls reports it as a *net.OpError "remote error" around a value
// of its own unexported alert type, a uint8.
func remoteAlert(err error) (uint8, bool) {
	var op *net.OpError
	if !errors.As(err, &op) || op.Op != "remote error" || op.Err == nil {
		return 0, false
	}
	if v := reflect.ValueOf(op.Err); v.Kind() == reflect.Uint8 {
		return uint8(v.Uint()), true
	}
	return 0, false
}

func isRemoteAlert(err error) bool {
	_, ok := remoteAlert(err)
	return ok
}

// handshakeText says in plain words why a handshake failed that was not a
// certificate problem.
func handshakeText(err error, host string, clientCert bool) string {
	if a, ok := remoteAlert(err); ok {
		switch a {
		case alertCertRequired, alertBadCertificate:
			if !clientCert {
				return "the server requires a client certificate; set client_cert and client_key"
			}
			return "the server did not accept the client certificate (client_cert)"
		case alertHandshakeFailure:
			if !clientCert {
				return "the server refused the TLS handshake: no cipher in common, or it wants a client certificate"
			}
			return "the server refused the TLS handshake: no cipher in common, or it rejects the client certificate"
		case alertProtocolVersion:
			return "the server speaks none of the TLS versions upbeat offers (1.2 and 1.3)"
		case alertUnrecognizedName:
			return fmt.Sprintf("the server does not serve the host name %s (SNI)", engine.Sanitize(host, 100))
		case alertNoApplicationProt:
			return "the server speaks none of the application protocols offered (ALPN)"
		}
		var op *net.OpError
		errors.As(err, &op)
		return fmt.Sprintf("the server ended the TLS handshake with the alert %q", strings.TrimPrefix(op.Err.Error(), "tls: "))
	}
	var rh tls.RecordHeaderError
	switch {
	case errors.As(err, &rh):
		return "the server did not answer in TLS: is the port plain HTTP, or another protocol?"
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return "the server closed the connection during the TLS handshake"
	}
	switch Classify(err) {
	case ClassReset:
		return "the server reset the connection during the TLS handshake"
	}
	return "the TLS handshake failed"
}
