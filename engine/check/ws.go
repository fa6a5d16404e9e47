package check

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strconv"
	"strings"
	"sync"

	"github.com/coder/websocket"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// WS checks ws:// and wss:// monitors through coder/websocket: the
// upgrade handshake (the monitor's headers sent with it), then, when the
// monitor sets send, that text message, and when it sets send,
// expect_body or expect_json, one message back, judged like an HTTP body
// (a substring, jq expressions). A close by the server is reported with
// its code in Code and the code's meaning in the message. The session
// ends with a normal close. For wss:// the certificate is verified and its
// expiry judged like a tls:// check's.
type WS struct {
	b          *base
	transports sync.Map // wsKey → *http.Transport
}

var _ engine.Checker = (*WS)(nil)

var wsTimeouts = svcTimeouts{
	handshake: ClassWSHandshakeTimeout, handshakeWhat: "the upgrade request",
	request: ClassWSReplyTimeout, requestWhat: "the message",
}

type wsKey struct {
	roots    *x509.CertPool
	insecure bool
}

type wsProbeKey struct{}

// transport returns the HTTP transport for the handshake: one per trust
// pool, dialling through the probe in the request's context, keep-alives
// off so that nothing outlives a check.
func (c *WS) transport(m *monitor.Monitor) (*http.Transport, error) {
	roots, err := c.b.rootsFor(m)
	if err != nil {
		return nil, err
	}
	key := wsKey{roots: roots, insecure: m.Insecure}
	if v, ok := c.transports.Load(key); ok {
		return v.(*http.Transport), nil
	}
	t := &http.Transport{
		DialContext: func(ctx context.Context, _, addr string) (net.Conn, error) {
			p, ok := ctx.Value(wsProbeKey{}).(*svcProbe)
			if !ok {
				return nil, errors.New("ws: dial outside a check")
			}
			conn, err := p.dial(ctx, addr)
			if err == nil {
				p.mu.Lock()
				p.raw = conn
				p.mu.Unlock()
			}
			return conn, err
		},
		TLSClientConfig: &tls.Config{
			RootCAs:            roots,
			InsecureSkipVerify: m.Insecure, //nolint:gosec // the monitor asked for it; shown as such
			Time:               c.b.now,
		},
		DisableKeepAlives:      true,
		MaxResponseHeaderBytes: 64 << 10,
	}
	v, _ := c.transports.LoadOrStore(key, t)
	return v.(*http.Transport), nil
}

// Check opens one WebSocket session for m.
func (c *WS) Check(ctx context.Context, m *monitor.Monitor) (r monitor.Result) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()

	if err := c.b.compileAll(m.ExpectJSON); err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	tr, err := c.transport(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	p := newProbe(c.b, m, u.Scheme == "wss")
	trace := &httptrace.ClientTrace{
		TLSHandshakeStart: p.beginTLS,
		TLSHandshakeDone: func(st tls.ConnectionState, err error) {
			p.endTLS(&st, err)
		},
	}
	pctx := httptrace.WithClientTrace(context.WithValue(ctx, wsProbeKey{}, p), trace)
	header := make(http.Header, len(m.Headers)+1)
	host := ""
	for k, v := range m.Headers {
		if strings.EqualFold(k, "Host") {
			host = v
			continue
		}
		header.Set(k, v)
	}
	if header.Get("User-Agent") == "" {
		header["User-Agent"] = c.b.uaHeader
	}
	conn, resp, err := websocket.Dial(pctx, redactURL(u), &websocket.DialOptions{
		HTTPClient: &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		HTTPHeader: header,
		Host:       host,
	})
	if err != nil {
		c.dialFailure(ctx, &r, p, resp, err)
		p.finish(&r)
		return r
	}
	p.loggedInNow()
	r.Code = http.StatusSwitchingProtocols
	// The session's own deadline: the connection is closed when the
	// check's time is up, whatever the library waits for.
	p.mu.Lock()
	raw := p.raw
	p.mu.Unlock()
	if raw != nil {
		stop := context.AfterFunc(ctx, func() { raw.Close() })
		defer stop()
	}
	defer conn.CloseNow()
	r.Status = monitor.StatusUp
	if m.Send != "" || m.ExpectBody != "" || len(m.ExpectJSON) > 0 {
		c.exchange(ctx, &r, p, m, conn)
	} else {
		p.answeredNow()
	}
	p.judgeServiceCert(&r, m)
	p.finish(&r)
	if r.Class != ClassWSClosed {
		_ = conn.Close(websocket.StatusNormalClosure, "")
	}
	return r
}

// exchange sends the monitor's message, reads one message back and judges it.
func (c *WS) exchange(ctx context.Context, r *monitor.Result, p *svcProbe, m *monitor.Monitor, conn *websocket.Conn) {
	conn.SetReadLimit(maxBody(m))
	if m.Send != "" {
		if err := conn.Write(ctx, websocket.MessageText, []byte(m.Send)); err != nil {
			c.sessionFailure(ctx, r, p, err)
			return
		}
	}
	_, data, err := conn.Read(ctx)
	p.answeredNow()
	if err != nil {
		c.sessionFailure(ctx, r, p, err)
		return
	}
	r.BodySize = int64(len(data))
	r.Answers = append(r.Answers, "reply "+excerpt(data))
	switch {
	case m.ExpectBody != "" && !bytes.Contains(data, []byte(m.ExpectBody)):
		fail(r, ClassWSReplyMismatch, fmt.Sprintf("the reply does not contain %q; it starts %q", m.ExpectBody, excerpt(data)))
	case len(m.ExpectJSON) > 0:
		c.b.judgeJSON(ctx, r, m.ExpectJSON, data, bodyText{}) // no redirect is followed: the reply is the target's
		if r.Class == ClassJSONAssertion || r.Class == ClassJSONInvalid {
			r.Class = ClassWSReplyMismatch
			r.Error = engine.Sanitize("reply: "+r.Error, maxError)
		}
	}
}

// dialFailure classifies a failed handshake.
func (c *WS) dialFailure(ctx context.Context, r *monitor.Result, p *svcProbe, resp *http.Response, err error) {
	if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
		r.Code = resp.StatusCode
		var body []byte
		if resp.Body != nil {
			body, _ = io.ReadAll(io.LimitReader(resp.Body, 512))
		}
		if resp.StatusCode == http.StatusBadRequest && !p.tls && bytes.Contains(body, []byte("HTTPS server")) {
			fail(r, ClassTLSRequired, "HTTP 400: the server speaks TLS on this port; use wss://")
			return
		}
		msg := "the server refused the upgrade: HTTP " + strconv.Itoa(resp.StatusCode)
		if t := http.StatusText(resp.StatusCode); t != "" {
			msg += " " + t
		}
		if len(bytes.TrimSpace(body)) > 0 {
			msg += fmt.Sprintf("; it says %q", excerpt(bytes.TrimSpace(body)))
		}
		fail(r, ClassWSHandshake, msg)
		return
	}
	if p.failConn(ctx, r, err, wsTimeouts) {
		return
	}
	msg := errorText(err)
	msg = strings.TrimPrefix(msg, "failed to WebSocket dial: ")
	if p.phaseNow() == phaseHandshake && !strings.Contains(msg, "failed to send handshake request") {
		fail(r, ClassWSHandshake, "the server's answer to the upgrade request is not a WebSocket handshake")
		setDetail(r, err)
		return
	}
	failErr(r, errors.New(msg))
}

// sessionFailure classifies an error after the handshake: a close by the
// server, or the deadline.
func (c *WS) sessionFailure(ctx context.Context, r *monitor.Result, p *svcProbe, err error) {
	var ce websocket.CloseError
	if errors.As(err, &ce) {
		r.Code = int(ce.Code)
		msg := fmt.Sprintf("the server closed the WebSocket: %d (%s)", ce.Code, CloseCodeMeaning(int(ce.Code)))
		if ce.Reason != "" {
			msg += fmt.Sprintf(", reason %q", engine.Sanitize(ce.Reason, 120))
		}
		fail(r, ClassWSClosed, msg)
		return
	}
	if p.failConn(ctx, r, err, wsTimeouts) {
		return
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		r.Code = 1006
		fail(r, ClassWSClosed, "the connection closed without a close frame: 1006 ("+CloseCodeMeaning(1006)+")")
		return
	}
	failErr(r, err)
}

// CloseCodeMeaning says what a WebSocket close code means, in a few words.
func CloseCodeMeaning(code int) string {
	switch code {
	case 1000:
		return "normal closure: the server ended the session on purpose"
	case 1001:
		return "going away: the server is shutting down or restarting"
	case 1002:
		return "protocol error: the server saw a frame it could not accept"
	case 1003:
		return "unsupported data: the server cannot take this kind of message"
	case 1005:
		return "no status: the close frame carried no code"
	case 1006:
		return "abnormal closure: the connection dropped without a close frame"
	case 1007:
		return "invalid payload: the message's data did not match its type"
	case 1008:
		return "policy violation: the server refused the message or the client"
	case 1009:
		return "message too big for the server"
	case 1010:
		return "mandatory extension: the client did not agree to an extension the server needs"
	case 1011:
		return "internal error: the server hit an unexpected condition"
	case 1012:
		return "service restart: the server is restarting; reconnect later"
	case 1013:
		return "try again later: the server is overloaded"
	case 1014:
		return "bad gateway: a proxy got a bad answer from upstream"
	case 1015:
		return "TLS handshake failure"
	}
	switch {
	case code >= 3000 && code < 4000:
		return "a code registered by a library or framework"
	case code >= 4000 && code < 5000:
		return "the application's own code"
	}
	return "not a standard close code"
}
