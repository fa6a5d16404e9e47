package check

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestHTTPStatusBodyJSON(t *testing.T) {
	mux := http.NewServeMux()
	status := func(code int, hdr ...string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			for i := 0; i+1 < len(hdr); i += 2 {
				w.Header().Set(hdr[i], hdr[i+1])
			}
			w.WriteHeader(code)
		}
	}
	body := func(s string) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, s) }
	}
	retryDate := time.Now().Add(90 * time.Second).UTC().Format(http.TimeFormat)
	mux.Handle("/ok", body("all good"))
	mux.Handle("/500", status(500))
	mux.Handle("/502", status(502))
	mux.Handle("/503", status(503, "Retry-After", "120"))
	mux.Handle("/503date", status(503, "Retry-After", retryDate))
	mux.Handle("/504", status(504))
	mux.Handle("/522", status(522))
	mux.Handle("/404", status(404))
	mux.Handle("/204", status(204))
	mux.Handle("/up", body(`{"status":"UP","checks":[{"ok":true},{"ok":true}]}`))
	mux.Handle("/down", body(`{"status":"DOWN"}`))
	mux.Handle("/notjson", body(`<html>oops</html>`))
	mux.Handle("/hostile", body("\x1b]52;c;cHduZWQ=\x07\x1b[2J\x9b31mevil\r\n"))
	mux.Handle("/echo", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.Header.Get("X-Token"), b)
	}))
	srv := httptest.NewServer(mux)
	defer srv.Close()

	tests := []struct {
		name   string
		path   string
		edit   func(*monitor.Monitor)
		status monitor.Status
		class  string
		code   int
		more   func(t *testing.T, r monitor.Result)
	}{
		{name: "200 up", path: "/ok", status: monitor.StatusUp, code: 200, more: func(t *testing.T, r monitor.Result) {
			if r.BodySize != int64(len("all good")) {
				t.Errorf("BodySize = %d", r.BodySize)
			}
			if r.Latency <= 0 || r.Phases.Connect <= 0 || r.Phases.FirstByte <= 0 {
				t.Errorf("latency %v phases %+v: want connect and first byte measured", r.Latency, r.Phases)
			}
		}},
		{name: "500", path: "/500", status: monitor.StatusDown, class: "http_500", code: 500},
		{name: "502", path: "/502", status: monitor.StatusDown, class: "http_502", code: 502, more: func(t *testing.T, r monitor.Result) {
			if r.Error != "HTTP 502 Bad Gateway" {
				t.Errorf("Error = %q", r.Error)
			}
		}},
		{name: "503 retry-after seconds", path: "/503", status: monitor.StatusDown, class: "http_503", code: 503,
			more: func(t *testing.T, r monitor.Result) {
				if r.RetryAfter != 120*time.Second {
					t.Errorf("RetryAfter = %v, want 2m", r.RetryAfter)
				}
			}},
		{name: "503 retry-after date", path: "/503date", status: monitor.StatusDown, class: "http_503", code: 503,
			more: func(t *testing.T, r monitor.Result) {
				if r.RetryAfter < 60*time.Second || r.RetryAfter > 91*time.Second {
					t.Errorf("RetryAfter = %v, want about 90s", r.RetryAfter)
				}
			}},
		{name: "504", path: "/504", status: monitor.StatusDown, class: "http_504", code: 504},
		{name: "522 cloudflare", path: "/522", status: monitor.StatusDown, class: "http_522", code: 522, more: func(t *testing.T, r monitor.Result) {
			if r.Error != "HTTP 522" { // not Go's stand-in reason, "522 status code 522"
				t.Errorf("Error = %q", r.Error)
			}
		}},
		{name: "404 default", path: "/404", status: monitor.StatusDown, class: "http_404", code: 404},
		{name: "404 expected", path: "/404", edit: func(m *monitor.Monitor) { m.ExpectStatus = []int{404} },
			status: monitor.StatusUp, code: 404},
		{name: "200 not in expect_status", path: "/ok", edit: func(m *monitor.Monitor) { m.ExpectStatus = []int{204} },
			status: monitor.StatusDown, class: "http_200", code: 200},
		{name: "204 up", path: "/204", status: monitor.StatusUp, code: 204},
		{name: "expect_body found", path: "/ok", edit: func(m *monitor.Monitor) { m.ExpectBody = "good" },
			status: monitor.StatusUp, code: 200},
		{name: "expect_body missing", path: "/ok", edit: func(m *monitor.Monitor) { m.ExpectBody = "healthy" },
			status: monitor.StatusDown, class: ClassBodyMismatch, code: 200},
		{name: "json up", path: "/up", edit: func(m *monitor.Monitor) {
			m.ExpectJSON = []string{`.status == "UP"`, `.checks[].ok`, `.checks | length > 0`}
		}, status: monitor.StatusUp, code: 200},
		{name: "json says DOWN", path: "/down", edit: func(m *monitor.Monitor) { m.ExpectJSON = []string{`.status == "UP"`} },
			status: monitor.StatusDown, class: ClassJSONAssertion, code: 200, more: func(t *testing.T, r monitor.Result) {
				if !strings.Contains(r.Error, `.status == \"UP\"`) || !strings.Contains(r.Error, "DOWN") {
					t.Errorf("Error = %q, want the expression and the body", r.Error)
				}
			}},
		{name: "json no value", path: "/down", edit: func(m *monitor.Monitor) { m.ExpectJSON = []string{`.checks[]?`} },
			status: monitor.StatusDown, class: ClassJSONAssertion, code: 200},
		{name: "json null", path: "/down", edit: func(m *monitor.Monitor) { m.ExpectJSON = []string{`.missing`} },
			status: monitor.StatusDown, class: ClassJSONAssertion, code: 200},
		{name: "json runtime error", path: "/down", edit: func(m *monitor.Monitor) { m.ExpectJSON = []string{`.status | tonumber`} },
			status: monitor.StatusDown, class: ClassJSONAssertion, code: 200},
		{name: "not json", path: "/notjson", edit: func(m *monitor.Monitor) { m.ExpectJSON = []string{`.status == "UP"`} },
			status: monitor.StatusDown, class: ClassJSONInvalid, code: 200},
		{name: "bad jq is a config error", path: "/up", edit: func(m *monitor.Monitor) { m.ExpectJSON = []string{`.status ==`} },
			status: monitor.StatusDown, class: ClassConfig},
		{name: "hostile body sanitized", path: "/hostile", edit: func(m *monitor.Monitor) { m.ExpectBody = "nice" },
			status: monitor.StatusDown, class: ClassBodyMismatch, code: 200, more: func(t *testing.T, r monitor.Result) {
				if !clean(r.Error) || strings.Contains(r.Error, "52;c") {
					t.Errorf("Error not sanitized: %q", r.Error)
				}
			}},
		{name: "method headers body", path: "/echo", edit: func(m *monitor.Monitor) {
			m.Method = "POST"
			m.Headers = map[string]string{"X-Token": "abc"}
			m.Body = "payload"
			m.ExpectBody = "POST abc payload"
		}, status: monitor.StatusUp, code: 200},
	}
	checker := New(Options{})[monitor.KindHTTP]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(srv.URL + tt.path)
			if tt.edit != nil {
				tt.edit(m)
			}
			r := run(t, checker, m, 0)
			if r.Status != tt.status || r.Class != tt.class || r.Code != tt.code {
				t.Fatalf("got %v/%q code %d (%q), want %v/%q code %d", r.Status, r.Class, r.Code, r.Error,
					tt.status, tt.class, tt.code)
			}
			if (tt.status == monitor.StatusUp) != (r.Error == "") {
				t.Errorf("Error = %q for status %v", r.Error, r.Status)
			}
			if tt.more != nil {
				tt.more(t, r)
			}
		})
	}
}

func TestCompileJSON(t *testing.T) {
	if err := CompileJSON([]string{`.status == "UP"`, `.a[] | .b > 3`}); err != nil {
		t.Errorf("valid expressions: %v", err)
	}
	err := CompileJSON([]string{`.ok`, `.status ==`})
	if err == nil || !strings.Contains(err.Error(), `".status =="`) {
		t.Errorf("error = %v, want one naming the bad expression", err)
	}
	if err := CompileJSON([]string{`undefined_function(1)`}); err == nil {
		t.Error("an undefined function compiles")
	}
}

func TestHTTPRedirects(t *testing.T) {
	var mu sync.Mutex
	seen := map[string]http.Header{}
	record := func(name string, r *http.Request) {
		mu.Lock()
		seen[name] = r.Header.Clone()
		mu.Unlock()
	}
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("other", r)
		_, _ = io.WriteString(w, "landed")
	}))
	defer other.Close()
	_, otherPort, _ := net.SplitHostPort(other.Listener.Addr().String())

	mux := http.NewServeMux()
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/b", http.StatusFound) })
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/a", http.StatusFound) })
	mux.HandleFunc("/self", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/self", http.StatusMovedPermanently)
	})
	mux.HandleFunc("/n/", func(w http.ResponseWriter, r *http.Request) {
		var n int
		fmt.Sscanf(strings.TrimPrefix(r.URL.Path, "/n/"), "%d", &n)
		http.Redirect(w, r, fmt.Sprintf("/n/%d", n+1), http.StatusFound)
	})
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusMovedPermanently) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, r *http.Request) {
		record("same", r)
		_, _ = io.WriteString(w, "new")
	})
	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://other.test:"+otherPort+"/x", http.StatusFound)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	checker := New(Options{Dialer: &mapDialer{names: map[string]bool{"other.test": true}}})[monitor.KindHTTP]
	creds := map[string]string{"Authorization": "Bearer secret", "Cookie": "session=secret", "X-Plain": "kept"}
	tests := []struct {
		name   string
		path   string
		max    int
		status monitor.Status
		class  string
		final  string
	}{
		{"loop a-b-a", "/a", 10, monitor.StatusDown, ClassRedirectLoop, ""},
		{"loop to itself", "/self", 10, monitor.StatusDown, ClassRedirectLoop, ""},
		{"too many", "/n/0", 3, monitor.StatusDown, ClassTooManyRedirects, ""},
		{"the loader's default limit", "/n/0", 10, monitor.StatusDown, ClassTooManyRedirects, ""},
		{"followed", "/old", 10, monitor.StatusUp, "", srv.URL + "/new"},
		{"zero follows none", "/old", 0, monitor.StatusUp, "", ""},
		{"negative follows none", "/old", -1, monitor.StatusUp, "", ""},
		{"cross host", "/away", 10, monitor.StatusUp, "", "http://other.test:" + otherPort + "/x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(srv.URL + tt.path)
			m.MaxRedirects = tt.max
			m.Headers = creds
			r := run(t, checker, m, 0)
			if r.Status != tt.status || r.Class != tt.class || r.FinalURL != tt.final {
				t.Fatalf("got %v/%q final %q (%q), want %v/%q final %q", r.Status, r.Class, r.FinalURL, r.Error,
					tt.status, tt.class, tt.final)
			}
			if tt.class != "" && (r.Code < 300 || r.Code > 399 || !strings.Contains(r.Error, "→")) {
				t.Errorf("code %d error %q: want the last redirect's code and the chain", r.Code, r.Error)
			}
		})
	}

	mu.Lock()
	defer mu.Unlock()
	if h := seen["same"]; h.Get("Authorization") == "" || h.Get("Cookie") == "" {
		t.Errorf("same-host redirect lost credentials: %v", h)
	}
	h := seen["other"]
	if h == nil {
		t.Fatal("cross-host redirect not followed")
	}
	if h.Get("Authorization") != "" || h.Get("Cookie") != "" {
		t.Errorf("credentials forwarded to another host: %v", h)
	}
	if h.Get("X-Plain") != "" || h.Get("User-Agent") != DefaultUserAgent {
		t.Errorf("the monitor's headers forwarded to another host: %v", h)
	}
	if h := seen["same"]; h.Get("X-Plain") != "kept" {
		t.Errorf("same-host redirect dropped a header: %v", h)
	}
}

// endless writes until the client goes away.
func endless(w http.ResponseWriter, _ *http.Request) {
	chunk := []byte(strings.Repeat("x", 32<<10))
	for {
		if _, err := w.Write(chunk); err != nil {
			return
		}
	}
}

func TestHTTPBodyCapped(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(endless))
	defer srv.Close()
	checker := New(Options{})[monitor.KindHTTP]
	for _, tt := range []struct {
		name       string
		max        int64
		expectBody string
		want       int64
	}{
		{"discarded", 100 << 10, "", 100 << 10},
		{"kept for expect_body", 100 << 10, "xxx", 100 << 10},
		{"default cap", 0, "", settings.DefaultMaxBody},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(srv.URL)
			m.MaxBody, m.ExpectBody = tt.max, tt.expectBody
			r := run(t, checker, m, 0)
			if r.Status != monitor.StatusUp || r.BodySize != tt.want {
				t.Errorf("got %v %q BodySize %d, want up with %d", r.Status, r.Error, r.BodySize, tt.want)
			}
		})
	}
}

func TestHTTPNetworkFailures(t *testing.T) {
	t.Parallel()
	dnsAddr := dnsServer(t)
	// hung accepts and never answers
	hung := rawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) })
	// slowHeader sends a status line one byte at a time, forever
	slowHeader := rawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		trickle(c, "HTTP/1.1 200 OK\r\nX-Slow: ")
	})
	// slowBody sends headers, then a body one byte at a time
	slowBody := rawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		_, _ = io.WriteString(c, "HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n")
		trickle(c, "")
	})
	// closer reads the request and closes without a word (a 520-style empty reply)
	closer := rawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		c.Close()
	})
	// garbage answers with something that is not HTTP
	garbage := rawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		_, _ = io.WriteString(c, "SSH-2.0-OpenSSH_9.6\r\n\r\n")
		c.Close()
	})
	// hostile sends a status line full of escape sequences
	hostile := rawServer(t, func(c net.Conn) {
		_, _ = c.Read(make([]byte, 4096))
		_, _ = io.WriteString(c, "HTTP/1.1 502 \x1b]0;pwned\x07Bad\x1b[31m Gateway\x07\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
		c.Close()
	})
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, "ok") }))
	defer ok.Close()
	_, okPort, _ := net.SplitHostPort(ok.Listener.Addr().String())

	checker := New(Options{Resolver: testResolver(dnsAddr)})[monitor.KindHTTP]
	const timeout = 400 * time.Millisecond
	tests := []struct {
		name   string
		url    string
		status monitor.Status
		class  string
		more   func(t *testing.T, r monitor.Result)
	}{
		{name: "hung target", url: "http://" + hung, status: monitor.StatusDown, class: ClassTimeout},
		{name: "slowloris headers", url: "http://" + slowHeader, status: monitor.StatusDown, class: ClassTimeout},
		{name: "slowloris body", url: "http://" + slowBody, status: monitor.StatusDown, class: ClassBodyTimeout},
		{name: "closed port", url: "http://" + closedPort(t), status: monitor.StatusDown, class: ClassRefused},
		{name: "empty reply", url: "http://" + closer, status: monitor.StatusDown, class: ClassEOF},
		{name: "not http", url: "http://" + garbage, status: monitor.StatusDown, class: ClassBadResponse},
		{name: "hostile status line", url: "http://" + hostile, status: monitor.StatusDown, class: "http_502",
			more: func(t *testing.T, r monitor.Result) {
				if !clean(r.Error) || strings.Contains(r.Error, "pwned") || !strings.Contains(r.Error, "Bad") {
					t.Errorf("Error = %q, want the status text without escapes", r.Error)
				}
			}},
		{name: "nxdomain", url: "http://nx.test:" + okPort, status: monitor.StatusDown, class: ClassDNSNXDomain},
		{name: "resolved by name", url: "http://ok.test:" + okPort, status: monitor.StatusUp,
			more: func(t *testing.T, r monitor.Result) {
				if r.Phases.DNS <= 0 {
					t.Errorf("DNS phase not measured: %+v", r.Phases)
				}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), timeout)
			defer cancel()
			done := make(chan monitor.Result, 1)
			go func() { done <- checker.Check(ctx, testMonitor(tt.url)) }()
			var r monitor.Result
			select {
			case r = <-done:
			case <-time.After(timeout + 10*time.Second): // a guard, not a speed assertion
				t.Fatal("check did not return after its deadline")
			}
			if r.Status != tt.status || r.Class != tt.class {
				t.Fatalf("got %v/%q (%q), want %v/%q", r.Status, r.Class, r.Error, tt.status, tt.class)
			}
			if (tt.class == ClassTimeout || tt.class == ClassBodyTimeout) && ctx.Err() == nil {
				t.Errorf("timeout reported before the deadline (%v)", r.Latency)
			}
			if !clean(r.Error) {
				t.Errorf("Error not clean: %q", r.Error)
			}
			if tt.more != nil {
				tt.more(t, r)
			}
		})
	}
}

// trickle writes prefix, then one byte every few milliseconds until the
// peer goes away. The pace is the server's behaviour under test, not a wait.
func trickle(c net.Conn, prefix string) {
	if _, err := io.WriteString(c, prefix); err != nil {
		return
	}
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for range tick.C {
		if _, err := c.Write([]byte("a")); err != nil {
			return
		}
	}
}

func TestHTTPSCertificates(t *testing.T) {
	p := pki(t)
	tests := []struct {
		name     string
		cert     tls.Certificate
		caFile   bool
		insecure bool
		warn     int
		status   monitor.Status
		class    string
		days     [2]int // CertDays range, inclusive
	}{
		{"valid", p.valid, true, false, 0, monitor.StatusUp, "", [2]int{360, 366}},
		{"expiring in 3 days", p.expiring, true, false, 14, monitor.StatusDegraded, ClassTLSExpiring, [2]int{3, 3}},
		{"expiring but warn off", p.expiring, true, false, -1, monitor.StatusUp, "", [2]int{3, 3}},
		{"expired", p.expired, true, false, 0, monitor.StatusDown, ClassTLSExpired, [2]int{-2, -2}},
		{"not yet valid", p.notYet, true, false, 0, monitor.StatusDown, ClassTLSNotYetValid, [2]int{299, 300}},
		{"wrong host", p.wrongHost, true, false, 0, monitor.StatusDown, ClassTLSHostname, [2]int{360, 366}},
		{"unknown authority", p.unknownCA, true, false, 0, monitor.StatusDown, ClassTLSUnknownCA, [2]int{360, 366}},
		{"system pool only", p.valid, false, false, 0, monitor.StatusDown, ClassTLSUnknownCA, [2]int{360, 366}},
		{"insecure", p.unknownCA, false, true, 0, monitor.StatusUp, "", [2]int{360, 366}},
		{"insecure still sees expiry", p.expired, false, true, 0, monitor.StatusDown, ClassTLSExpired, [2]int{-2, -2}},
		{"earliest in chain is the CA", p.shortCA, true, false, 14, monitor.StatusDegraded, ClassTLSExpiring, [2]int{5, 5}},
	}
	checker := New(Options{})[monitor.KindHTTP]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tlsServer(t, tt.cert, nil)
			m := testMonitor(srv.URL)
			if tt.caFile {
				m.CAFile = p.caFile
			}
			m.Insecure, m.CertWarnDays = tt.insecure, tt.warn
			r := run(t, checker, m, 0)
			if r.Status != tt.status || r.Class != tt.class {
				t.Fatalf("got %v/%q (%q), want %v/%q", r.Status, r.Class, r.Error, tt.status, tt.class)
			}
			if r.CertExpiry.IsZero() || r.CertDays < tt.days[0] || r.CertDays > tt.days[1] {
				t.Errorf("CertExpiry %v CertDays %d, want days in %v", r.CertExpiry, r.CertDays, tt.days)
			}
			if r.CertIssuer == "" {
				t.Error("CertIssuer empty")
			}
			if tt.status == monitor.StatusUp && r.Phases.TLS <= 0 {
				t.Errorf("TLS phase not measured: %+v", r.Phases)
			}
		})
	}
}

func TestHTTPSNotTLS(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	defer srv.Close()
	r := run(t, New(Options{})[monitor.KindHTTP], testMonitor(strings.Replace(srv.URL, "http:", "https:", 1)), 0)
	if r.Status != monitor.StatusDown || r.Class != ClassTLSHandshake {
		t.Fatalf("got %v/%q (%q), want down/tls_handshake", r.Status, r.Class, r.Error)
	}
}

func TestHTTPConcurrentChecksShareCaches(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = io.WriteString(w, `{"status":"UP"}`)
	}))
	defer srv.Close()
	checker := New(Options{})[monitor.KindHTTP]
	var wg sync.WaitGroup
	errs := make(chan string, 16)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m := testMonitor(fmt.Sprintf("%s/?i=%d", srv.URL, i))
			m.ExpectJSON = []string{`.status == "UP"`}
			if r := run(t, checker, m, 0); r.Status != monitor.StatusUp {
				errs <- r.Error
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{
		{"", 0}, {"120", 2 * time.Minute}, {" 5 ", 5 * time.Second}, {"-3", 0}, {"soon", 0},
		{now.Add(time.Hour).Format(http.TimeFormat), time.Hour},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0},
	} {
		if got := retryAfter(tt.in, now); got != tt.want {
			t.Errorf("retryAfter(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
}

// A check's connection has small buffers (connReadBuffer,
// connWriteBuffer): a request, a response header line and a response
// larger than them pass whole.
func TestHTTPLargerThanConnBuffers(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 3*connReadBuffer)
	body := strings.Repeat("0123456789", 10*connReadBuffer) + "the end"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if r.Header.Get("X-Long") != long || string(b) != body {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		for i := range 20 {
			w.Header().Set(fmt.Sprintf("X-Filler-%d", i), long[:connReadBuffer/2])
		}
		w.Header().Set("X-Long", long)
		io.WriteString(w, body)
	}))
	defer srv.Close()
	m := testMonitor(srv.URL)
	m.Method, m.Body = "POST", body
	m.Headers = map[string]string{"X-Long": long}
	m.ExpectBody = "the end"
	m.ExpectHeaders = map[string]string{"X-Long": long}
	r := New(Options{})[monitor.KindHTTP].Check(t.Context(), m)
	if r.Status != monitor.StatusUp || r.Code != 200 || r.BodySize != int64(len(body)) {
		t.Errorf("%s %d %q, body %d bytes: want up, 200, all %d bytes", r.Status, r.Code, r.Error, r.BodySize, len(body))
	}
}
