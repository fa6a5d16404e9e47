package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptrace"
	"net/netip"
	"net/url"
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
type HTTP struct {
	b    *base
	bufs sync.Pool // *bytes.Buffer for bodies that must be kept
	// The Transports of monitors without a ca_file, trusting the base
	// pool, with and without verification.
	plain, insecure atomic.Pointer[http.Transport]
}

var _ engine.Checker = (*HTTP)(nil)

// transportKey selects a shared Transport: monitors that trust the same
// pool share one. Keep-alives are off, so each request dials afresh and
// no idle connection (or goroutine) outlives a check.
type transportKey struct {
	roots    *x509.CertPool
	insecure bool
}

func (h *HTTP) transport(m *monitor.Monitor) (*http.Transport, error) {
	if m.CAFile == "" { // the common case, without a map lookup
		slot := &h.plain
		if m.Insecure {
			slot = &h.insecure
		}
		if t := slot.Load(); t != nil {
			return t, nil
		}
		slot.CompareAndSwap(nil, h.newTransport(h.b.roots, m.Insecure))
		return slot.Load(), nil
	}
	roots, err := h.b.rootsFor(m)
	if err != nil {
		return nil, err
	}
	key := transportKey{roots: roots, insecure: m.Insecure}
	if v, ok := h.b.transports.Load(key); ok {
		return v.(*http.Transport), nil
	}
	v, _ := h.b.transports.LoadOrStore(key, h.newTransport(roots, m.Insecure))
	return v.(*http.Transport), nil
}

func (h *HTTP) newTransport(roots *x509.CertPool, insecure bool) *http.Transport {
	return &http.Transport{
		DialContext: h.b.dialer.DialContext,
		TLSClientConfig: &tls.Config{
			RootCAs:            roots,
			InsecureSkipVerify: insecure, //nolint:gosec // the monitor asked for it; shown as such
			Time:               h.b.now,
		},
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
}

// Check performs one HTTP request for m.
func (h *HTTP) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	var r monitor.Result
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	start := time.Now()

	if err := h.b.compileAll(m.ExpectJSON); err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	tr, err := h.transport(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	p := &httpProbe{start: start, maxRedirects: m.MaxRedirects, headers: m.Headers, ua: h.b.uaHeader}
	// Hooks cost an allocation each: only those that can fire are set.
	p.trace = httptrace.ClientTrace{
		ConnectStart:         p.connectStart,
		ConnectDone:          p.connectDone,
		WroteRequest:         p.wroteRequest,
		GotFirstResponseByte: p.gotFirstByte,
	}
	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	if _, err := netip.ParseAddr(u.Hostname()); err != nil {
		p.trace.DNSStart, p.trace.DNSDone = p.dnsStart, p.dnsDone
	}
	if u.Scheme == "https" {
		p.trace.TLSHandshakeStart, p.trace.TLSHandshakeDone = p.tlsStart, p.tlsDone
	}
	p.client = http.Client{Transport: tr, CheckRedirect: p.checkRedirect}

	method := m.Method
	if method == "" {
		method = http.MethodGet
	}
	var body io.Reader
	if m.Body != "" {
		body = strings.NewReader(m.Body)
	}
	req, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, &p.trace), method, m.URL, body)
	if err != nil { // the message of a *url.Error holds the URL, userinfo and all
		fail(&r, ClassConfig, "new request: "+errorText(err))
		return r
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

	resp, err := p.client.Do(req)
	if err != nil {
		if resp != nil { // CheckRedirect refused: resp is the last redirect
			r.Code = resp.StatusCode
		}
		p.failure(h.b, &r, err)
		r.Latency = time.Since(start)
		r.Phases = p.phasesNow()
		return r
	}

	limit := m.MaxBody
	if limit <= 0 {
		limit = DefaultMaxBody
	}
	var buf *bytes.Buffer
	var n int64
	if m.ExpectBody != "" || len(m.ExpectJSON) > 0 {
		buf = h.getBuf()
		defer h.bufs.Put(buf)
		p.body = io.LimitedReader{R: resp.Body, N: limit}
		n, err = buf.ReadFrom(&p.body)
	} else {
		p.body = io.LimitedReader{R: resp.Body, N: limit}
		n, err = io.Copy(io.Discard, &p.body)
	}
	resp.Body.Close()
	end := time.Now()
	r.Latency = end.Sub(start)
	r.Phases = p.phasesNow()
	if fb := p.lastFirstByte(); !fb.IsZero() {
		r.Phases.Transfer = end.Sub(fb)
	}

	r.Code = resp.StatusCode
	r.BodySize = n
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
		h.b.judgeCert(&r, m, &p.tlsState)
	}

	switch {
	case !statusExpected(resp.StatusCode, m.ExpectStatus):
		fail(&r, "http_"+strconv.Itoa(resp.StatusCode), "HTTP "+resp.Status)
	case err != nil:
		failErr(&r, fmt.Errorf("read body: %w", err))
	case m.ExpectBody != "" && !bytes.Contains(buf.Bytes(), []byte(m.ExpectBody)):
		fail(&r, ClassBodyMismatch, fmt.Sprintf("body does not contain %q; it starts %q", m.ExpectBody, excerpt(buf.Bytes())))
	case len(m.ExpectJSON) > 0:
		h.b.judgeJSON(ctx, &r, m.ExpectJSON, buf.Bytes())
	}
	if m.MaxLatency > 0 && r.Latency > m.MaxLatency {
		degrade(&r, ClassSlow, fmt.Sprintf("took %s, more than max_latency %s",
			r.Latency.Round(time.Millisecond), m.MaxLatency))
	}
	return r
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
	body         io.LimitedReader // the capped body, kept here to save an allocation

	mu        sync.Mutex // trace hooks may run on other goroutines
	dnsT      time.Time
	connT     time.Time
	tlsT      time.Time
	wroteT    time.Time
	firstT    time.Time
	phases    monitor.Phases
	haveTLS   bool
	tlsState  tls.ConnectionState
	tlsErr    error
	handshake bool // a TLS handshake was started
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

func (p *httpProbe) connectStart(string, string) {
	p.mu.Lock()
	if p.connT.IsZero() {
		p.connT = time.Now()
	}
	p.mu.Unlock()
}

func (p *httpProbe) connectDone(_, _ string, err error) {
	p.mu.Lock()
	if err == nil && !p.connT.IsZero() {
		p.phases.Connect += time.Since(p.connT)
		p.connT = time.Time{}
	}
	p.mu.Unlock()
}

func (p *httpProbe) tlsStart() {
	p.mu.Lock()
	p.tlsT = time.Now()
	p.handshake = true
	p.mu.Unlock()
}

func (p *httpProbe) tlsDone(st tls.ConnectionState, err error) {
	p.mu.Lock()
	if !p.tlsT.IsZero() {
		p.phases.TLS += time.Since(p.tlsT)
		p.tlsT = time.Time{}
	}
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

// failure fills r for a request that got no usable response.
func (p *httpProbe) failure(b *base, r *monitor.Result, err error) {
	p.mu.Lock()
	tlsErr := p.tlsErr
	p.mu.Unlock()
	switch {
	case b.certFailure(r, err):
	case errors.Is(err, ErrRedirectLoop):
		fail(r, ClassRedirectLoop, p.redirectMsg)
	case errors.Is(err, ErrTooManyRedirects):
		fail(r, ClassTooManyRedirects, p.redirectMsg)
	case tlsErr != nil:
		fail(r, handshakeClass(err), "tls handshake: "+errorText(err))
	default:
		failErr(r, err)
	}
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
// must produce at least one value and only true ones, as `jq -e` would
// accept (anything but false and null).
func (b *base) judgeJSON(ctx context.Context, r *monitor.Result, exprs []string, body []byte) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		fail(r, ClassJSONInvalid, fmt.Sprintf("body is not JSON (%v); it starts %q", err, excerpt(body)))
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
				fail(r, ClassJSONAssertion, fmt.Sprintf("expect_json %q: %v", e, err))
				return
			}
			n++
			if x == nil || x == false {
				got, _ := gojq.Marshal(x)
				fail(r, ClassJSONAssertion, fmt.Sprintf("expect_json %q is %s; body starts %q", e, got, excerpt(body)))
				return
			}
		}
		if n == 0 {
			fail(r, ClassJSONAssertion, fmt.Sprintf("expect_json %q gave no value; body starts %q", e, excerpt(body)))
			return
		}
	}
}
