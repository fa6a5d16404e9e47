package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// How an HTTP request is made for a monitor: the Transport (trust, client
// certificate, protocol versions, proxy, address family and pinned
// addresses) and the credentials (basic auth, a bearer token file, OAuth2
// client credentials). Secrets never reach a Result: messages name the
// key or the file, never the value.

// transportKey selects a shared Transport: monitors that make requests
// the same way share one. Keep-alives are off, so each request dials
// afresh and no idle connection (or goroutine) outlives a check.
type transportKey struct {
	roots     *x509.CertPool
	insecure  bool
	version   string // http_version
	client    clientKey
	proxy     string
	ipVersion int
	resolve   string // the pins, joined by commas
}

// plainKey reports whether m needs nothing but the shared defaults.
func plainKey(m *monitor.Monitor) bool {
	return m.CAFile == "" && m.HTTPVersion == "" && m.ClientCert == "" && m.Proxy == nil &&
		m.IPVersion == 0 && len(m.Resolve) == 0
}

func (h *HTTP) transport(m *monitor.Monitor) (*http.Transport, error) {
	if plainKey(m) { // the common case, without a map lookup
		slot := &h.plain
		if m.Insecure {
			slot = &h.insecure
		}
		if t := slot.Load(); t != nil {
			return t, nil
		}
		slot.CompareAndSwap(nil, h.b.newTransport(transportKey{roots: h.b.roots, insecure: m.Insecure}, nil))
		return slot.Load(), nil
	}
	roots, err := h.b.rootsFor(m)
	if err != nil {
		return nil, err
	}
	key := transportKey{roots: roots, insecure: m.Insecure, version: m.HTTPVersion, ipVersion: m.IPVersion,
		resolve: strings.Join(m.Resolve, ",")}
	if m.Proxy != nil {
		key.proxy = m.Proxy.String()
	}
	var cert *tls.Certificate
	if m.ClientCert != "" {
		if cert, key.client, err = h.b.clientCert(m); err != nil {
			return nil, err
		}
	}
	if v, ok := h.b.transports.Load(key); ok {
		return v.(*http.Transport), nil
	}
	v, _ := h.b.transports.LoadOrStore(key, h.b.newTransport(key, cert))
	return v.(*http.Transport), nil
}

// connReadBuffer and connWriteBuffer size the buffers of an HTTP/1
// connection, which net/http makes 4 KB each. A check's connection
// carries one request and one response, then closes: a request line and
// headers fit in 1 KB (a larger request, a body, goes out in more than
// one write), and the reader needs to hold a line of the response's
// header, not the response (longer lines and bodies are read past it).
// At 1,000 checks a second the defaults were 8 MB/s of garbage, half of
// what a check allocated, and most of what the collector worked for.
const (
	connReadBuffer  = 2 << 10
	connWriteBuffer = 1 << 10
)

func (b *base) newTransport(k transportKey, cert *tls.Certificate) *http.Transport {
	var p http.Protocols
	switch k.version {
	case "1.1":
		p.SetHTTP1(true)
	case "2": // h2 over TLS by ALPN, h2 with prior knowledge over plain http
		p.SetHTTP2(true)
		p.SetUnencryptedHTTP2(true)
	default: // as a browser: h2 where the server offers it over TLS
		p.SetHTTP1(true)
		p.SetHTTP2(true)
	}
	t := &http.Transport{
		DialContext: guardedDial(b.dialFunc(k.ipVersion, k.resolve)),
		TLSClientConfig: &tls.Config{
			RootCAs:              k.roots,
			InsecureSkipVerify:   k.insecure, //nolint:gosec // the monitor asked for it; shown as such
			Time:                 b.now,
			GetClientCertificate: clientCertFunc(cert),
		},
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
		Protocols:              &p,
		ReadBufferSize:         connReadBuffer,
		WriteBufferSize:        connWriteBuffer,
	}
	if k.proxy != "" {
		if u, err := url.Parse(k.proxy); err == nil {
			t.Proxy = http.ProxyURL(u)
		}
	}
	return t
}

// probeKey carries the *httpProbe of a request in its context, so that
// hooks of a shared Transport can tell that probe what they saw.
type probeKey struct{}

// clientCertFunc answers a server's request for a client certificate
// with cert (none when nil), and notes on the probe that it was asked.
func clientCertFunc(cert *tls.Certificate) func(*tls.CertificateRequestInfo) (*tls.Certificate, error) {
	return func(cri *tls.CertificateRequestInfo) (*tls.Certificate, error) {
		if p, ok := cri.Context().Value(probeKey{}).(*httpProbe); ok {
			p.mu.Lock()
			p.certAsked = true
			p.mu.Unlock()
		}
		if cert == nil {
			return &tls.Certificate{}, nil
		}
		return cert, nil
	}
}

// dialFunc dials through the base dialer, on the address family asked
// for and to the pinned address of a host:port, as curl --resolve does.
func (b *base) dialFunc(ipVersion int, resolve string) func(ctx context.Context, network, addr string) (net.Conn, error) {
	if ipVersion == 0 && resolve == "" {
		return b.dial
	}
	pins := map[string]string{}
	for _, pin := range strings.Split(resolve, ",") {
		if host, port, addr, err := settings.ParseResolve(pin); err == nil {
			pins[net.JoinHostPort(strings.ToLower(host), port)] = net.JoinHostPort(addr, port)
		}
	}
	return func(ctx context.Context, network, addr string) (net.Conn, error) {
		if host, port, err := net.SplitHostPort(addr); err == nil {
			if to, ok := pins[net.JoinHostPort(strings.ToLower(host), port)]; ok {
				addr = to
			}
		}
		if network == "tcp" && ipVersion != 0 {
			network = fmt.Sprintf("tcp%d", ipVersion)
		}
		return b.dial(ctx, network, addr)
	}
}

// clientKey identifies one version of a client certificate and its key.
type clientKey struct {
	cert, key caKey
}

type clientEntry struct {
	once sync.Once
	cert *tls.Certificate
	err  error
}

// clientCert loads the monitor's client certificate and key, once per
// version of the two files, so a renewed certificate is used without a
// restart.
func (b *base) clientCert(m *monitor.Monitor) (*tls.Certificate, clientKey, error) {
	var k clientKey
	for _, f := range []struct {
		path string
		to   *caKey
	}{{m.ClientCert, &k.cert}, {m.ClientKey, &k.key}} {
		fi, err := os.Stat(f.path)
		if err != nil {
			return nil, k, fmt.Errorf("client certificate: %w", err)
		}
		*f.to = caKey{path: f.path, mtime: fi.ModTime(), size: fi.Size()}
	}
	v, ok := b.clients.Load(k)
	if !ok {
		v, _ = b.clients.LoadOrStore(k, &clientEntry{})
	}
	e := v.(*clientEntry)
	e.once.Do(func() {
		c, err := tls.LoadX509KeyPair(m.ClientCert, m.ClientKey)
		if err != nil { // the message names files, never key material
			e.err = fmt.Errorf("client_cert %s with client_key %s: %w", m.ClientCert, m.ClientKey, err)
			return
		}
		e.cert = &c
	})
	return e.cert, k, e.err
}

// compiledRegexp compiles a pattern once.
func (b *base) compiledRegexp(expr string) (*regexp.Regexp, error) {
	if v, ok := b.regexps.Load(expr); ok {
		return v.(*regexp.Regexp), nil
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return nil, err
	}
	v, _ := b.regexps.LoadOrStore(expr, re)
	return v.(*regexp.Regexp), nil
}

// authError is a failure to get credentials for a request.
type authError struct {
	class, msg, detail string
}

func (e *authError) Error() string { return e.msg }

// authorize adds the monitor's credentials to req: basic auth, a bearer
// token read from its file at every check (so a rotated token is used at
// once), or an OAuth2 token from the client-credentials grant.
func (b *base) authorize(ctx context.Context, req *http.Request, m *monitor.Monitor, tr http.RoundTripper) *authError {
	if a := m.BasicAuth; a != nil {
		req.SetBasicAuth(a.User, a.Password)
	}
	if m.BearerTokenFile != "" {
		raw, err := os.ReadFile(m.BearerTokenFile)
		if err != nil {
			return &authError{class: ClassConfig, msg: "bearer_token_file: cannot read " + m.BearerTokenFile, detail: err.Error()}
		}
		tok := strings.TrimSpace(string(raw))
		if tok == "" {
			return &authError{class: ClassConfig, msg: "bearer_token_file " + m.BearerTokenFile + " is empty"}
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	if m.OAuth2 != nil {
		tok, err := b.oauth2Token(ctx, m, tr)
		if err != nil {
			return err
		}
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	return nil
}

// oauth2Key identifies one OAuth2 client; the secret is part of it, so a
// changed secret fetches a new token, and so is allow_private_redirects,
// so a token had through a redirect into an internal network serves only
// the monitors that allow one.
type oauth2Key struct {
	tokenURL, id, secret, scopes, params string
	tr                                   http.RoundTripper
	allowPrivate                         bool
}

type tokenEntry struct {
	mu  sync.Mutex
	tok *oauth2.Token
}

// oauth2Token returns a token for the monitor's client, fetched through
// the monitor's own Transport (its trust, proxy and pins) and reused while
// it is valid. The token endpoint's redirects are followed as the
// monitor's own are: not from a public address to an internal one,
// unless the monitor sets allow_private_redirects (private.go).
func (b *base) oauth2Token(ctx context.Context, m *monitor.Monitor, tr http.RoundTripper) (string, *authError) {
	o := m.OAuth2
	params := make([]string, 0, len(o.Params))
	for k, v := range o.Params {
		params = append(params, k+"="+v)
	}
	slices.Sort(params)
	key := oauth2Key{tokenURL: o.TokenURL, id: o.ClientID, secret: o.ClientSecret, scopes: strings.Join(o.Scopes, " "),
		params: strings.Join(params, "&"), tr: tr, allowPrivate: m.AllowPrivateRedirects}
	v, ok := b.tokens.Load(key)
	if !ok {
		v, _ = b.tokens.LoadOrStore(key, &tokenEntry{})
	}
	e := v.(*tokenEntry)
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tok.Valid() {
		return e.tok.AccessToken, nil
	}
	cfg := clientcredentials.Config{ClientID: o.ClientID, ClientSecret: o.ClientSecret, TokenURL: o.TokenURL, Scopes: o.Scopes}
	if len(o.Params) > 0 {
		cfg.EndpointParams = map[string][]string{}
		for k, v := range o.Params {
			cfg.EndpointParams[k] = []string{v}
		}
	}
	client := &http.Client{Transport: tr, Timeout: noDeadline}
	if !m.AllowPrivateRedirects {
		u, err := url.Parse(o.TokenURL)
		if err != nil {
			return "", &authError{class: ClassConfig, msg: "oauth2.token_url is not a URL"}
		}
		g := b.newGuard(u, m.Proxy != nil)
		client.CheckRedirect = guardRedirects(g)
		ctx = withGuard(ctx, g)
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, client)
	tok, err := cfg.Token(ctx)
	if err != nil {
		return "", oauth2Failure(o, err)
	}
	e.tok = tok
	return tok.AccessToken, nil
}

// oauth2Failure says why no token came, without the token endpoint's
// body (which may echo what was sent) or anything secret.
func oauth2Failure(o *monitor.OAuth2, err error) *authError {
	where := "the token endpoint " + engine.Sanitize(redactString(o.TokenURL), 200)
	var pe *privateAddrError
	if errors.As(err, &pe) {
		return &authError{class: ClassOAuth2, msg: where + " redirected from a public address to " + pe.where() +
			": refused, as any redirect into an internal network is; allow_private_redirects = true permits it"}
	}
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		msg := where + " refused the client credentials"
		if re.Response != nil {
			msg = fmt.Sprintf("%s answered HTTP %d to the client-credentials request", where, re.Response.StatusCode)
		}
		detail := ""
		if re.ErrorCode != "" {
			msg += " (" + engine.Sanitize(re.ErrorCode, 60) + ")"
			detail = engine.Sanitize(re.ErrorDescription, maxDetail)
		}
		return &authError{class: ClassOAuth2, msg: msg, detail: detail}
	}
	class := Classify(err)
	if class == ClassError {
		return &authError{class: ClassOAuth2, msg: "no token from " + where, detail: "the answer holds no usable access token"}
	}
	return &authError{class: ClassOAuth2, msg: "no token from " + where + ": " + plainText(class, err), detail: errorText(err)}
}

// redactString is a URL without its userinfo, for messages.
func redactString(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return redactURL(u)
}

// retryAfterText is ", Retry-After 2m" for a message, or "".
func retryAfterText(d time.Duration) string {
	if d <= 0 {
		return ""
	}
	return ", Retry-After " + humanize.RetryAfter(d)
}

// secretsOf lists what must never show in a Result of m: passwords,
// tokens and client secrets, and the header values carrying them, which a
// misbehaving server may echo back in a header or body.
func secretsOf(m *monitor.Monitor, req *http.Request) []string {
	var out []string
	add := func(s string) {
		if len(s) >= 4 { // shorter ones would blank out ordinary words
			out = append(out, s)
		}
	}
	if a := m.BasicAuth; a != nil {
		add(a.Password)
	}
	if o := m.OAuth2; o != nil {
		add(o.ClientSecret)
	}
	if m.Proxy != nil {
		if pw, ok := m.Proxy.User.Password(); ok {
			add(pw)
			add(basicToken(m.Proxy.User.Username(), pw))
		}
	}
	if req != nil {
		for _, h := range []string{"Authorization", "Proxy-Authorization"} {
			if v := req.Header.Get(h); v != "" {
				add(v)
				if _, cred, ok := strings.Cut(v, " "); ok {
					add(cred)
				}
			}
		}
	}
	return out
}

func basicToken(user, pass string) string {
	return base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
}

// redact replaces every secret in r's texts.
func redact(r *monitor.Result, secrets []string) {
	for _, s := range secrets {
		r.Error = strings.ReplaceAll(r.Error, s, "…")
		r.Detail = strings.ReplaceAll(r.Detail, s, "…")
		r.FinalURL = strings.ReplaceAll(r.FinalURL, s, "…")
	}
}
