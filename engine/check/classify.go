package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"os"
	"strings"
	"syscall"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
)

// The failure classes the checkers report. Each is a stable identifier the
// knowledge base explains; http_NNN classes (http_502, …) are made from
// the status code and are not listed here.
const (
	ClassTimeout          = "timeout"               // the deadline passed before the target answered
	ClassRefused          = "refused"               // nothing listens on the port
	ClassUnreachable      = "unreachable"           // no route to the host or network
	ClassReset            = "reset"                 // the peer reset the connection
	ClassEOF              = "eof"                   // the server closed the connection without an answer
	ClassBadResponse      = "bad_response"          // the answer is not valid HTTP
	ClassDNSNXDomain      = "dns_nxdomain"          // the name does not exist
	ClassDNSError         = "dns_error"             // the name could not be resolved (timeout, SERVFAIL, …)
	ClassDNSServfail      = "dns_servfail"          // dns://: the resolver answered SERVFAIL
	ClassDNSRcode         = "dns_rcode"             // dns://: another error rcode (REFUSED, FORMERR, …)
	ClassDNSNoAnswer      = "dns_no_answer"         // dns://: NOERROR, but no record of the asked type
	ClassDNSMismatch      = "dns_answer_mismatch"   // dns://: no answer holds the expected value
	ClassTLSExpired       = "tls_expired"           // a certificate in the chain has expired
	ClassTLSNotYetValid   = "tls_not_yet_valid"     // a certificate in the chain is not valid yet
	ClassTLSHostname      = "tls_hostname"          // the certificate is for another name
	ClassTLSUnknownCA     = "tls_unknown_authority" // the chain does not lead to a trusted root
	ClassTLSHandshake     = "tls_handshake"         // the TLS handshake failed otherwise
	ClassTLSExpiring      = "tls_expiring"          // degraded: the certificate expires within cert_warn_days
	ClassRedirectLoop     = "redirect_loop"         // a redirect leads back to a URL already visited
	ClassTooManyRedirects = "too_many_redirects"    // more redirects than max_redirects
	ClassBodyMismatch     = "body_mismatch"         // expect_body not found in the body
	ClassJSONAssertion    = "json_assertion"        // an expect_json expression is not true
	ClassJSONInvalid      = "json_invalid"          // expect_json set, but the body is not JSON
	ClassSlow             = engine.ClassSlow        // degraded: slower than max_latency (judged by the engine)
	ClassICMPNotPermitted = "icmp_not_permitted"    // the OS allows neither kind of ping socket
	ClassPacketLoss       = "packet_loss"           // degraded: some pings got no reply
	ClassDomainExpiring   = "domain_expiring"       // degraded: the registration expires within cert_warn_days
	ClassDomainExpired    = "domain_expired"        // the registration has expired
	ClassRDAPError        = "rdap_error"            // the registration data could not be fetched
	ClassRDAPNotFound     = "rdap_not_found"        // the registry does not know the domain
	ClassRDAPNoExpiry     = "rdap_no_expiry"        // degraded: the registry publishes no expiry date
	ClassConfig           = "config"                // the monitor's own settings are unusable (bad URL, ca_file, …)
	ClassCanceled         = "canceled"              // the check was stopped before it finished
	ClassError            = "error"                 // none of the above
)

// Classes of issue 10: timeouts named by the phase that ran out of time,
// certificate trust told apart, and the request features.
const (
	ClassConnectTimeout = "connect_timeout"          // no TCP connection within the timeout (the SYN went unanswered)
	ClassTLSTimeout     = "tls_timeout"              // connected, but the TLS handshake did not finish in time
	ClassBodyTimeout    = "body_timeout"             // the headers came, the body did not finish in time
	ClassTLSSelfSigned  = "tls_self_signed"          // the server's certificate signs itself and is not trusted
	ClassTLSIncomplete  = "tls_incomplete_chain"     // the server does not send an intermediate its chain needs
	ClassJSONNotBoolean = "json_assertion_invalid"   // an expect_json expression gave a value that is not true or false
	ClassHTTPVersion    = "unsupported_http_version" // the server cannot speak the http_version the monitor requires
	ClassHeaderMismatch = "header_mismatch"          // an expect_headers header is missing or does not match
	ClassOAuth2         = "oauth2_error"             // no OAuth2 token could be had from the token endpoint
	ClassProxy          = "proxy_error"              // the proxy could not be reached or refused the tunnel
)

// ClassRedirectPrivate (issue 14): a redirect led from a public address to
// a loopback, link-local or private one, and the monitor does not set
// allow_private_redirects (private.go).
const ClassRedirectPrivate = "redirect_private"

// Classes lists every class a checker can report besides http_NNN, so the
// knowledge base can be tested to explain them all.
func Classes() []string {
	return []string{
		ClassTimeout, ClassRefused, ClassUnreachable, ClassReset, ClassEOF, ClassBadResponse,
		ClassDNSNXDomain, ClassDNSError, ClassDNSServfail, ClassDNSRcode, ClassDNSNoAnswer, ClassDNSMismatch,
		ClassTLSExpired, ClassTLSNotYetValid, ClassTLSHostname, ClassTLSUnknownCA, ClassTLSHandshake, ClassTLSExpiring,
		ClassRedirectLoop, ClassTooManyRedirects, ClassBodyMismatch, ClassJSONAssertion, ClassJSONInvalid, ClassSlow,
		ClassICMPNotPermitted, ClassPacketLoss,
		ClassDomainExpiring, ClassDomainExpired, ClassRDAPError, ClassRDAPNotFound, ClassRDAPNoExpiry,
		ClassConfig, ClassCanceled, ClassError,
		ClassConnectTimeout, ClassTLSTimeout, ClassBodyTimeout, ClassTLSSelfSigned, ClassTLSIncomplete,
		ClassJSONNotBoolean, ClassHTTPVersion, ClassHeaderMismatch, ClassOAuth2, ClassProxy,
		ClassRedirectPrivate,
	}
}

// Errors the checkers produce themselves; Classify knows them.
var (
	// ErrRedirectLoop: a redirect pointed back to a URL already requested.
	ErrRedirectLoop = errors.New("redirect loop")
	// ErrTooManyRedirects: the redirect chain is longer than max_redirects.
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrICMPNotPermitted: neither an unprivileged nor a raw ICMP socket
	// could be opened.
	ErrICMPNotPermitted = errors.New("icmp not permitted")
)

// Classify turns an error from a probe into a failure class. It looks
// through wrapping (url.Error, net.OpError, os.SyscallError, …) and
// returns "" for nil and ClassError when nothing more specific applies.
// Certificate problems are told apart as precisely as the verifier
// allows: expired, not yet valid, wrong host, unknown authority.
func Classify(err error) string {
	if err == nil {
		return ""
	}
	switch {
	case errors.Is(err, ErrRedirectLoop):
		return ClassRedirectLoop
	case errors.Is(err, ErrTooManyRedirects):
		return ClassTooManyRedirects
	case errors.Is(err, ErrRedirectPrivate):
		return ClassRedirectPrivate
	case errors.Is(err, ErrICMPNotPermitted):
		return ClassICMPNotPermitted
	}
	if c := classifyCert(err); c != "" {
		return c
	}

	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return ClassDNSNXDomain
		}
		return ClassDNSError
	}

	switch {
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded):
		return ClassTimeout
	case errors.Is(err, context.Canceled):
		return ClassCanceled
	case errors.Is(err, syscall.ECONNREFUSED):
		return ClassRefused
	case errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNABORTED), errors.Is(err, syscall.EPIPE):
		return ClassReset
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EHOSTDOWN), errors.Is(err, syscall.ENETDOWN), errors.Is(err, syscall.EADDRNOTAVAIL):
		return ClassUnreachable
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		return ClassEOF
	}

	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return ClassTimeout
	}
	var rh tls.RecordHeaderError
	var alert tls.AlertError
	if errors.As(err, &rh) || errors.As(err, &alert) {
		return ClassTLSHandshake
	}
	if s := err.Error(); strings.Contains(s, "malformed HTTP") || strings.Contains(s, "bad HTTP response") ||
		strings.Contains(s, "readLoopPeekFailLocked") { // the server spoke before it was asked
		return ClassBadResponse
	}
	return ClassError
}

// classifyCert returns the class of a certificate verification error, or
// "" when err is not one.
func classifyCert(err error) string {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) {
		if inv.Reason == x509.Expired {
			if inv.Cert != nil && notYetValid(inv) {
				return ClassTLSNotYetValid
			}
			return ClassTLSExpired
		}
		return ClassTLSHandshake
	}
	var host x509.HostnameError
	if errors.As(err, &host) {
		return ClassTLSHostname
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) {
		return ClassTLSUnknownCA
	}
	var ve *tls.CertificateVerificationError
	if errors.As(err, &ve) {
		return ClassTLSHandshake
	}
	return ""
}

// notYetValid tells "not yet valid" from "expired": both are x509.Expired.
// The verifier's detail names the time it compared against; failing that,
// compare with the clock.
func notYetValid(inv x509.CertificateInvalidError) bool {
	if strings.Contains(inv.Detail, "is before") {
		return true
	}
	if strings.Contains(inv.Detail, "is after") {
		return false
	}
	return time.Now().Before(inv.Cert.NotBefore)
}

// handshakeClass is the class of an error seen during a TLS handshake:
// timeouts and certificate problems keep their class, anything else (the
// peer closed, reset, sent an alert or not TLS at all) is tls_handshake.
func handshakeClass(err error) string {
	switch c := Classify(err); c {
	case ClassTimeout, ClassCanceled, ClassTLSExpired, ClassTLSNotYetValid, ClassTLSHostname, ClassTLSUnknownCA:
		return c
	default:
		return ClassTLSHandshake
	}
}
