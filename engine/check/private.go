package check

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"time"
)

// A target must not be able to make the checker read an internal service
// for it: a public site that redirects to 127.0.0.1:6379 or to a cloud
// metadata address would otherwise have the answer fetched from inside
// and, through a failed expect_body, quoted in results, alerts and the
// API. So a redirect that leaves a public address for one that is not
// public is refused (redirect_private), unless the monitor sets
// allow_private_redirects. A monitor whose own URL is internal may go
// anywhere: the rule is about leaving the public class, not about
// internal addresses as such.
//
// The address is judged where the connection is made, not where the name
// is looked up, so a name that resolves to a public address first and to
// an internal one on the next lookup (DNS rebinding) is caught: with a
// *net.Dialer before the connection is attempted, with any other Dialer
// once it is open and before anything is sent on it. Through a proxy the
// checker never learns the address (the proxy resolves the name), so only
// addresses written as such in a redirect, and localhost, are refused.
//
// Two other requests go where a server, not the monitor, says: the "CA
// Issuers" URL (AIA) in the certificate of a server that sends an
// incomplete chain, which trust.go fetches to tell tls_incomplete_chain
// apart, and the redirects of an OAuth2 token endpoint (request.go). Both
// follow the same rule: an AIA URL is fetched, redirects included, only
// from public addresses when the monitor's own target is public (an
// internal site with an internal CA may name an internal URL), and a
// token endpoint on a public address may not redirect to an internal one;
// allow_private_redirects lifts both.

// ErrRedirectPrivate: a redirect led from a public address to one that is
// not public, and the monitor does not allow that.
var ErrRedirectPrivate = errors.New("redirect from a public address to a non-public one")

// privateAddrError is ErrRedirectPrivate with the address refused.
type privateAddrError struct {
	addr netip.Addr // invalid when the host is a name such as localhost
	host string
}

func (e *privateAddrError) Error() string {
	if e.addr.IsValid() {
		return "a redirect leads to " + e.addr.String() + ", " + addrKind(e.addr) + "; refused"
	}
	return "a redirect leads to " + e.host + ", this machine; refused"
}

// where names the address refused and its kind, for messages:
// "169.254.169.254, the cloud metadata address", "localhost (this machine)".
func (e *privateAddrError) where() string {
	if e.addr.IsValid() {
		return e.addr.String() + ", " + addrKind(e.addr)
	}
	return e.host + " (this machine)"
}

func (e *privateAddrError) Is(target error) bool { return target == ErrRedirectPrivate }

// nonPublicPrefixes are the ranges, besides those netip.Addr has methods
// for (loopback, private, link-local, multicast, unspecified), that lead
// to no public service.
var nonPublicPrefixes = []netip.Prefix{
	netip.MustParsePrefix("0.0.0.0/8"),      // "this network"
	cgnat,                                   // carrier-grade NAT (RFC 6598); some clouds' metadata
	netip.MustParsePrefix("192.0.0.0/24"),   // IETF protocol assignments; some clouds' metadata
	netip.MustParsePrefix("198.18.0.0/15"),  // network benchmarking
	netip.MustParsePrefix("240.0.0.0/4"),    // reserved, and the limited broadcast address
	netip.MustParsePrefix("::/96"),          // IPv4-compatible addresses (deprecated)
	netip.MustParsePrefix("100::/64"),       // discard-only
	netip.MustParsePrefix("64:ff9b:1::/48"), // local-use NAT64
	netip.MustParsePrefix("fec0::/10"),      // site-local (deprecated)
}

var (
	cgnat = netip.MustParsePrefix("100.64.0.0/10")
	// Prefixes whose addresses embed an IPv4 address that decides.
	nat64  = netip.MustParsePrefix("64:ff9b::/96") // the IPv4 address in the last 32 bits
	sixTo4 = netip.MustParsePrefix("2002::/16")    // the IPv4 address in bits 16 to 47
)

// publicAddr reports whether a reaches a public service: it is none of
// loopback, private (RFC 1918, IPv6 unique local fc00::/7), link-local
// (where cloud metadata services answer), carrier-grade NAT, unspecified,
// multicast or reserved.
func publicAddr(a netip.Addr) bool {
	a = a.Unmap().WithZone("")
	if !a.IsValid() || a.IsUnspecified() || a.IsLoopback() || a.IsPrivate() || a.IsLinkLocalUnicast() ||
		a.IsMulticast() || a.IsLinkLocalMulticast() || a.IsInterfaceLocalMulticast() {
		return false
	}
	if a.Is6() {
		b := a.As16()
		switch {
		case nat64.Contains(a):
			return publicAddr(netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}))
		case sixTo4.Contains(a):
			return publicAddr(netip.AddrFrom4([4]byte{b[2], b[3], b[4], b[5]}))
		}
	}
	for _, p := range nonPublicPrefixes {
		if p.Contains(a) {
			return false
		}
	}
	return true
}

// addrKind says in words what kind of non-public address a is.
func addrKind(a netip.Addr) string {
	a = a.Unmap().WithZone("")
	switch {
	case a.IsLoopback():
		return "a loopback address (this machine)"
	case a == netip.AddrFrom4([4]byte{169, 254, 169, 254}) || a == netip.MustParseAddr("fd00:ec2::254"):
		return "the cloud metadata address"
	case a.IsLinkLocalUnicast():
		return "a link-local address (where cloud metadata services answer)"
	case a.IsPrivate() && a.Is4():
		return "a private address (RFC 1918)"
	case a.IsPrivate():
		return "a unique local address (fc00::/7)"
	case a.IsUnspecified():
		return "the unspecified address (this machine)"
	case cgnat.Contains(a):
		return "a carrier-grade NAT address (100.64.0.0/10)"
	}
	return "not a public address"
}

// hostPublic judges a URL's host without resolving it: an address by its
// class, localhost as this machine, any other name as public.
func hostPublic(host string, public func(netip.Addr) bool) (netip.Addr, bool) {
	if a, err := netip.ParseAddr(host); err == nil {
		return a, public(a)
	}
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	return netip.Addr{}, h != "localhost" && !strings.HasSuffix(h, ".localhost")
}

// redirectGuard applies the rule to one request and the redirects that
// follow it; a monitor with allow_private_redirects gets none. It travels
// in the request's context (guardKey), so that the Transports and dialers
// shared by all monitors can find it.
type redirectGuard struct {
	public  func(netip.Addr) bool
	host    string // the configured URL's host name
	proxied bool   // connections go to a proxy: their addresses say nothing of the target

	mu     sync.Mutex
	origin netip.Addr // the address of the first connection
	armed  bool       // the chain has left a public origin: only public addresses may be dialled
}

type guardKey struct{}

func (b *base) newGuard(u *url.URL, proxied bool) *redirectGuard {
	g := &redirectGuard{}
	b.initGuard(g, u, proxied)
	return g
}

// initGuard sets up a guard in place (an HTTP check keeps its guard in its
// probe, saving an allocation).
func (b *base) initGuard(g *redirectGuard, u *url.URL, proxied bool) {
	g.public, g.host, g.proxied = b.public, u.Hostname(), proxied
}

func withGuard(ctx context.Context, g *redirectGuard) context.Context {
	return context.WithValue(ctx, guardKey{}, g)
}

func guardOf(ctx context.Context) *redirectGuard {
	g, _ := ctx.Value(guardKey{}).(*redirectGuard)
	return g
}

// redirect is called before a redirect to u is followed: it arms the
// guard when the chain started on a public address, and refuses u at once
// when its host is written as a non-public address (or is localhost).
func (g *redirectGuard) redirect(u *url.URL) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if !g.armed {
		if !g.originPublic() {
			return nil // an internal monitor: its redirects may stay inside
		}
		g.armed = true
	}
	if a, ok := hostPublic(u.Hostname(), g.public); !ok {
		return &privateAddrError{addr: a, host: u.Hostname()}
	}
	return nil
}

// originPublic reports whether the chain started on a public address:
// the first connection's, or, when that is unknown (a proxy, a dialer
// whose connections have no IP address), the configured host's. The
// caller holds g.mu, or is alone with g.
func (g *redirectGuard) originPublic() bool {
	if g.origin.IsValid() && !g.proxied {
		return g.public(g.origin)
	}
	_, ok := hostPublic(g.host, g.public)
	return ok
}

// targetPublic reports whether a check of the URL u began on a public
// address, judged as a redirect guard judges its origin: origin is the
// address the check's first connection reached (invalid when unknown),
// proxied says it reached a proxy.
func (b *base) targetPublic(u *url.URL, proxied bool, origin netip.Addr) bool {
	g := redirectGuard{public: b.public, host: u.Hostname(), proxied: proxied, origin: origin}
	return g.originPublic()
}

// startedPublic is originPublic under g's lock.
func (g *redirectGuard) startedPublic() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.originPublic()
}

// addrOf is the address of "host:port" when host is an IP address.
func addrOf(hostport string) netip.Addr {
	ap, err := netip.ParseAddrPort(hostport)
	if err != nil {
		return netip.Addr{}
	}
	return ap.Addr()
}

// issuerGuard is the guard for fetching a URL that a public target's
// certificate names (its AIA "CA Issuers" URL): armed from the start, as
// if the URL were a redirect the target sent, so that only public
// addresses are dialled, for the URL and any redirect it leads to. The
// fetch goes out directly, never through the monitor's proxy.
func (b *base) issuerGuard() *redirectGuard {
	return &redirectGuard{public: b.public, armed: true}
}

// guardRedirects is the CheckRedirect of a client making a request that
// is not the monitor's own (an AIA fetch, an OAuth2 token request): at
// most 10 redirects, as net/http's default, each judged by g.
func guardRedirects(g *redirectGuard) func(*http.Request, []*http.Request) error {
	return func(req *http.Request, via []*http.Request) error {
		if len(via) >= 10 {
			return errors.New("stopped after 10 redirects")
		}
		return g.redirect(req.URL)
	}
}

// dialing is called with every address a connection is attempted to.
func (g *redirectGuard) dialing(address string) error {
	if g.proxied {
		return nil
	}
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return nil // not an IP address: judged once connected
	}
	return g.judge(ap.Addr(), false)
}

// connected is called with every connection opened: it notes the first
// one's address as the origin, and refuses a non-public one once armed.
func (g *redirectGuard) connected(c net.Conn) error {
	if g.proxied {
		return nil
	}
	var a netip.Addr
	switch ra := c.RemoteAddr().(type) {
	case *net.TCPAddr:
		a, _ = netip.AddrFromSlice(ra.IP)
	case nil:
	default:
		if ap, err := netip.ParseAddrPort(ra.String()); err == nil {
			a = ap.Addr()
		}
	}
	if !a.IsValid() {
		return nil
	}
	return g.judge(a, true)
}

func (g *redirectGuard) judge(a netip.Addr, open bool) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.armed && !g.public(a) {
		return &privateAddrError{addr: a.Unmap()}
	}
	if open && !g.armed && !g.origin.IsValid() {
		g.origin = a
	}
	return nil
}

// dial connects through the base dialer, or, once the guard in ctx is
// armed, through the copy of it that asks the guard before each attempt:
// checks that follow no redirect into a public site's chain pay nothing
// for the hook.
func (b *base) dial(ctx context.Context, network, addr string) (net.Conn, error) {
	if b.guarded != nil {
		if g := guardOf(ctx); g != nil && g.isArmed() {
			return b.guarded.DialContext(ctx, network, addr)
		}
	}
	return b.dialer.DialContext(ctx, network, addr)
}

func (g *redirectGuard) isArmed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.armed
}

// dialBoundKey carries a *dialBound in a check's request context.
type dialBoundKey struct{}

// dialBound holds the request context it is carried in: dials made for
// the request use that context itself.
type dialBound struct{ ctx context.Context }

// withDialBound makes ctx, a check's request context (with every value
// the request needs), the context of the dials made for the request. An
// http.Transport dials on a context detached from the request's end, so
// that another request may use the connection; a check's connections
// serve it alone, and a dial to a target that drops SYNs would otherwise
// go on after the check, a socket and a goroutine kept through the
// kernel's two minutes of retries, a new one every interval. Dialing on
// the request's own context (which has the same values) ends the dial
// with the check at the cost of one value, where a context cancelled
// with the check cost four allocations a check.
func withDialBound(ctx context.Context) context.Context {
	b := &dialBound{}
	ctx = context.WithValue(ctx, dialBoundKey{}, b)
	b.ctx = ctx
	return ctx
}

// connGrace is how long after its check's deadline a check's connection
// is closed, when the transport has not closed it at the check's end.
const connGrace = time.Second

// guardedDial wraps dial so that every connection is judged by the guard
// of the context it is made in (none: not judged), and ends, dial and
// all, with the check it is made for (withDialBound).
func guardedDial(dial func(ctx context.Context, network, addr string) (net.Conn, error)) func(ctx context.Context, network, addr string) (net.Conn, error) {
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		b, bound := ctx.Value(dialBoundKey{}).(*dialBound)
		if bound {
			ctx = b.ctx
		}
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return conn, err
		}
		if g := guardOf(ctx); g != nil {
			if err := g.connected(conn); err != nil {
				conn.Close() // nothing was sent on it
				return nil, &net.OpError{Op: "dial", Net: network, Err: err}
			}
		}
		if d, ok := ctx.Deadline(); bound && ok {
			// What the transport does next on the connection (the TLS
			// handshake, a proxy's CONNECT) is on its own context, which
			// outlives the check: the connection, the check's alone, ends
			// with it. A moment after, so that the check's own end (its
			// context) is always what a timeout reports.
			conn.SetDeadline(d.Add(connGrace))
		}
		return conn, nil
	}
}

// guardedDialer returns a copy of d that asks the guard of the dial's
// context before each connection attempt, so that a refused address is
// never connected to.
func guardedDialer(d *net.Dialer) *net.Dialer {
	c := *d
	prevCtx, prev := d.ControlContext, d.Control
	c.Control = nil
	c.ControlContext = func(ctx context.Context, network, address string, rc syscall.RawConn) error {
		if g := guardOf(ctx); g != nil {
			if err := g.dialing(address); err != nil {
				return err
			}
		}
		switch {
		case prevCtx != nil:
			return prevCtx(ctx, network, address, rc)
		case prev != nil:
			return prev(network, address, rc)
		}
		return nil
	}
	return &c
}
