// Package check holds one engine.Checker per kind of monitor: http.go,
// tls.go, tcp.go, icmp.go, dns.go and domain.go, and for the services
// behind a site grpc.go, ws.go, postgres.go, mysql.go, redis.go and
// smtp.go (what those share is in service.go), found through the map
// that New returns. request.go makes HTTP requests the way a monitor asks
// (protocol version, credentials, client certificate, proxy, pinned
// addresses); private.go keeps a redirect from leading a check out of a
// public site into an internal network; trust.go and messages.go put
// failures in plain words, with the library's own text kept as
// Result.Detail.
//
// As in blackbox_exporter's prober, the caller owns the timeout (the
// context's deadline) and the stopwatch: a checker only probes, returns
// when the context is done, never retries, and fills in Status, Code,
// Class, Error, Latency, Phases and whatever its kind knows. Every failure
// gets a class from Classify (or a kind-specific one) that the knowledge
// base explains; everything the target sent is passed through
// engine.Sanitize before it lands in a Result.
//
// Things built from a monitor's configuration (trust pools, HTTP
// transports, compiled jq queries) are built once and cached, keyed by
// their content, so a check allocates little more than a bare net/http
// request does.
package check

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"os"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Defaults for monitor fields left at zero. The config loader normally
// applies its own defaults first; these keep a bare Monitor usable.
// MaxRedirects and CertWarnDays have none: zero follows no redirect and
// gives no expiry warning, as 0 does in the config file.
const (
	// DefaultRDAPBootstrap is IANA's RDAP bootstrap registry for domain names.
	DefaultRDAPBootstrap = "https://data.iana.org/rdap/dns.json"
	// DefaultRDAPBootstrapTTL is how long the bootstrap registry is cached.
	DefaultRDAPBootstrapTTL = 24 * time.Hour
	// DefaultUserAgent is sent by HTTP checks that set no User-Agent header.
	DefaultUserAgent = "upbeat (uptime check)"
	// maxError is the most runes of an error message kept in a Result.
	maxError = 300
	// noDeadline is the timeout used when a context carries no deadline, so
	// that a check can never hang forever.
	noDeadline = 30 * time.Second
)

// Dialer opens network connections; *net.Dialer is one. Tests and the
// demo inject their own.
type Dialer interface {
	// DialContext connects to address on the named network ("tcp", "udp").
	DialContext(ctx context.Context, network, address string) (net.Conn, error)
}

// Options are the injectable parts of the checkers. The zero value is
// ready for production use.
type Options struct {
	// Dialer opens every connection. Default: a net.Dialer using Resolver.
	// With a net.Dialer, HTTP, TCP and TLS checks report the DNS phase.
	Dialer Dialer
	// Resolver resolves names for the default Dialer and for ICMP checks.
	// Default: net.DefaultResolver.
	Resolver *net.Resolver
	// DNSServer ("host:port") answers dns:// checks whose URL names no
	// resolver (dns:///example.com). Default: the first nameserver in
	// /etc/resolv.conf.
	DNSServer string
	// Now is the wall clock used for certificate verification and for the
	// days left before a certificate or domain expires. Default: time.Now.
	Now func() time.Time
	// RootCAs replaces the system trust pool (which honours SSL_CERT_FILE
	// and SSL_CERT_DIR) for HTTPS, TLS and RDAP checks; a monitor's
	// ca_file is added to it. Nil: the system pool.
	RootCAs *x509.CertPool
	// RDAPBootstrapURL is where the RDAP bootstrap registry for domain
	// names is fetched. Default: DefaultRDAPBootstrap.
	RDAPBootstrapURL string
	// RDAPBootstrapTTL is how long the fetched registry is used before it is
	// fetched again. Default: DefaultRDAPBootstrapTTL.
	RDAPBootstrapTTL time.Duration
	// UserAgent is sent by HTTP and RDAP requests that set none.
	// Default: DefaultUserAgent.
	UserAgent string

	// public tells which addresses count as public for the rule against
	// redirects into internal services (private.go). Default: publicAddr.
	// Tests set it, since everything they can reach is on loopback.
	public func(netip.Addr) bool
}

// New returns one checker per kind of monitor (push has none: the engine
// handles it). The checkers share caches and are safe for concurrent use.
func New(opts Options) map[monitor.Kind]engine.Checker {
	b := newBase(opts)
	return map[monitor.Kind]engine.Checker{
		monitor.KindHTTP:   &HTTP{b: b},
		monitor.KindTLS:    &TLS{b: b},
		monitor.KindTCP:    &TCP{b: b},
		monitor.KindICMP:   &ICMP{b: b},
		monitor.KindDNS:    &DNS{b: b},
		monitor.KindDomain: newDomain(b),
		// The services behind a site (service.go).
		monitor.KindGRPC:     &GRPC{b: b},
		monitor.KindWS:       &WS{b: b},
		monitor.KindPostgres: &Postgres{b: b},
		monitor.KindMySQL:    &MySQL{b: b},
		monitor.KindRedis:    &Redis{b: b},
		monitor.KindSMTP:     &SMTP{b: b},
	}
}

// base is what every checker shares: the options, with defaults applied,
// and the caches of things built from configuration.
type base struct {
	dialer    Dialer
	netDialer bool // dialer is a *net.Dialer: DNS and connect phases are traced
	resolver  *net.Resolver
	dnsServer string
	now       func() time.Time
	roots     *x509.CertPool
	userAgent string
	uaHeader  []string // userAgent as a header value, shared read-only by requests
	rdapURL   string
	rdapTTL   time.Duration
	public    func(netip.Addr) bool // the addresses that count as public (private.go)
	guarded   *net.Dialer           // dialer asking the guard before each attempt; nil unless dialer is a *net.Dialer

	pools      sync.Map // caKey → *poolEntry: trust pools with a ca_file added
	transports sync.Map // transportKey → *http.Transport
	queries    sync.Map // string → *gojq.Code
	regexps    sync.Map // string → *regexp.Regexp: expect_body_regex, expect_headers
	issuers    sync.Map // AIA URL → fetchedIssuer
	clients    sync.Map // clientKey → *clientEntry: client certificates
	tokens     sync.Map // oauth2Key → *tokenEntry: OAuth2 tokens while they last
}

func newBase(o Options) *base {
	b := &base{
		dialer:    o.Dialer,
		resolver:  o.Resolver,
		dnsServer: o.DNSServer,
		now:       o.Now,
		roots:     o.RootCAs,
		userAgent: o.UserAgent,
		rdapURL:   o.RDAPBootstrapURL,
		rdapTTL:   o.RDAPBootstrapTTL,
		public:    o.public,
	}
	if b.resolver == nil {
		b.resolver = net.DefaultResolver
	}
	if b.dialer == nil {
		b.dialer = &net.Dialer{Resolver: b.resolver}
	}
	if nd, ok := b.dialer.(*net.Dialer); ok {
		// Redirects into internal services are refused before the
		// connection is attempted (private.go).
		b.guarded, b.netDialer = guardedDialer(nd), true
	}
	if b.public == nil {
		b.public = publicAddr
	}
	if b.now == nil {
		b.now = time.Now
	}
	if b.userAgent == "" {
		b.userAgent = DefaultUserAgent
	}
	b.uaHeader = []string{b.userAgent}
	if b.rdapURL == "" {
		b.rdapURL = DefaultRDAPBootstrap
	}
	if b.rdapTTL <= 0 {
		b.rdapTTL = DefaultRDAPBootstrapTTL
	}
	return b
}

// caKey identifies one version of a ca_file, so an edited file is read
// again without a restart.
type caKey struct {
	path  string
	mtime time.Time
	size  int64
}

type poolEntry struct {
	once sync.Once
	pool *x509.CertPool
	err  error
}

// rootsFor returns the trust pool for a monitor: the base pool (the
// system's, or Options.RootCAs) with the monitor's ca_file added. A nil
// pool means the system pool.
func (b *base) rootsFor(m *monitor.Monitor) (*x509.CertPool, error) {
	if m.CAFile == "" {
		return b.roots, nil
	}
	fi, err := os.Stat(m.CAFile)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	key := caKey{path: m.CAFile, mtime: fi.ModTime(), size: fi.Size()}
	v, ok := b.pools.Load(key)
	if !ok {
		v, _ = b.pools.LoadOrStore(key, &poolEntry{})
	}
	e := v.(*poolEntry)
	e.once.Do(func() { e.pool, e.err = b.loadPool(m.CAFile) })
	return e.pool, e.err
}

func (b *base) loadPool(path string) (*x509.CertPool, error) {
	pem, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("ca_file: %w", err)
	}
	var pool *x509.CertPool
	if b.roots != nil {
		pool = b.roots.Clone()
	} else if pool, err = x509.SystemCertPool(); err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ca_file %s: %w", path, ErrNoCertificates)
	}
	return pool, nil
}

// ErrNoCertificates is reported when a ca_file holds no PEM certificate.
var ErrNoCertificates = errors.New("no PEM certificates found")

// parsedURL returns the monitor's URL, parsed once by the config loader or
// here for a monitor built by hand.
func parsedURL(m *monitor.Monitor) (*url.URL, error) {
	if m.Parsed != nil {
		return m.Parsed, nil
	}
	u, err := url.Parse(m.URL)
	if err != nil { // without the *url.Error around it, whose message holds the URL, userinfo and all
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("parse url: %w", err)
	}
	return u, nil
}

// withDeadline makes sure a check never runs without a deadline.
func withDeadline(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return ctx, func() {}
	}
	return context.WithTimeout(ctx, noDeadline)
}

// fail marks r down with a class and a sanitized message.
func fail(r *monitor.Result, class, msg string) {
	r.Status = monitor.StatusDown
	r.Class = class
	r.Error = engine.Sanitize(msg, maxError)
}

// maxBody is how many bytes of an answer a check reads: the monitor's
// max_body, or the default.
func maxBody(m *monitor.Monitor) int64 {
	if m.MaxBody > 0 {
		return m.MaxBody
	}
	return settings.DefaultMaxBody
}

// failErr marks r down with the class of err, a message in plain words
// (see plainText) and the error's own text as the Detail.
func failErr(r *monitor.Result, err error) {
	class := Classify(err)
	fail(r, class, plainText(class, err))
	setDetail(r, err)
}

// degrade marks an up result degraded; a down one stays down.
func degrade(r *monitor.Result, class, msg string) {
	if r.Status == monitor.StatusDown {
		return
	}
	if r.Status == monitor.StatusDegraded { // keep the first class, add the message
		r.Error = engine.Sanitize(r.Error+"; "+msg, maxError)
		return
	}
	r.Status = monitor.StatusDegraded
	r.Class = class
	r.Error = engine.Sanitize(msg, maxError)
}

// errorText is an error's message without the "Get "url": " prefix that
// net/http puts in front: the URL is in the result already.
func errorText(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// warnDays is the monitor's cert_warn_days with the default for zero; a
// negative value turns the warning off.
func warnDays(m *monitor.Monitor) int {
	if m.CertWarnDays == 0 {
		return -1 // cert_warn_days = 0: no warning (the loader fills in the default when the key is unset)
	}
	return m.CertWarnDays
}
