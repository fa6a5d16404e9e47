package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"syscall"
	"testing"
	"time"
)

func TestClassify(t *testing.T) {
	op := func(e error) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: os.NewSyscallError("connect", e)}
	}
	wrapURL := func(e error) error { return &url.Error{Op: "Get", URL: "http://x", Err: e} }
	cert := &x509.Certificate{NotBefore: time.Now().Add(time.Hour), NotAfter: time.Now().Add(2 * time.Hour)}
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"nil", nil, ""},
		{"refused", wrapURL(op(syscall.ECONNREFUSED)), ClassRefused},
		{"reset", op(syscall.ECONNRESET), ClassReset},
		{"broken pipe", op(syscall.EPIPE), ClassReset},
		{"host unreachable", op(syscall.EHOSTUNREACH), ClassUnreachable},
		{"network unreachable", wrapURL(op(syscall.ENETUNREACH)), ClassUnreachable},
		{"deadline", wrapURL(context.DeadlineExceeded), ClassTimeout},
		{"i/o timeout", op(os.ErrDeadlineExceeded), ClassTimeout},
		{"canceled", context.Canceled, ClassCanceled},
		{"nxdomain", &net.DNSError{Err: "no such host", Name: "x", IsNotFound: true}, ClassDNSNXDomain},
		{"dns timeout", &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}, ClassDNSError},
		{"dns servfail", &net.DNSError{Err: "server misbehaving", Name: "x"}, ClassDNSError},
		{"eof", wrapURL(io.EOF), ClassEOF},
		{"unexpected eof", fmt.Errorf("read body: %w", io.ErrUnexpectedEOF), ClassEOF},
		{"malformed", errors.New(`net/http: HTTP/1.x transport connection broken: malformed HTTP response "SSH-2.0"`), ClassBadResponse},
		{"spoke first", errors.New("readLoopPeekFailLocked: <nil>"), ClassBadResponse},
		{"redirect loop", wrapURL(ErrRedirectLoop), ClassRedirectLoop},
		{"too many redirects", wrapURL(ErrTooManyRedirects), ClassTooManyRedirects},
		{"icmp", fmt.Errorf("%w: nope", ErrICMPNotPermitted), ClassICMPNotPermitted},
		{"expired", &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired,
			Detail: "current time 2030-01-01T00:00:00Z is after 2029-01-01T00:00:00Z"}}, ClassTLSExpired},
		{"not yet valid", &tls.CertificateVerificationError{Err: x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired,
			Detail: "current time 2020-01-01T00:00:00Z is before 2029-01-01T00:00:00Z"}}, ClassTLSNotYetValid},
		{"not yet valid without detail", x509.CertificateInvalidError{Cert: cert, Reason: x509.Expired}, ClassTLSNotYetValid},
		{"hostname", wrapURL(&tls.CertificateVerificationError{Err: x509.HostnameError{Certificate: cert, Host: "h"}}), ClassTLSHostname},
		{"unknown authority", &tls.CertificateVerificationError{Err: x509.UnknownAuthorityError{}}, ClassTLSUnknownCA},
		{"other cert problem", x509.CertificateInvalidError{Reason: x509.NotAuthorizedToSign}, ClassTLSHandshake},
		{"alert", tls.AlertError(40), ClassTLSHandshake},
		{"not tls", tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}, ClassTLSHandshake},
		{"other", errors.New("something odd"), ClassError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Classify(tt.err); got != tt.want {
				t.Errorf("Classify(%v) = %q, want %q", tt.err, got, tt.want)
			}
		})
	}
}

func TestHandshakeClass(t *testing.T) {
	for _, tt := range []struct {
		err  error
		want string
	}{
		{io.EOF, ClassTLSHandshake},
		{op2(syscall.ECONNRESET), ClassTLSHandshake},
		{context.DeadlineExceeded, ClassTimeout},
		{x509.UnknownAuthorityError{}, ClassTLSUnknownCA},
	} {
		if got := handshakeClass(tt.err); got != tt.want {
			t.Errorf("handshakeClass(%v) = %q, want %q", tt.err, got, tt.want)
		}
	}
}

func op2(e error) error {
	return &net.OpError{Op: "read", Net: "tcp", Err: os.NewSyscallError("read", e)}
}

func TestClassesUnique(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Classes() {
		if c == "" || seen[c] {
			t.Errorf("class %q empty or listed twice", c)
		}
		seen[c] = true
	}
}
