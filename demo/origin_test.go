package demo

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/itchyny/gojq"
	"go.uber.org/goleak"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	goleak.VerifyTestMain(m, goleak.Cleanup(testmain.Exit))
}

// testSpeed makes every delay in the origin ten times shorter: the 504 and
// 524 arrive after 150 ms, while healthy answers stay far from any timeout.
const testSpeed = 10

// epoch is where the fake clock starts.
var epoch = time.Date(2026, 11, 24, 12, 0, 0, 0, time.UTC)

// fakeClock is a clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// harness is a running origin on a fake clock with a client that opens a
// fresh connection per request.
type harness struct {
	t      *testing.T
	o      *Origin
	clock  *fakeClock
	client *http.Client
	cfg    *engine.Config
}

func newHarness(t *testing.T, opts Options) *harness {
	t.Helper()
	clock := &fakeClock{t: epoch}
	opts.Now = clock.Now
	if opts.Speed == 0 {
		opts.Speed = testSpeed
	}
	opts.Dir = t.TempDir()
	o, err := Start(t.Context(), opts)
	if err != nil {
		t.Fatal(err)
	}
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	h := &harness{t: t, o: o, clock: clock, client: &http.Client{Transport: tr, Timeout: 10 * time.Second}, cfg: &o.Config().Config}
	t.Cleanup(func() {
		tr.CloseIdleConnections()
		if err := o.Close(); err != nil {
			t.Errorf("close: %v", err)
		}
	})
	return h
}

// at moves the story to time st of the cycle.
func (h *harness) at(st time.Duration) {
	h.clock.set(epoch.Add(time.Duration(float64(st) / h.o.speed)))
	if got := h.o.Elapsed(); got != st {
		h.t.Fatalf("story at %v, want %v", got, st)
	}
}

// monitor is the demo config's monitor for s.
func (h *harness) monitor(s Scenario) *monitor.Monitor {
	for _, m := range h.cfg.Monitors {
		if m.Name == string(s) {
			return m
		}
	}
	h.t.Fatalf("no monitor %s", s)
	return nil
}

// get fetches the monitor's URL and returns the response with its body read.
func (h *harness) get(s Scenario) (*http.Response, string) {
	h.t.Helper()
	resp, err := h.client.Get(h.monitor(s).URL)
	if err != nil {
		h.t.Fatalf("%s: %v", s, err)
	}
	defer func() { _ = resp.Body.Close() }()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		h.t.Fatalf("%s: read body: %v", s, err)
	}
	return resp, string(b)
}

func TestHTTPScenarios(t *testing.T) {
	t.Parallel() // waits on the scenarios in real time: the others run meanwhile
	h := newHarness(t, Options{})
	sec := time.Second
	tests := []struct {
		scenario Scenario
		at       time.Duration
		code     int
		body     string            // substring of the body
		header   map[string]string // exact header values
	}{
		{Shop, 10 * sec, 200, "Demo shop", nil},
		{Shop, 100 * sec, 200, "Demo shop", nil},
		{Checkout, 1 * sec, 200, `"ok":true`, nil},
		{Checkout, 5 * sec, 500, "unhandled exception", nil},
		{Checkout, 66 * sec, 500, "unhandled exception", nil},
		{Checkout, 72 * sec, 200, `"ok":true`, nil},
		{Billing, 10 * sec, 200, "invoices", nil},
		// 11 s of the window left, at Speed 10: 1.1 s, rounded up.
		{Billing, 19 * sec, 503, "planned maintenance", map[string]string{"Retry-After": "2"}},
		{Billing, 40 * sec, 200, "invoices", nil},
		{Search, 40 * sec, 200, `"hits":3`, map[string]string{"Server": "demo-proxy"}},
		// Slowing, early enough (a 0.3 s answer, 30 ms at Speed 10) that a
		// loaded machine cannot push it past the proxy's 150 ms.
		{Search, 3 * sec, 200, `"hits":3`, nil},
		// The backend hangs; the real proxy gives up after its timeout.
		{Search, 20 * sec, 504, "504 Gateway Timeout", map[string]string{"Server": "demo-proxy"}},
		{Search, 30 * sec, 200, `"hits":3`, nil},
		{StatusAPI, 5 * sec, 200, `"status":"UP"`, nil},
		{StatusAPI, 15 * sec, 200, `"status":"DOWN"`, nil},
		{CDNEdge, 5 * sec, 200, "font-family", map[string]string{"Server": "cloudflare", "CF-Cache-Status": "MISS"}},
		{CDNEdge, 14 * sec, 520, "error code: 520", map[string]string{"Server": "cloudflare"}}, // empty reply
		{CDNEdge, 20 * sec, 520, "error code: 520", nil},                                       // garbled reply
		{CDNEdge, 65 * sec, 522, "error code: 522", nil},
		{CDNEdge, 100 * sec, 524, "error code: 524", nil},
		{Reports, 2 * sec, 200, "revenue", nil},
		{Reports, 10 * sec, 200, "revenue", nil},
	}
	for _, tt := range tests {
		h.at(tt.at)
		resp, body := h.get(tt.scenario)
		if resp.StatusCode != tt.code {
			t.Errorf("%s at %v: status %d, want %d (body %q)", tt.scenario, tt.at, resp.StatusCode, tt.code, body)
		}
		if !strings.Contains(body, tt.body) {
			t.Errorf("%s at %v: body %q does not contain %q", tt.scenario, tt.at, body, tt.body)
		}
		for k, v := range tt.header {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s at %v: header %s = %q, want %q", tt.scenario, tt.at, k, got, v)
			}
		}
		if want := PhaseAt(tt.scenario, tt.at).Code; want != tt.code {
			t.Errorf("%s at %v: the story says %d, the origin answered %d", tt.scenario, tt.at, want, tt.code)
		}
	}
}

// TestStatusAPIFailsItsAssertion runs the monitor's own expect_json
// expression over what the status API answers.
func TestStatusAPIFailsItsAssertion(t *testing.T) {
	h := newHarness(t, Options{})
	m := h.monitor(StatusAPI)
	if len(m.ExpectJSON) != 1 {
		t.Fatalf("expect_json = %q", m.ExpectJSON)
	}
	q, err := gojq.Parse(m.ExpectJSON[0])
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		at   time.Duration
		want bool
	}{{5 * time.Second, true}, {15 * time.Second, false}, {50 * time.Second, true}} {
		h.at(c.at)
		resp, body := h.get(StatusAPI)
		if resp.StatusCode != 200 {
			t.Fatalf("at %v: status %d", c.at, resp.StatusCode)
		}
		var v any
		if err := json.Unmarshal([]byte(body), &v); err != nil {
			t.Fatalf("at %v: %v in %q", c.at, err, body)
		}
		got, _ := q.Run(v).Next()
		if got != c.want {
			t.Errorf("at %v: %s = %v, want %v (body %q)", c.at, m.ExpectJSON[0], got, c.want, body)
		}
	}
}

// TestPaymentsProxyUpstreamDies checks that the 502 comes from the real
// reverse proxy meeting a closed upstream port, and that the upstream comes
// back on the same port.
func TestPaymentsProxyUpstreamDies(t *testing.T) {
	h := newHarness(t, Options{})
	h.at(3 * time.Second)
	if resp, body := h.get(Payments); resp.StatusCode != 200 || !strings.Contains(body, `"service":"payments"`) {
		t.Fatalf("before: %d %q", resp.StatusCode, body)
	}
	upstream := h.o.upstream.Addr()

	h.at(10 * time.Second)
	resp, body := h.get(Payments)
	if resp.StatusCode != 502 || !strings.Contains(body, "502 Bad Gateway") {
		t.Errorf("upstream down: %d %q, want 502", resp.StatusCode, body)
	}
	if _, err := net.Dial("tcp", upstream); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("upstream port while down: %v, want connection refused", err)
	}

	h.at(30 * time.Second)
	if resp, body := h.get(Payments); resp.StatusCode != 200 {
		t.Errorf("after: %d %q, want 200", resp.StatusCode, body)
	}
	if got := h.o.upstream.Addr(); got != upstream {
		t.Errorf("upstream moved from %s to %s", upstream, got)
	}
}

func TestLegacyPortRefuses(t *testing.T) {
	h := newHarness(t, Options{})
	m := h.monitor(LegacyPort)
	if m.Kind != monitor.KindTCP {
		t.Fatalf("kind %s", m.Kind)
	}
	addr := m.Parsed.Host
	dial := func() (string, error) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			return "", err
		}
		defer func() { _ = c.Close() }()
		return bufio.NewReader(c).ReadString('\n')
	}
	for _, c := range []struct {
		at      time.Duration
		refused bool
	}{{10 * time.Second, false}, {20 * time.Second, true}, {50 * time.Second, false}, {104 * time.Second, true}, {115 * time.Second, false}} {
		h.at(c.at)
		h.o.sync()
		banner, err := dial()
		switch {
		case c.refused && !errors.Is(err, syscall.ECONNREFUSED):
			t.Errorf("at %v: %q, %v; want connection refused", c.at, banner, err)
		case !c.refused && (err != nil || !strings.HasPrefix(banner, "+OK")):
			t.Errorf("at %v: %q, %v; want the banner", c.at, banner, err)
		}
	}
}

func TestTLSCertificateExpiresInDays(t *testing.T) {
	h := newHarness(t, Options{})
	m := h.monitor(AuthTLS)
	if m.Kind != monitor.KindTLS || m.CAFile == "" || m.Insecure || m.CertWarnDays != 14 {
		t.Fatalf("monitor: kind %s ca_file %q insecure %v cert_warn_days %d", m.Kind, m.CAFile, m.Insecure, m.CertWarnDays)
	}
	pemBytes, err := os.ReadFile(m.CAFile)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pemBytes) {
		t.Fatal("no certificate in the CA file")
	}
	host := m.Parsed.Hostname()
	conn, err := tls.Dial("tcp", m.Parsed.Host, &tls.Config{RootCAs: pool, ServerName: host, Time: h.clock.Now})
	if err != nil {
		t.Fatalf("handshake trusting the demo CA: %v", err)
	}
	state := conn.ConnectionState()
	_ = conn.Close()
	if len(state.VerifiedChains) == 0 {
		t.Fatal("no verified chain")
	}
	earliest := state.VerifiedChains[0][0].NotAfter
	for _, c := range state.VerifiedChains[0] {
		if c.NotAfter.Before(earliest) {
			earliest = c.NotAfter
		}
	}
	left := earliest.Sub(h.clock.Now())
	if left <= 0 || left > time.Duration(m.CertWarnDays)*24*time.Hour {
		t.Errorf("earliest expiry in %v, want a few days, under cert_warn_days", left)
	}

	// Without the demo CA the chain does not verify: the check is genuine.
	_, err = tls.Dial("tcp", m.Parsed.Host, &tls.Config{RootCAs: x509.NewCertPool(), ServerName: host, Time: h.clock.Now})
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Errorf("handshake without the CA: %v, want unknown authority", err)
	}
}

func TestConfig(t *testing.T) {
	h := newHarness(t, Options{Speed: 1})
	cfg := h.cfg
	if cfg.Settings.Location != "demo" {
		t.Errorf("location %q", cfg.Settings.Location)
	}
	if len(cfg.Monitors) != len(Scenarios()) {
		t.Fatalf("%d monitors for %d scenarios", len(cfg.Monitors), len(Scenarios()))
	}
	for i, s := range Scenarios() {
		m := cfg.Monitors[i]
		if m.Name != string(s) {
			t.Errorf("monitor %d is %q, want %q", i, m.Name, s)
		}
		if m.Parsed == nil || m.Parsed.String() != m.URL {
			t.Errorf("%s: parsed %v, url %q", m.Name, m.Parsed, m.URL)
			continue
		}
		if k, ok := monitor.KindOf(m.Parsed.Scheme); !ok || k != m.Kind {
			t.Errorf("%s: kind %q for scheme %q", m.Name, m.Kind, m.Parsed.Scheme)
		}
		if m.Parsed.Hostname() != "127.0.0.1" {
			t.Errorf("%s: host %q is not loopback", m.Name, m.Parsed.Hostname())
		}
		if m.Interval < 2*time.Second || m.Interval > 5*time.Second {
			t.Errorf("%s: interval %v", m.Name, m.Interval)
		}
		if m.Timeout != 2*time.Second || m.Timeout > m.Interval {
			t.Errorf("%s: timeout %v with interval %v", m.Name, m.Timeout, m.Interval)
		}
		if m.Retries != 1 || m.RetryInterval <= 0 || m.CertWarnDays != 14 || m.MaxBody != 1<<20 || m.MaxRedirects != 10 {
			t.Errorf("%s: defaults not filled: %+v", m.Name, m)
		}
		if len(m.Tags) == 0 {
			t.Errorf("%s: no tags", m.Name)
		}
		if (m.Kind == monitor.KindHTTP) != (m.Method == "GET") {
			t.Errorf("%s: method %q for kind %s", m.Name, m.Method, m.Kind)
		}
	}
	if got := h.monitor(Search).MaxLatency; got != 800*time.Millisecond {
		t.Errorf("search max_latency %v", got)
	}
	if proxyTimeout >= h.monitor(Search).Timeout || edgeOriginTimeout >= h.monitor(CDNEdge).Timeout {
		t.Error("the proxies must time out before the monitors do")
	}

	// A new Config each call: changing one leaves the next alone.
	cfg.Monitors[0].Tags[0] = "changed"
	if h.o.Config().Monitors[0].Tags[0] == "changed" {
		t.Error("Config shares slices between calls")
	}

	// Speed divides intervals and timeouts.
	fast := newHarness(t, Options{Speed: 4}).cfg
	if got := fast.Monitors[0].Interval; got != cfg.Monitors[0].Interval/4 {
		t.Errorf("interval at speed 4: %v", got)
	}
	if got := fast.Settings.Timeout; got != 500*time.Millisecond {
		t.Errorf("timeout at speed 4: %v", got)
	}
}

func TestStartRejectsBadSpeed(t *testing.T) {
	for _, s := range []float64{-1, 0 / zero(), 1 / zero()} {
		if o, err := Start(t.Context(), Options{Speed: s, Dir: t.TempDir()}); err == nil {
			_ = o.Close()
			t.Errorf("speed %v accepted", s)
		}
	}
}

// zero hides a zero from the compiler so 0/zero() is NaN at run time.
func zero() float64 { return 0 }

// TestCloseEndsEverything closes the origin while a backend is hanging on
// a request and checks that no goroutine is left behind.
func TestCloseEndsEverything(t *testing.T) {
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())

	hanging := make(chan struct{}, 1)
	clock := &fakeClock{t: epoch}
	o, err := Start(context.Background(), Options{Now: clock.Now, Dir: t.TempDir(), hookWait: func(d time.Duration) {
		if d >= hang {
			select {
			case hanging <- struct{}{}:
			default:
			}
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	clock.set(epoch.Add(20 * time.Second)) // search backend hangs, speed 1
	cfg := o.Config()
	search := cfg.Monitors[4]
	if search.Name != string(Search) {
		t.Fatalf("monitor 4 is %s", search.Name)
	}
	tr := &http.Transport{Proxy: nil, DisableKeepAlives: true}
	defer tr.CloseIdleConnections()
	done := make(chan error, 1)
	go func() {
		resp, err := (&http.Client{Transport: tr}).Get(search.URL)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		done <- err
	}()
	<-hanging
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	<-done
	if err := o.Close(); err != nil {
		t.Errorf("second close: %v", err)
	}
	if _, err := net.Dial("tcp", cfg.Monitors[0].Parsed.Host); err == nil {
		t.Error("the app still accepts connections after Close")
	}
}

// TestContextCancelCloses checks that the origin stops with its context.
func TestContextCancelCloses(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	o, err := Start(ctx, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tmp := o.tempDir
	cancel()
	if err := o.Close(); err != nil { // waits for the close the cancel started
		t.Fatal(err)
	}
	if _, err := os.Stat(tmp); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("temp dir %s left behind: %v", tmp, err)
	}
	if _, err := net.Dial("tcp", o.appAddr); !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("app after cancel: %v, want refused", err)
	}
}

// TestStartWithDoneContext starts with a context that is already done:
// the origin closes itself at once and leaves nothing running.
func TestStartWithDoneContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	o, err := Start(ctx, Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := net.Dial("tcp", o.Config().Monitors[0].Parsed.Host); err == nil {
		t.Error("the app accepts connections after its context ended")
	}
}
