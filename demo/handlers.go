package demo

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"strconv"
	"time"
)

// Paths the app listener serves, one per scenario it hosts.
const (
	pathShop     = "/shop/"
	pathCheckout = "/checkout/health"
	pathBilling  = "/billing/"
	pathStatus   = "/status/health"
	pathReports  = "/reports/daily"
	pathPayments = "/v1/health"
	pathSearch   = "/search"
	pathEdge     = "/assets/app.css"
)

// app serves the scenarios that need no listener of their own: the
// healthy shop, the checkout API with its 500 bursts, billing with its
// maintenance window, the status API whose JSON says DOWN at times, and the
// slow reports page.
func (o *Origin) app() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+pathShop, func(w http.ResponseWriter, r *http.Request) {
		if !o.delay(r.Context(), o.Phase(Shop)) {
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><title>Demo shop</title><h1>Demo shop</h1><p>All products in stock.</p>\n")
	})
	mux.HandleFunc("GET "+pathCheckout, func(w http.ResponseWriter, r *http.Request) {
		p := o.Phase(Checkout)
		if !o.delay(r.Context(), p) {
			return
		}
		if p.Code == http.StatusInternalServerError {
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "internal error: unhandled exception in checkout worker (see the app log)\n")
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"service": "checkout", "ok": true})
	})
	mux.HandleFunc("GET "+pathBilling, func(w http.ResponseWriter, r *http.Request) {
		t := o.Elapsed()
		p := PhaseAt(Billing, t)
		if !o.delay(r.Context(), p) {
			return
		}
		if p.Code == http.StatusServiceUnavailable {
			left := max(1, int(math.Ceil(o.scale(p.End-t).Seconds())))
			w.Header().Set("Retry-After", strconv.Itoa(left))
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = fmt.Fprintf(w, "billing is down for planned maintenance; try again in about %d s\n", left)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<!doctype html><title>Billing</title><p>Your invoices are up to date.</p>\n")
	})
	mux.HandleFunc("GET "+pathStatus, func(w http.ResponseWriter, r *http.Request) {
		p := o.Phase(StatusAPI)
		if !o.delay(r.Context(), p) {
			return
		}
		if p.Name == "json-down" {
			writeJSON(w, http.StatusOK, map[string]any{
				"status": "DOWN",
				"checks": map[string]string{"database": "DOWN", "queue": "UP"},
				"error":  "database: connection pool exhausted",
			})
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{
			"status": "UP",
			"checks": map[string]string{"database": "UP", "queue": "UP"},
		})
	})
	mux.HandleFunc("GET "+pathReports, func(w http.ResponseWriter, r *http.Request) {
		if !o.delay(r.Context(), o.Phase(Reports)) {
			return
		}
		w.Header().Set("Content-Type", "text/csv")
		_, _ = io.WriteString(w, "day,orders,revenue\n2026-01-01,1204,48211.50\n")
	})
	return mux
}

// delay waits p's jittered latency; false means the client or the origin
// went away first and nothing should be written.
func (o *Origin) delay(ctx context.Context, p Phase) bool {
	return o.wait(ctx, o.jittered(p))
}

// writeJSON writes v as a JSON response with the given status.
func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// paymentsUpstream is the service behind the payments proxy. The story
// closes its listener to make the proxy's 502 real.
func (o *Origin) paymentsUpstream() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !o.delay(r.Context(), o.Phase(Payments)) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"service": "payments", "ok": true})
	})
}

// paymentsProxy is a real reverse proxy in front of the payments
// upstream. Before forwarding it brings the upstream in line with the
// story, so a request during "upstream-down" meets a closed port.
func (o *Origin) paymentsProxy() http.Handler {
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&url.URL{Scheme: "http", Host: o.upstream.Addr()})
		},
		Transport:    o.transport(nil, 0),
		ErrorLog:     o.errLog,
		ErrorHandler: proxyError,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := o.upstream.set(o.Phase(Payments).Open()); err != nil {
			o.errLog.Printf("demo: payments upstream: %v", err)
		}
		w.Header().Set("Server", "demo-proxy")
		rp.ServeHTTP(w, r)
	})
}

// searchBackend answers after the story's latency, which creeps up and
// then exceeds the search proxy's timeout.
func (o *Origin) searchBackend() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !o.delay(r.Context(), o.Phase(Search)) {
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"query": r.URL.Query().Get("q"), "hits": 3})
	})
}

// searchProxy is a real reverse proxy that waits proxyTimeout for the
// backend's response headers and answers 504 after that.
func (o *Origin) searchProxy(backend string) http.Handler {
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&url.URL{Scheme: "http", Host: backend})
		},
		Transport:    o.transport(nil, o.scale(proxyTimeout)),
		ErrorLog:     o.errLog,
		ErrorHandler: proxyError,
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "demo-proxy")
		rp.ServeHTTP(w, r)
	})
}

// proxyError answers like a typical reverse proxy: 504 when the upstream
// took too long, 502 for anything else (refused, reset, garbage).
func proxyError(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		return // the client is gone
	}
	code := http.StatusBadGateway
	if isTimeout(err) {
		code = http.StatusGatewayTimeout
	}
	text := fmt.Sprintf("%d %s", code, http.StatusText(code))
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(code)
	_, _ = fmt.Fprintf(w, "<html><head><title>%s</title></head><body><h1>%s</h1><hr>demo-proxy</body></html>\n", text, text)
}

// isTimeout reports whether err is a timeout of some kind.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded)
}

// cdnOrigin is the server behind the CDN edge. It sends an empty reply,
// then garbage, during "origin-empty" and hangs during "origin-slow".
func (o *Origin) cdnOrigin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t := o.Elapsed()
		p := PhaseAt(CDNEdge, t)
		switch p.Name {
		case "origin-empty":
			hj, ok := w.(http.Hijacker)
			if !ok {
				panic(http.ErrAbortHandler)
			}
			c, buf, err := hj.Hijack()
			if err != nil {
				return
			}
			if t >= (p.Start+p.End)/2 { // second half: garbled instead of empty
				_, _ = buf.WriteString("\x16\x03\x01\x00\x2a garbled bytes, not HTTP\r\n\r\n")
				_ = buf.Flush()
			}
			_ = c.Close()
			return
		case "origin-slow":
			o.wait(r.Context(), o.scale(p.Latency))
			return
		}
		if !o.delay(r.Context(), p) {
			return
		}
		w.Header().Set("Content-Type", "text/css")
		_, _ = io.WriteString(w, "body{font-family:sans-serif}\n")
	})
}

// edge is a Cloudflare-style edge in front of the CDN origin: a real
// reverse proxy whose failures map to 520 (empty or garbled reply), 521
// (refused), 522 (TCP handshake timed out) and 524 (no answer in time).
func (o *Origin) edge(origin string) http.Handler {
	dialer := &net.Dialer{Timeout: o.scale(edgeConnectTimeout)}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		if o.Phase(CDNEdge).Name == "origin-unreachable" {
			// The origin's firewall drops the SYN: nothing comes back
			// until the edge stops waiting.
			if !o.wait(ctx, o.scale(edgeConnectTimeout)) {
				return nil, &net.OpError{Op: "dial", Net: network, Err: ctx.Err()}
			}
			return nil, &net.OpError{Op: "dial", Net: network, Err: os.ErrDeadlineExceeded}
		}
		return dialer.DialContext(ctx, network, addr)
	}
	rp := &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(&url.URL{Scheme: "http", Host: origin})
		},
		Transport: o.transport(dial, o.scale(edgeOriginTimeout)),
		ErrorLog:  o.errLog,
		ModifyResponse: func(resp *http.Response) error {
			resp.Header.Set("CF-Cache-Status", "MISS")
			return nil
		},
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			if r.Context().Err() != nil {
				return
			}
			code := edgeCode(err)
			w.Header().Set("Content-Type", "text/plain; charset=utf-8")
			w.WriteHeader(code)
			_, _ = fmt.Fprintf(w, "error code: %d\n", code)
		},
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Server", "cloudflare")
		w.Header().Set("CF-RAY", o.rayID())
		rp.ServeHTTP(w, r)
	})
}

// edgeCode maps the edge's error reaching the origin to a Cloudflare code.
func edgeCode(err error) int {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		if op.Timeout() {
			return 522
		}
		return 521
	}
	if isTimeout(err) {
		return 524
	}
	return 520
}

// rayID is a random request identifier in the style of a CF-RAY header.
func (o *Origin) rayID() string {
	o.randMu.Lock()
	n := o.rand.Uint64()
	o.randMu.Unlock()
	return fmt.Sprintf("%016x-DMO", n)
}

// transport is an http.Transport for the origin's proxies: no proxy from
// the environment, a fresh connection per request, an optional dialer and
// response-header timeout. Close closes its idle connections.
func (o *Origin) transport(dial func(ctx context.Context, network, addr string) (net.Conn, error), headerTimeout time.Duration) *http.Transport {
	if dial == nil {
		dial = (&net.Dialer{Timeout: o.scale(edgeConnectTimeout)}).DialContext
	}
	t := &http.Transport{
		Proxy:                 nil,
		DialContext:           dial,
		DisableKeepAlives:     true,
		ResponseHeaderTimeout: headerTimeout,
	}
	o.transports = append(o.transports, t)
	return t
}

// auth is the TLS endpoint's handler.
func (o *Origin) auth() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !o.delay(r.Context(), o.Phase(AuthTLS)) {
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "auth ok\n")
	})
}

// listenTLS serves h over TLS with the demo certificate on a new loopback
// listener.
func (o *Origin) listenTLS(h http.Handler) (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("listen: %w", err)
	}
	cfg := &tls.Config{Certificates: []tls.Certificate{o.certs.leaf}, MinVersion: tls.VersionTLS12}
	o.run(o.newServer(h), tls.NewListener(ln, cfg))
	return ln.Addr().String(), nil
}
