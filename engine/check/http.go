package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/itchyny/gojq"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// HTTP checks http:// and https:// monitors: one request on a fresh
// connection, up to max_redirects redirects followed (none for zero), the
// body read up to max_body, and the status, body, JSON and latency judged.
// For https it also judges the certificate chain like a tls:// check.
//
// The monitor's headers go only to its own site: once a redirect leaves it
// (another host or port, or https downgraded to http), none of them is sent
// again, nor a Referer. A URL's userinfo is sent as basic auth but never
// shows in a Result.
//
// A redirect from a public address to an internal one is refused
// (redirect_private, see private.go) unless the monitor sets
// allow_private_redirects, and a body is quoted in a message only when it
// came from the monitor's own host: a target cannot have the checker read
// another service and show what it said.
type HTTP struct {
	b    *base
	bufs sync.Pool // *bytes.Buffer for bodies that must be kept
	// The Transports of monitors without a ca_file, trusting the base
	// pool, with and without verification.
	plain, insecure atomic.Pointer[http.Transport]
}

var _ engine.Checker = (*HTTP)(nil)

// Check performs one HTTP request for m.
func (h *HTTP) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	var req *http.Request
	r := h.check(ctx, m, &req)
	if m.BasicAuth != nil || m.BearerTokenFile != "" || m.OAuth2 != nil || m.Proxy != nil || len(m.Headers) > 0 {
		redact(&r, secretsOf(m, req))
	}
	return r
}

// check does the work of Check; it hands back the request it made, so
// that the credentials it carried can be kept out of the result.
func (h *HTTP) check(ctx context.Context, m *monitor.Monitor, out **http.Request) monitor.Result {
	var r monitor.Result
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	start := time.Now()

	p, req, u, tr, err := h.prepare(ctx, m, start)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	*out = req
	if m.BasicAuth != nil || m.BearerTokenFile != "" || m.OAuth2 != nil {
		if aerr := h.b.authorize(ctx, req, m, tr); aerr != nil {
			fail(&r, aerr.class, aerr.msg)
			r.Detail = engine.Sanitize(aerr.detail, maxDetail)
			r.Latency = time.Since(start)
			return r
		}
	}

	resp, err := p.client.Do(req)
	r.Remote = p.remote()
	if err != nil {
		if resp != nil { // CheckRedirect refused: resp is the last redirect
			r.Code = resp.StatusCode
		}
		p.failure(ctx, h.b, &r, m, u, err)
		r.Latency = time.Since(start)
		r.Phases = p.phasesNow()
		r.Redirects = p.followed
		return r
	}
	buf, n, err := h.readBody(p, resp, m)
	if buf != nil {
		defer h.bufs.Put(buf)
	}
	h.describe(&r, p, resp, m, start, n)
	h.judge(ctx, &r, p, resp, m, u, buf, n, err)
	return r // the engine judges max_latency, the same way for every kind
}

// prepare makes the probe and the request for m: the transport, the
// trace hooks that can fire, the redirect guard and the headers. An error
// is a mistake in the monitor's configuration.
func (h *HTTP) prepare(ctx context.Context, m *monitor.Monitor, start time.Time) (*httpProbe, *http.Request, *url.URL, *http.Transport, error) {
	if err := h.b.compileAll(m.ExpectJSON); err != nil {
		return nil, nil, nil, nil, err
	}
	tr, err := h.transport(m)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	u, err := parsedURL(m)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	p := &httpProbe{start: start, maxRedirects: m.MaxRedirects, headers: m.Headers, ua: h.b.uaHeader}
	// Hooks cost an allocation each: only those that can fire are set.
	p.trace = httptrace.ClientTrace{
		ConnectStart:         p.connectStart,
		ConnectDone:          p.connectDone,
		WroteRequest:         p.wroteRequest,
		GotFirstResponseByte: p.gotFirstByte,
	}
	if _, err := netip.ParseAddr(u.Hostname()); err != nil {
		p.trace.DNSStart, p.trace.DNSDone = p.dnsStart, p.dnsDone
	}
	if u.Scheme == "https" || m.Proxy != nil {
		p.trace.TLSHandshakeStart, p.trace.TLSHandshakeDone = p.tlsStart, p.tlsDone
	}
	p.client = http.Client{Transport: tr, CheckRedirect: p.checkRedirect}

	rctx := httptrace.WithClientTrace(ctx, &p.trace)
	if m.MaxRedirects > 0 && !m.AllowPrivateRedirects {
		h.b.initGuard(&p.guard, u, m.Proxy != nil)
		p.guarded = true
		rctx = withGuard(rctx, &p.guard)
	}
	if u.Scheme == "https" && m.ClientCert == "" {
		rctx = context.WithValue(rctx, probeKey{}, p) // to tell "the server asked for a client certificate"
	}
	req, err := h.newRequest(withDialBound(rctx), m, p)
	if err != nil {
		return nil, nil, nil, nil, err
	}
	return p, req, u, tr, nil
}

// newRequest is m's request with its method, body and headers.
func (h *HTTP) newRequest(ctx context.Context, m *monitor.Monitor, p *httpProbe) (*http.Request, error) {
	method := m.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if m.Body != "" {
		body = strings.NewReader(m.Body)
	}
	req, err := http.NewRequestWithContext(ctx, method, m.URL, body)
	if err != nil { // the message of a *url.Error holds the URL, userinfo and all
		return nil, errors.New("new request: " + errorText(err))
	}
	for k, v := range m.Headers {
		switch {
		case strings.EqualFold(k, "Host"):
			req.Host = v
		case strings.EqualFold(k, "Referer"):
			p.referer = true
			req.Header.Set(k, v)
		default:
			req.Header.Set(k, v)
		}
	}
	if _, ok := req.Header["User-Agent"]; !ok {
		req.Header["User-Agent"] = h.b.uaHeader // shared, read-only
	}
	return req, nil
}

// readBody reads the answer's body up to max_body: into a pooled buffer
// (the caller puts it back) when something will judge it, else away.
func (h *HTTP) readBody(p *httpProbe, resp *http.Response, m *monitor.Monitor) (*bytes.Buffer, int64, error) {
	defer resp.Body.Close()
	p.body = io.LimitedReader{R: resp.Body, N: maxBody(m)}
	if m.ExpectBody == "" && m.ExpectBodyRegex == "" && len(m.ExpectJSON) == 0 {
		n, err := io.Copy(io.Discard, &p.body)
		return nil, n, err
	}
	buf := h.getBuf()
	n, err := buf.ReadFrom(&p.body)
	return buf, n, err
}

// describe fills r with what the answer was, before it is judged: timing,
// code, size, protocol, redirects, Retry-After and the certificate.
func (h *HTTP) describe(r *monitor.Result, p *httpProbe, resp *http.Response, m *monitor.Monitor, start time.Time, n int64) {
	end := time.Now()
	r.Latency = end.Sub(start)
	r.Phases = p.phasesNow()
	if fb := p.lastFirstByte(); !fb.IsZero() {
		r.Phases.Transfer = end.Sub(fb)
	}
	r.Code = resp.StatusCode
	r.BodySize = n
	r.HTTPVersion = protoVersion(resp)
	r.Redirects = p.followed
	// Only after a redirect: net/http hands back a copy of req, not req,
	// when it adds basic auth from the URL's userinfo.
	if p.followed > 0 && resp.Request != nil {
		r.FinalURL = engine.Sanitize(redactURL(resp.Request.URL), 500)
	}
	if resp.StatusCode == http.StatusServiceUnavailable || resp.StatusCode == http.StatusTooManyRequests {
		r.RetryAfter = retryAfter(resp.Header.Get("Retry-After"), h.b.now())
	}
	r.Status = monitor.StatusUp
	if p.haveTLS {
		h.b.judgeCert(r, m, &p.tlsState)
	}
}

// judge holds the answer to what the monitor expects, in order: the
// status code, a body read to the end, the protocol, headers, body text,
// JSON. The first that fails is the result's failure.
func (h *HTTP) judge(ctx context.Context, r *monitor.Result, p *httpProbe, resp *http.Response, m *monitor.Monitor,
	u *url.URL, buf *bytes.Buffer, n int64, bodyErr error) {
	var bt bodyText // quoted only when it came from the monitor's own host
	if p.followed > 0 && resp.Request != nil && !sameHost(u, resp.Request.URL) {
		bt.from = resp.Request.URL.Host
	}
	switch {
	case !statusExpected(resp.StatusCode, m.ExpectStatus):
		fail(r, "http_"+strconv.Itoa(resp.StatusCode), "HTTP "+statusLine(resp)+retryAfterText(r.RetryAfter)+p.certHint(m, resp.StatusCode))
	case bodyErr != nil:
		p.bodyFailure(ctx, r, resp, n, bodyErr)
	case m.HTTPVersion == "2" && resp.ProtoMajor != 2, m.HTTPVersion == "1.1" && resp.ProtoMajor != 1:
		fail(r, ClassHTTPVersion, fmt.Sprintf("the answer came over %s, but http_version requires HTTP/%s", resp.Proto, m.HTTPVersion))
	case len(m.ExpectHeaders) > 0 && !h.b.judgeHeaders(r, m.ExpectHeaders, resp.Header, bt):
	case m.ExpectBody != "" && !bytes.Contains(buf.Bytes(), []byte(m.ExpectBody)):
		fail(r, ClassBodyMismatch, fmt.Sprintf("body does not contain %q; %s", m.ExpectBody, bt.starts("it", buf.Bytes())))
	case m.ExpectBodyRegex != "" && !h.b.bodyMatches(r, m.ExpectBodyRegex, buf.Bytes(), bt):
	case len(m.ExpectJSON) > 0:
		h.b.judgeJSON(ctx, r, m.ExpectJSON, buf.Bytes(), bt)
	}
}

// protoVersion is the response's protocol as "1.1" or "2".
func protoVersion(resp *http.Response) string {
	if resp.ProtoMajor == 2 {
		return "2"
	}
	return fmt.Sprintf("%d.%d", resp.ProtoMajor, resp.ProtoMinor)
}

// judgeHeaders checks expect_headers: each header present, with a value
// matching its regular expression. It reports false after failing r.
func (b *base) judgeHeaders(r *monitor.Result, want map[string]string, got http.Header, bt bodyText) bool {
	names := make([]string, 0, len(want))
	for k := range want {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, name := range names {
		re, err := b.compiledRegexp(want[name])
		if err != nil {
			fail(r, ClassConfig, fmt.Sprintf("expect_headers.%s: %v", name, err))
			return false
		}
		vals := got.Values(name)
		if len(vals) == 0 {
			fail(r, ClassHeaderMismatch, fmt.Sprintf("the response has no %s header", name))
			return false
		}
		if !slices.ContainsFunc(vals, re.MatchString) {
			if bt.from != "" {
				fail(r, ClassHeaderMismatch, fmt.Sprintf("header %s does not match %q; the answer came from %s, another host than the monitor's, so its value is not quoted",
					name, want[name], engine.Sanitize(bt.from, 100)))
				return false
			}
			fail(r, ClassHeaderMismatch, fmt.Sprintf("header %s is %q, which does not match %q", name, engine.Sanitize(vals[0], 100), want[name]))
			return false
		}
	}
	return true
}

// bodyMatches checks expect_body_regex. It reports false after failing r.
func (b *base) bodyMatches(r *monitor.Result, expr string, body []byte, bt bodyText) bool {
	re, err := b.compiledRegexp(expr)
	if err != nil {
		fail(r, ClassConfig, fmt.Sprintf("expect_body_regex: %v", err))
		return false
	}
	if re.Match(body) {
		return true
	}
	fail(r, ClassBodyMismatch, fmt.Sprintf("body does not match %q; %s", expr, bt.starts("it", body)))
	return false
}

func (h *HTTP) getBuf() *bytes.Buffer {
	if b, ok := h.bufs.Get().(*bytes.Buffer); ok {
		b.Reset()
		return b
	}
	return new(bytes.Buffer)
}

// statusExpected: the listed codes, or any 2xx or 3xx when none is listed.
func statusExpected(code int, expect []int) bool {
	if len(expect) == 0 {
		return code >= 200 && code < 400
	}
	for _, c := range expect {
		if c == code {
			return true
		}
	}
	return false
}

// retryAfter parses a Retry-After header: delay-seconds or an HTTP date.
func retryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if s, err := strconv.ParseInt(v, 10, 64); err == nil {
		if s < 0 {
			return 0
		}
		return time.Duration(min(s, 1<<31)) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}

// bodyText says how a message shows a body: by its start, quoted, or, when
// it came from another host than the monitor's after redirects, by where
// it came from alone. A target could otherwise redirect the check to a
// service it cannot reach itself and read the answer in the error.
type bodyText struct {
	from string // the host the body came from, when it is not the monitor's
}

// starts is `it starts "…"`, with subject for "it", or why the body is
// not quoted.
func (bt bodyText) starts(subject string, body []byte) string {
	if bt.from != "" {
		return fmt.Sprintf("the body came from %s, another host than the monitor's, so it is not quoted", engine.Sanitize(bt.from, 100))
	}
	return fmt.Sprintf("%s starts %q", subject, excerpt(body))
}

// excerpt is the sanitized start of a body, for messages.
func excerpt(b []byte) string {
	const n = 80
	if len(b) > 4*n {
		b = b[:4*n]
	}
	return engine.Sanitize(string(b), n)
}

// httpProbe is the state of one HTTP check: trace timings, the TLS state
// of the first handshake, and the redirect policy.
type httpProbe struct {
	client       http.Client
	trace        httptrace.ClientTrace
	start        time.Time
	maxRedirects int
	headers      map[string]string // the monitor's own headers, sent to its site only
	referer      bool              // headers set a Referer
	ua           []string          // the default User-Agent header value, shared read-only
	followed     int               // redirects followed
	offSite      bool              // a redirect has left the monitor's site
	redirectMsg  string
	guard        redirectGuard    // used when guarded
	guarded      bool             // false: redirects may lead anywhere (none followed, or allow_private_redirects)
	from, to     *url.URL         // the last redirect followed
	redirectCode int              // its status code
	body         io.LimitedReader // the capped body, kept here to save an allocation

	mu         sync.Mutex // trace hooks may run on other goroutines
	dnsT       time.Time
	connT      time.Time
	tlsT       time.Time
	wroteT     time.Time
	firstT     time.Time
	phases     monitor.Phases
	haveTLS    bool
	tlsState   tls.ConnectionState
	tlsErr     error
	handshake  bool   // a TLS handshake was started
	tlsRunning bool   // a TLS handshake is under way
	connAddr   string // the address of the last connection attempt
	certAsked  bool   // the server asked for a client certificate
}

func (p *httpProbe) dnsStart(httptrace.DNSStartInfo) {
	p.mu.Lock()
	p.dnsT = time.Now()
	p.mu.Unlock()
}

func (p *httpProbe) dnsDone(httptrace.DNSDoneInfo) {
	p.mu.Lock()
	if !p.dnsT.IsZero() {
		p.phases.DNS += time.Since(p.dnsT)
		p.dnsT = time.Time{}
	}
	p.mu.Unlock()
}

func (p *httpProbe) connectStart(_, addr string) {
	p.mu.Lock()
	if p.connT.IsZero() {
		p.connT = time.Now()
		p.connAddr = addr
	}
	p.mu.Unlock()
}

func (p *httpProbe) connectDone(_, addr string, err error) {
	p.mu.Lock()
	if err == nil && !p.connT.IsZero() {
		p.phases.Connect += time.Since(p.connT)
		p.connT = time.Time{}
		p.connAddr = addr
	}
	p.mu.Unlock()
}

// remote is the address of the last connection made or tried.
func (p *httpProbe) remote() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.connAddr
}

func (p *httpProbe) tlsStart() {
	p.mu.Lock()
	p.tlsT = time.Now()
	p.handshake, p.tlsRunning = true, true
	p.mu.Unlock()
}

func (p *httpProbe) tlsDone(st tls.ConnectionState, err error) {
	p.mu.Lock()
	if !p.tlsT.IsZero() {
		p.phases.TLS += time.Since(p.tlsT)
		p.tlsT = time.Time{}
	}
	p.tlsRunning = false
	if err != nil {
		p.tlsErr = err
	} else if !p.haveTLS { // the monitor's own host: the first handshake
		p.tlsState, p.haveTLS = st, true
	}
	p.mu.Unlock()
}

func (p *httpProbe) wroteRequest(httptrace.WroteRequestInfo) {
	p.mu.Lock()
	p.wroteT = time.Now()
	p.mu.Unlock()
}

func (p *httpProbe) gotFirstByte() {
	p.mu.Lock()
	p.firstT = time.Now()
	if !p.wroteT.IsZero() {
		p.phases.FirstByte += p.firstT.Sub(p.wroteT)
		p.wroteT = time.Time{}
	}
	p.mu.Unlock()
}

func (p *httpProbe) phasesNow() monitor.Phases {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.phases
}

func (p *httpProbe) lastFirstByte() time.Time {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.firstT
}

// checkRedirect follows up to maxRedirects redirects (none when it is
// zero or less: the 3xx itself is judged) and stops at a loop. net/http
// copies the first request's headers into every hop and adds a Referer
// naming the previous URL, query and all; checkRedirect removes that
// Referer (a Referer from the monitor's headers stays on its site), and
// from the first hop that leaves the monitor's site on, every header the
// monitor set and every credential.
func (p *httpProbe) checkRedirect(req *http.Request, via []*http.Request) error {
	if p.maxRedirects <= 0 {
		return http.ErrUseLastResponse
	}
	for _, v := range via {
		if v.Method == req.Method && v.URL.String() == req.URL.String() {
			p.redirectMsg = "redirect loop: " + chain(via, req)
			return ErrRedirectLoop
		}
	}
	if len(via) > p.maxRedirects {
		p.redirectMsg = fmt.Sprintf("more than %d redirects: %s", p.maxRedirects, chain(via, req))
		return ErrTooManyRedirects
	}
	p.from, p.to = via[len(via)-1].URL, req.URL
	if req.Response != nil {
		p.redirectCode = req.Response.StatusCode
	}
	if p.guarded {
		if err := p.guard.redirect(req.URL); err != nil {
			return err
		}
	}
	if !p.offSite && !sameSite(via[0].URL, req.URL) {
		p.offSite = true // for good: a site that sends the chain back is not trusted with them either
	}
	if p.offSite || !p.referer {
		req.Header.Del("Referer")
	}
	if p.offSite {
		for k := range p.headers {
			req.Header.Del(k)
		}
		req.Header.Del("Authorization")
		req.Header.Del("Proxy-Authorization")
		req.Header.Del("Cookie")
		if _, ok := req.Header["User-Agent"]; !ok {
			req.Header["User-Agent"] = p.ua
		}
	}
	p.followed++
	return nil
}

// sameSite reports whether a redirect from one URL to another stays on
// the same site: the same host name and port, and no downgrade from https
// to http. An upgrade from http to https on the default ports stays.
func sameSite(from, to *url.URL) bool {
	if !strings.EqualFold(from.Hostname(), to.Hostname()) {
		return false
	}
	if from.Scheme == to.Scheme {
		return effectivePort(from) == effectivePort(to)
	}
	return from.Scheme == "http" && to.Scheme == "https" &&
		effectivePort(from) == "80" && effectivePort(to) == "443"
}

// sameHost reports whether two URLs name the same host: the same name and
// port, an http-to-https upgrade on the default ports included.
func sameHost(a, b *url.URL) bool {
	return sameSite(a, b) || sameSite(b, a)
}

// effectivePort is the URL's port, or its scheme's default port.
func effectivePort(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// redactURL is u as text without its userinfo (a redirect inherits the
// monitor's) and its secrets (see monitor.RedactURL): what a Result may show.
func redactURL(u *url.URL) string {
	c := *u
	c.User = nil
	return monitor.RedactURL(c.String())
}

// chain renders a redirect chain for a message, shortened in the middle.
func chain(via []*http.Request, next *http.Request) string {
	urls := make([]string, 0, len(via)+1)
	for _, v := range via {
		urls = append(urls, redactURL(v.URL))
	}
	urls = append(urls, redactURL(next.URL))
	if len(urls) > 5 {
		urls = append(urls[:2:2], "…", urls[len(urls)-2], urls[len(urls)-1])
	}
	return strings.Join(urls, " → ")
}

// failure fills r for a request that got no usable response: the class
// names the phase that failed (connect, TLS, waiting for the answer) and
// the message says what was waited for and how long.
func (p *httpProbe) failure(ctx context.Context, b *base, r *monitor.Result, m *monitor.Monitor, u *url.URL, err error) {
	p.mu.Lock()
	tlsErr, connecting, connAddr, tlsRunning, handshaken := p.tlsErr, !p.connT.IsZero(), p.connAddr, p.tlsRunning, p.haveTLS
	p.mu.Unlock()
	class := Classify(err)
	switch {
	case errors.Is(err, ErrRedirectLoop):
		fail(r, ClassRedirectLoop, p.redirectMsg)
	case errors.Is(err, ErrTooManyRedirects):
		fail(r, ClassTooManyRedirects, p.redirectMsg)
	case errors.Is(err, ErrRedirectPrivate):
		p.privateFailure(r, err)
	case b.certFailure(ctx, r, m, err, p.targetPublic(b, m, u, connAddr)):
	case m.HTTPVersion != "" && versionRefused(err, m.HTTPVersion):
		fail(r, ClassHTTPVersion, fmt.Sprintf("the server does not speak HTTP/%s, which http_version requires", m.HTTPVersion))
		setDetail(r, err)
	case isProxyError(err):
		fail(r, ClassProxy, proxyText(m, class))
		setDetail(r, err)
	case class == ClassTimeout && connecting:
		connectTimeout(ctx, r, p.start, connAddr, err)
	case class == ClassTimeout && (tlsRunning || tlsErr != nil && !handshaken):
		tlsTimeout(ctx, r, p.start, connAddr, err)
	case class == ClassTimeout:
		p.answerTimeout(ctx, r, err)
	case tlsErr != nil && class != ClassCanceled, isRemoteAlert(err):
		// A TLS 1.3 server judges the client certificate after the
		// handshake: its alert comes with the first read.
		fail(r, ClassTLSHandshake, handshakeText(err, u.Hostname(), m.ClientCert != ""))
		setDetail(r, err)
	default:
		failErr(r, err)
	}
}

// targetPublic reports whether the check began on a public address: the
// guard's origin when redirects were guarded, else the one connection's.
func (p *httpProbe) targetPublic(b *base, m *monitor.Monitor, u *url.URL, connAddr string) bool {
	if p.guarded {
		return p.guard.startedPublic()
	}
	return b.targetPublic(u, m.Proxy != nil, addrOf(connAddr))
}

// privateFailure fills r for a redirect refused because it leads from a
// public address into an internal one.
func (p *httpProbe) privateFailure(r *monitor.Result, err error) {
	if r.Code == 0 {
		r.Code = p.redirectCode
	}
	where := "an internal address"
	var pe *privateAddrError
	if errors.As(err, &pe) {
		where = pe.where()
	}
	hop := "a redirect"
	if p.from != nil && p.to != nil {
		hop = engine.Sanitize(redactURL(p.from), 80) + " → " + engine.Sanitize(redactURL(p.to), 80)
	}
	fail(r, ClassRedirectPrivate, fmt.Sprintf("refused to follow %s: it leads from a public address to %s; allow_private_redirects = true permits it",
		hop, where))
}

// answerTimeout fills r for a request that went out on an open connection
// and got no (complete) response head in time.
func (p *httpProbe) answerTimeout(ctx context.Context, r *monitor.Result, err error) {
	p.mu.Lock()
	first := p.firstT
	p.mu.Unlock()
	wait := budget(ctx, p.start)
	if !first.IsZero() {
		fail(r, ClassTimeout, fmt.Sprintf("the response began, but its headers did not finish within %s", wait))
	} else {
		fail(r, ClassTimeout, fmt.Sprintf("connected and sent the request, but no answer came within %s", wait))
	}
	setDetail(r, err)
}

// bodyFailure fills r for a body that could not be read to its end.
func (p *httpProbe) bodyFailure(ctx context.Context, r *monitor.Result, resp *http.Response, n int64, err error) {
	if Classify(err) == ClassTimeout {
		fail(r, ClassBodyTimeout, fmt.Sprintf("the headers came (HTTP %d), but the body did not finish within %s (%d bytes read)",
			resp.StatusCode, budget(ctx, p.start), n))
		setDetail(r, err)
		return
	}
	failErr(r, err)
	if r.Class == ClassEOF || r.Class == ClassReset {
		r.Error = engine.Sanitize(fmt.Sprintf("the connection ended after %d bytes of the body (HTTP %d)", n, resp.StatusCode), maxError)
	}
}

// certHint explains a 400 or 403 to a request that left out the client
// certificate the server asked for (nginx answers 400 to that).
func (p *httpProbe) certHint(m *monitor.Monitor, code int) string {
	if code != http.StatusBadRequest && code != http.StatusForbidden || m.ClientCert != "" {
		return ""
	}
	p.mu.Lock()
	asked := p.certAsked
	p.mu.Unlock()
	if !asked {
		return ""
	}
	return "; the server asked for a client certificate and the monitor sends none (client_cert)"
}

// versionRefused reports whether err says the server cannot speak the
// required protocol version: it refused the ALPN offer, or answered h2
// with HTTP/1 (or the other way round).
func versionRefused(err error, version string) bool {
	if a, ok := remoteAlert(err); ok && a == alertNoApplicationProt {
		return true
	}
	s := errorText(err)
	return version == "2" && (strings.Contains(s, "http2:") || strings.Contains(s, "unexpected ALPN protocol") ||
		strings.Contains(s, "malformed HTTP")) || version == "1.1" && strings.Contains(s, "malformed HTTP")
}

// isProxyError reports whether err came from the proxy rather than the
// target: the proxy could not be reached, or refused the CONNECT tunnel.
func isProxyError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "proxyconnect" {
		return true
	}
	s := errorText(err)
	return strings.HasPrefix(s, "Proxy Authentication Required") || strings.HasPrefix(s, "proxyconnect")
}

// proxyText says what went wrong with the monitor's proxy.
func proxyText(m *monitor.Monitor, class string) string {
	at := "the proxy"
	if m.Proxy != nil {
		at += " " + engine.Sanitize(m.Proxy.Host, 100)
	}
	switch class {
	case ClassRefused:
		return at + " refuses connections"
	case ClassTimeout:
		return at + " did not answer in time"
	case ClassDNSNXDomain, ClassDNSError:
		return "the name of " + at + " could not be resolved"
	}
	return at + " did not open a tunnel to the target (wrong proxy credentials, or a host it does not allow?)"
}

// CompileJSON checks expect_json expressions; the config loader calls it
// so that a bad expression is a config error, not a failing check.
func CompileJSON(exprs []string) error {
	for _, e := range exprs {
		if _, err := compileJQ(e); err != nil {
			return err
		}
	}
	return nil
}

func compileJQ(expr string) (*gojq.Code, error) {
	q, err := gojq.Parse(expr)
	if err != nil {
		return nil, fmt.Errorf("expect_json %q: %w", expr, err)
	}
	code, err := gojq.Compile(q)
	if err != nil {
		return nil, fmt.Errorf("expect_json %q: %w", expr, err)
	}
	return code, nil
}

// compiled returns the compiled form of an expression, compiling it once.
func (b *base) compiled(expr string) (*gojq.Code, error) {
	if v, ok := b.queries.Load(expr); ok {
		return v.(*gojq.Code), nil
	}
	code, err := compileJQ(expr)
	if err != nil {
		return nil, err
	}
	v, _ := b.queries.LoadOrStore(expr, code)
	return v.(*gojq.Code), nil
}

func (b *base) compileAll(exprs []string) error {
	for _, e := range exprs {
		if _, err := b.compiled(e); err != nil {
			return err
		}
	}
	return nil
}

// judgeJSON evaluates every expect_json expression over the body; each
// must produce at least one value and only true ones. false or null (a
// missing field) fails the assertion; any other value that is not a
// boolean (a string, a number, …) means the expression is no test at all
// (json_assertion_invalid): `.status` is "DOWN" is never up.
func (b *base) judgeJSON(ctx context.Context, r *monitor.Result, exprs []string, body []byte, bt bodyText) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		fail(r, ClassJSONInvalid, "body is not JSON; "+bt.starts("it", body))
		if bt.from == "" { // the decoder's message may quote the body
			setDetail(r, err)
		}
		return
	}
	for _, e := range exprs {
		code, err := b.compiled(e)
		if err != nil {
			fail(r, ClassConfig, err.Error())
			return
		}
		iter := code.RunWithContext(ctx, v)
		n := 0
		for {
			x, ok := iter.Next()
			if !ok {
				break
			}
			if err, isErr := x.(error); isErr {
				fail(r, ClassJSONAssertion, fmt.Sprintf("expect_json %q could not be evaluated on this body; %s", e, bt.starts("it", body)))
				if bt.from == "" { // jq's message may quote values of the body
					setDetail(r, err)
				}
				return
			}
			n++
			if _, isBool := x.(bool); !isBool && x != nil {
				if bt.from != "" {
					fail(r, ClassJSONNotBoolean, fmt.Sprintf("expect_json %q gave a value that is not true or false: make it a test (==, >, test(…)); %s",
						e, bt.starts("the body", body)))
					return
				}
				got, _ := gojq.Marshal(x)
				fail(r, ClassJSONNotBoolean, fmt.Sprintf("expect_json %q gave %s, not true or false: make it a test (==, >, test(…))",
					e, engine.Sanitize(string(got), 60)))
				return
			}
			if x == nil || x == false {
				got, _ := gojq.Marshal(x)
				fail(r, ClassJSONAssertion, fmt.Sprintf("expect_json %q is %s; %s", e, got, bt.starts("body", body)))
				return
			}
		}
		if n == 0 {
			fail(r, ClassJSONAssertion, fmt.Sprintf("expect_json %q gave no value; %s", e, bt.starts("body", body)))
			return
		}
	}
}

// statusLine is the code of a reply and its reason, without a reason
// that says nothing: none, or the "status code 522" a Go server writes
// for a code it has no name for.
func statusLine(resp *http.Response) string {
	code := strconv.Itoa(resp.StatusCode)
	reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, code))
	if reason == "" || reason == "status code "+code {
		return code
	}
	return code + " " + reason
}
