package check

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// plainText is the one-line message for a failure of the given class:
// what happened, where, in words. Go's error text never is one; it goes
// to Result.Detail.
func plainText(class string, err error) string {
	addr := engine.Sanitize(opAddr(err), 100)
	at := ""
	if addr != "" {
		at = " " + addr
	}
	switch class {
	case ClassRefused:
		return "nothing accepts connections on" + orTarget(at) + " (connection refused)"
	case ClassReset:
		return "the connection to" + orTarget(at) + " was reset"
	case ClassEOF:
		return "the server closed the connection without a complete answer"
	case ClassUnreachable:
		return "there is no route to" + orTarget(at)
	case ClassDNSNXDomain:
		return fmt.Sprintf("the name %s does not exist (NXDOMAIN)", dnsName(err))
	case ClassDNSError:
		var de *net.DNSError
		if errors.As(err, &de) && de.IsTimeout {
			return fmt.Sprintf("the resolver did not answer for %s in time", dnsName(err))
		}
		return fmt.Sprintf("the name %s could not be resolved", dnsName(err))
	case ClassBadResponse:
		return "the server's answer is not valid HTTP"
	case ClassTimeout:
		return "no answer within the timeout"
	case ClassCanceled:
		return "the check was stopped before it finished"
	case ClassTLSHandshake:
		return handshakeText(err, "", false)
	case ClassICMPNotPermitted:
		return "this machine lets upbeat open neither an unprivileged ping socket " +
			"(allow its group in sysctl net.ipv4.ping_group_range) nor a raw one (needs root or CAP_NET_RAW)"
	case ClassRedirectLoop, ClassTooManyRedirects:
		return errorText(err) // upbeat's own text
	case ClassRedirectPrivate:
		var pe *privateAddrError
		if errors.As(err, &pe) {
			return pe.Error() + " (allow_private_redirects permits it)"
		}
		return ErrRedirectPrivate.Error() + ", refused"
	case ClassTLSExpired, ClassTLSNotYetValid, ClassTLSHostname, ClassTLSUnknownCA:
		return "the server's certificate was not accepted"
	}
	return "the check failed in a way upbeat has no class for (the detail has the error)"
}

func orTarget(at string) string {
	if at == "" {
		return " the target"
	}
	return at
}

// opAddr is the address a network error is about, if it says.
func opAddr(err error) string {
	var op *net.OpError
	if errors.As(err, &op) && op.Addr != nil {
		return op.Addr.String()
	}
	return ""
}

func dnsName(err error) string {
	var de *net.DNSError
	if errors.As(err, &de) && de.Name != "" {
		return engine.Sanitize(de.Name, 100)
	}
	return "of the target"
}

// budget is how long the check could wait: from start to ctx's deadline,
// rounded for a message ("10s", "400ms").
func budget(ctx context.Context, start time.Time) string {
	dl, ok := ctx.Deadline()
	if !ok {
		return noDeadline.String()
	}
	d := dl.Sub(start)
	switch {
	case d >= 10*time.Second:
		d = d.Round(time.Second)
	case d >= time.Second:
		d = d.Round(100 * time.Millisecond)
	case d >= 100*time.Millisecond:
		// The deadline was set a moment before the check took its start:
		// 299.4ms is the 300ms timeout.
		d = d.Round(10 * time.Millisecond)
	default:
		d = d.Round(time.Millisecond)
	}
	return d.String()
}

// connectTimeout fills r for a connection that did not open in time.
func connectTimeout(ctx context.Context, r *monitor.Result, start time.Time, addr string, err error) {
	fail(r, ClassConnectTimeout, fmt.Sprintf("no TCP connection to %s within %s: the connection request went unanswered",
		orAddr(addr), budget(ctx, start)))
	setDetail(r, err)
}

// tlsTimeout fills r for a handshake that did not finish in time.
func tlsTimeout(ctx context.Context, r *monitor.Result, start time.Time, addr string, err error) {
	fail(r, ClassTLSTimeout, fmt.Sprintf("connected to %s, but the TLS handshake did not finish within %s",
		orAddr(addr), budget(ctx, start)))
	setDetail(r, err)
}

func orAddr(addr string) string {
	if addr == "" {
		return "the target"
	}
	return engine.Sanitize(addr, 100)
}

// dialFailure fills r for a failed dial (tcp:// and tls:// checks): a
// timeout while connecting is a connect_timeout.
func dialFailure(ctx context.Context, r *monitor.Result, start time.Time, addr string, err error) {
	if Classify(err) == ClassTimeout {
		connectTimeout(ctx, r, start, addr, err)
		return
	}
	failErr(r, err)
}
