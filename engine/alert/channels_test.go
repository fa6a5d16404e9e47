package alert

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// testCert returns a self-signed certificate for 127.0.0.1 and a pool
// that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "upbeat test"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IPAddresses:           []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	leaf, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(leaf)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key, Leaf: leaf}, pool
}

// downMessage is a typical single down message.
func downMessage() Message {
	c := composer{loc: time.UTC}
	it := itemFrom(EventDown, testMonitor("shop"), "shop", &monitor.Result{
		Monitor: "shop", Status: monitor.StatusDown, Code: 502, Class: "http_502", Error: "upstream closed the connection",
	})
	it.Since = time.Date(2026, 11, 24, 14, 2, 5, 0, time.UTC)
	return c.single(it, it.Since.Add(time.Minute))
}

// --- email ---------------------------------------------------------------

// smtpBackend is an in-process SMTP server that requires STARTTLS and AUTH PLAIN.
type smtpBackend struct {
	user, pass string

	mu    sync.Mutex
	mails []receivedMail
	auths []string // "user:pass" tried
}

type receivedMail struct {
	from  string
	to    []string
	data  string
	tls   bool
	authd bool
}

func (b *smtpBackend) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &smtpSession{b: b, c: c}, nil
}

type smtpSession struct {
	b     *smtpBackend
	c     *smtp.Conn
	authd bool
	mail  receivedMail
}

func (s *smtpSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *smtpSession) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, username, password string) error {
		s.b.mu.Lock()
		s.b.auths = append(s.b.auths, username+":"+password)
		s.b.mu.Unlock()
		if username != s.b.user || password != s.b.pass {
			return errors.New("invalid credentials")
		}
		s.authd = true
		return nil
	}), nil
}

func (s *smtpSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.authd {
		return &smtp.SMTPError{Code: 530, Message: "authentication required"}
	}
	_, tlsOn := s.c.TLSConnectionState()
	s.mail = receivedMail{from: from, tls: tlsOn, authd: s.authd}
	return nil
}

func (s *smtpSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.mail.to = append(s.mail.to, to)
	return nil
}

func (s *smtpSession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.mail.data = string(b)
	s.b.mu.Lock()
	s.b.mails = append(s.b.mails, s.mail)
	s.b.mu.Unlock()
	return nil
}

func (s *smtpSession) Reset()        {}
func (s *smtpSession) Logout() error { return nil }

// startSMTP runs the server on loopback; tlsOn false offers no STARTTLS.
func startSMTP(t *testing.T, be *smtpBackend, cert tls.Certificate, tlsOn bool) int {
	t.Helper()
	srv := smtp.NewServer(be)
	srv.Domain = "localhost"
	srv.ReadTimeout = 10 * time.Second
	srv.WriteTimeout = 10 * time.Second
	if tlsOn {
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { defer close(done); _ = srv.Serve(l) }()
	t.Cleanup(func() { srv.Close(); <-done })
	return l.Addr().(*net.TCPAddr).Port
}

func emailConfig(port int, pass string) *Config {
	return &Config{
		Name: "mail", Kind: KindEmail, SMTPHost: "127.0.0.1", SMTPPort: port,
		Username: "upbeat", Password: pass, From: "upbeat@example.test", To: []string{"oncall@example.test"},
		StartTLS: "mandatory",
	}
}

func TestEmailOverSTARTTLSWithAuthPlain(t *testing.T) {
	cert, pool := testCert(t)
	be := &smtpBackend{user: "upbeat", pass: "s3cret-smtp-pass"}
	port := startSMTP(t, be, cert, true)
	ch, err := NewChannel(emailConfig(port, be.pass), ChannelOptions{TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := ch.Send(ctx, downMessage()); err != nil {
		t.Fatal(err)
	}
	be.mu.Lock()
	defer be.mu.Unlock()
	if len(be.mails) != 1 {
		t.Fatalf("server got %d mails", len(be.mails))
	}
	m := be.mails[0]
	if !m.tls || !m.authd || m.from != "upbeat@example.test" || len(m.to) != 1 || m.to[0] != "oncall@example.test" {
		t.Errorf("mail envelope %+v", m)
	}
	for _, want := range []string{"Subject: [upbeat] shop is DOWN: 502 Bad Gateway", "X-Upbeat-Event: down",
		"shop is down since 2026-11-24 14:02:05 UTC", "First step:", "upstream closed the connection"} {
		if !strings.Contains(m.data, want) {
			t.Errorf("mail lacks %q:\n%s", want, m.data)
		}
	}
	if len(be.auths) != 1 || be.auths[0] != "upbeat:s3cret-smtp-pass" {
		t.Errorf("auth attempts %v", be.auths)
	}
}

func TestEmailFailuresKeepThePasswordOut(t *testing.T) {
	cert, pool := testCert(t)
	be := &smtpBackend{user: "upbeat", pass: "right-password"}
	port := startSMTP(t, be, cert, true)
	cfg := emailConfig(port, "wrong-password-123")
	var logs bytes.Buffer
	var rec recorder
	d := New(Options{
		Alerts: []*Config{cfg}, MaxAttempts: 1, OnDelivery: rec.add,
		ChannelOptions: ChannelOptions{TLSConfig: &tls.Config{RootCAs: pool}},
		Logger:         newTextLogger(&logs),
	})
	err := d.Test(context.Background(), "mail")
	d.Close()
	if err == nil {
		t.Fatal("wrong password accepted")
	}
	for _, text := range []string{err.Error(), logs.String(), eventsText(rec.all())} {
		if strings.Contains(text, "wrong-password-123") {
			t.Errorf("password leaked: %s", text)
		}
	}
	// The refused login says so: it is not a dial failure.
	if msg := err.Error(); !strings.Contains(msg, "refused the login") || !strings.Contains(msg, `"upbeat"`) ||
		strings.Contains(msg, "dial failed") {
		t.Errorf("error = %q, want the refused login named", msg)
	}
}

func TestEmailRefusesServerWithoutSTARTTLS(t *testing.T) {
	cert, pool := testCert(t)
	be := &smtpBackend{user: "upbeat", pass: "pw-1234"}
	port := startSMTP(t, be, cert, false)
	ch, err := NewChannel(emailConfig(port, be.pass), ChannelOptions{TLSConfig: &tls.Config{RootCAs: pool}})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err = ch.Send(ctx, downMessage())
	if err == nil {
		t.Fatal("sent in clear although STARTTLS is mandatory")
	}
	// go-mail's untyped error is recognised (see email.explain).
	if !errors.Is(err, errNoStartTLS) {
		t.Errorf("error %q does not say what to do", err)
	}
	if len(be.auths) != 0 {
		t.Errorf("credentials offered without TLS: %v", be.auths)
	}
}

func TestEmailHungServerIsCancelled(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := l.Accept()
		if err == nil {
			accepted <- c // says nothing, ever
		}
	}()
	ch, err := NewChannel(emailConfig(l.Addr().(*net.TCPAddr).Port, "pw-1234"), ChannelOptions{Timeout: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- ch.Send(ctx, downMessage()) }()
	c := <-accepted
	defer c.Close()
	cancel()
	if err := <-errc; err == nil {
		t.Fatal("a silent server accepted the mail")
	}
}

// --- telegram ------------------------------------------------------------

const testToken = "123456:AAH-sup3r-s3cret-b0t-t0ken"

func TestTelegramSendMessage(t *testing.T) {
	type call struct {
		path string
		body map[string]any
	}
	calls := make(chan call, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		_ = json.NewDecoder(r.Body).Decode(&body)
		calls <- call{r.URL.Path, body}
		_, _ = io.WriteString(w, `{"ok":true,"result":{"message_id":1}}`)
	}))
	defer srv.Close()
	ch, err := NewChannel(&Config{Name: "tg", Kind: KindTelegram, Token: testToken, ChatID: "-100200", BaseURL: srv.URL + "/"},
		ChannelOptions{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), downMessage()); err != nil {
		t.Fatal(err)
	}
	c := <-calls
	if c.path != "/bot"+testToken+"/sendMessage" {
		t.Errorf("path %q", c.path)
	}
	text, _ := c.body["text"].(string)
	if c.body["chat_id"] != "-100200" || c.body["disable_notification"] != false ||
		!strings.HasPrefix(text, "shop is DOWN: 502 Bad Gateway\n\nshop is down since") {
		t.Errorf("body %v", c.body)
	}
}

func TestTelegramTokenNeverLeaks(t *testing.T) {
	// A Bot API that refuses, and echoes the token back in its description.
	refusing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, `{"ok":false,"error_code":401,"description":"Unauthorized: bot`+testToken+` rejected"}`)
	}))
	defer refusing.Close()
	// And one that is gone: the transport error quotes the request URL, token included.
	gone := httptest.NewServer(http.NotFoundHandler())
	goneURL := gone.URL
	gone.Close()

	for _, tc := range []struct {
		name, base string
		attempts   int // of the down message: a refusal is final, a network error is retried
	}{{"refused", refusing.URL, 1}, {"unreachable", goneURL, 2}} {
		t.Run(tc.name, func(t *testing.T) {
			base := tc.base
			var logs bytes.Buffer
			var rec recorder
			finished := make(chan struct{})
			var incidents []monitor.Incident
			cfg := &Config{Name: "tg", Kind: KindTelegram, Token: testToken, ChatID: "42", BaseURL: base,
				Default: true, On: []string{"down", "up"}}
			d := New(Options{
				Alerts: []*Config{cfg},
				OnDelivery: func(ev monitor.Event) {
					rec.add(ev)
					if ev.Monitor == "shop" && ev.Alert.Attempts == tc.attempts {
						close(finished)
					}
				},
				OnIncident:  func(in monitor.Incident) { incidents = append(incidents, in) },
				Logger:      newTextLogger(&logs),
				MaxAttempts: 2,
				Backoff:     time.Millisecond,
				BurstWindow: -1,
			})
			testErr := d.Test(context.Background(), "tg")
			newFakeEngine(d).down(testMonitor("shop"))
			<-finished
			d.Close()
			if testErr == nil {
				t.Fatal("the failing Bot API accepted the test")
			}
			evs := rec.all()
			// the test, then the down message (kept after its retries: it
			// may be tried again before Close, and once more at Close)
			if len(evs) < 1+tc.attempts || tc.attempts == 1 && len(evs) != 2 {
				t.Fatalf("%d delivery events: %+v", len(evs), evs)
			}
			for _, ev := range evs {
				if ev.Alert.OK || ev.Alert.Error == "" {
					t.Errorf("event %+v should be a failure with a reason", ev.Alert)
				}
			}
			js, _ := json.Marshal(evs)
			inc, _ := json.Marshal(incidents)
			for what, text := range map[string]string{
				"Test error": testErr.Error(), "log": logs.String(), "events": string(js), "incidents": string(inc),
				"Err": errString(d.Err()),
			} {
				for _, secret := range []string{testToken, "AAH-sup3r-s3cret-b0t-t0ken"} {
					if strings.Contains(text, secret) {
						t.Errorf("token in %s: %s", what, text)
					}
				}
			}
			if !strings.Contains(logs.String(), "alert delivery failed") {
				t.Errorf("failure not logged: %s", logs.String())
			}
		})
	}
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// --- webhook -------------------------------------------------------------

func TestWebhookSignedJSON(t *testing.T) {
	secret := "whsec-0123456789abcdef"
	type got struct {
		header  http.Header
		body    []byte
		payload WebhookPayload
	}
	gotc := make(chan got, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		// A receiver checks the signature before it trusts anything.
		if !Verify([]byte(secret), body, r.Header.Get(HeaderSignature)) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		var p WebhookPayload
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		gotc <- got{r.Header.Clone(), body, p}
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	cfg := &Config{Name: "hook", Kind: KindWebhook, URL: srv.URL + "/upbeat", Secret: secret,
		Headers: map[string]string{"X-Team": "payments"}}
	ch, err := NewChannel(cfg, ChannelOptions{HTTPClient: srv.Client()})
	if err != nil {
		t.Fatal(err)
	}
	msg := downMessage()
	if err := ch.Send(context.Background(), msg); err != nil {
		t.Fatal(err)
	}
	g := <-gotc
	if g.header.Get("X-Team") != "payments" || g.header.Get("Content-Type") != "application/json" ||
		g.header.Get(HeaderEvent) != "down" || g.header.Get(HeaderDelivery) != msg.ID {
		t.Errorf("headers %v", g.header)
	}
	ts, err := strconv.ParseInt(g.header.Get(HeaderTimestamp), 10, 64)
	if err != nil || time.Since(time.Unix(ts, 0)) > time.Minute {
		t.Errorf("timestamp header %q", g.header.Get(HeaderTimestamp))
	}
	if want := Sign([]byte(secret), g.body); g.header.Get(HeaderSignature) != want || !strings.HasPrefix(want, "sha256=") {
		t.Errorf("signature %q", g.header.Get(HeaderSignature))
	}
	p := g.payload
	if p.Version != WebhookVersion || p.Event != "down" || !p.Urgent || p.ID != msg.ID || len(p.Monitors) != 1 || p.SentAt.Unix() != ts {
		t.Errorf("payload %+v", p)
	}
	m := p.Monitors[0]
	if m.Monitor != "shop" || m.Code != 502 || m.Class != "http_502" || m.Name != "Bad Gateway" || m.Meaning == "" ||
		m.FirstStep == "" || m.Status != monitor.StatusDown || m.Since.IsZero() || m.URL != "https://shop.example.test/health" {
		t.Errorf("monitor %+v", m)
	}
	// The schema's field names, as WEBHOOK.md documents them.
	var raw map[string]any
	_ = json.Unmarshal(g.body, &raw)
	for _, k := range []string{"version", "id", "event", "urgent", "title", "text", "time", "sent_at", "monitors"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("payload lacks %q", k)
		}
	}
}

func TestWebhookStatusHandling(t *testing.T) {
	status := http.StatusServiceUnavailable
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) }))
	defer srv.Close()
	ch, err := NewChannel(&Config{Name: "hook", Kind: KindWebhook, URL: srv.URL}, ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), downMessage())
	if err == nil || IsPermanent(err) {
		t.Errorf("503: %v (permanent=%v), want a retryable error", err, IsPermanent(err))
	}
	status = http.StatusNotFound
	if err := ch.Send(context.Background(), downMessage()); !IsPermanent(err) {
		t.Errorf("404: %v, want a permanent error", err)
	}
	if _, err := NewChannel(&Config{Name: "hook", Kind: KindWebhook, URL: "ftp://x"}, ChannelOptions{}); err == nil {
		t.Error("ftp webhook accepted")
	}
}

// --- terminal ------------------------------------------------------------

func TestTerminalOSCOutsideAndInsideTmux(t *testing.T) {
	msg := Message{Event: EventDown, Urgent: true, Title: "shop is DOWN: 502 Bad Gateway", Text: "shop is down since 14:02.\nmore"}
	for _, tc := range []struct {
		env  map[string]string
		want string
	}{
		{nil, "\x1b]9;upbeat: shop is DOWN: 502 Bad Gateway\x07" +
			"\x1b]777;notify;upbeat: shop is DOWN: 502 Bad Gateway;shop is down since 14:02.\x07\a"},
		{map[string]string{"TMUX": "socket,1234,0"},
			"\x1bPtmux;\x1b\x1b]9;upbeat: shop is DOWN: 502 Bad Gateway\x07\x1b\\" +
				"\x1bPtmux;\x1b\x1b]777;notify;upbeat: shop is DOWN: 502 Bad Gateway;shop is down since 14:02.\x07\x1b\\\a"},
	} {
		var term bytes.Buffer
		ch, err := NewChannel(&Config{Name: "term", Kind: KindTerminal}, ChannelOptions{
			Terminal: &term, Env: func(k string) string { return tc.env[k] },
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := ch.Send(context.Background(), msg); err != nil {
			t.Fatal(err)
		}
		if got := term.String(); got != tc.want {
			t.Errorf("tmux=%v:\n got %q\nwant %q", tc.env != nil, got, tc.want)
		}
	}
	// Not urgent: no bell.
	if s := TerminalSequence(Message{Event: EventDegraded, Title: "cdn is degraded"}, false); strings.HasSuffix(s, "\a\a") || strings.Count(s, "\a") != 2 {
		t.Errorf("degraded sequence %q should not ring", s)
	}
}

func TestTerminalTextCannotInjectSequences(t *testing.T) {
	// A hostile target's error text and a crafted monitor name.
	msg := Message{Event: EventDown, Urgent: true,
		Title: "evil\x1b]0;pwned\x07 \x1b[2J\x9b31m;9;4;3\x07name",
		Text:  "body\x1bP+q\x1b\\ \x07ring\x1b]8;;http://x\x1b\\link"}
	for _, tmux := range []bool{false, true} {
		s := TerminalSequence(msg, tmux)
		for _, bad := range []string{"pwned\x07", "\x1b[2J", "\x1b]0;", "\x1bP+q", "\x1b]8;", "\x9b"} {
			if strings.Contains(s, bad) {
				t.Errorf("tmux=%v: %q got through: %q", tmux, bad, s)
			}
		}
		wantESC := 2 // one OSC each
		if tmux {
			wantESC = 2 * (1 + 2 + 1) // DCS, doubled ESC, ST
		}
		if n := strings.Count(s, "\x1b"); n != wantESC {
			t.Errorf("tmux=%v: %d ESC bytes, want %d: %q", tmux, n, wantESC, s)
		}
		if n := strings.Count(s, "\a"); n != 3 { // two terminators and the bell
			t.Errorf("tmux=%v: %d BEL bytes, want 3: %q", tmux, n, s)
		}
	}
}

func TestTerminalWithoutTerminal(t *testing.T) {
	ch, _ := NewChannel(&Config{Name: "term", Kind: KindTerminal}, ChannelOptions{})
	if err := ch.Send(context.Background(), downMessage()); !errors.Is(err, ErrNoTerminal) || !IsPermanent(err) {
		t.Errorf("no terminal: %v", err)
	}
}

// --- url (shoutrrr) ------------------------------------------------------

func TestURLChannelThroughGenericService(t *testing.T) {
	bodies := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies <- r.URL.Path + " " + string(b)
	}))
	defer srv.Close()
	ch, err := NewChannel(&Config{Name: "chat", Kind: KindURL, URL: "generic+" + srv.URL + "/notify"}, ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ch.Send(context.Background(), downMessage()); err != nil {
		t.Fatal(err)
	}
	got := <-bodies
	if !strings.HasPrefix(got, "/notify ") || !strings.Contains(got, "shop is down since") {
		t.Errorf("service got %q", got)
	}
}

func TestURLChannelErrorsHideTheURL(t *testing.T) {
	gone := httptest.NewServer(http.NotFoundHandler())
	raw := "generic+" + gone.URL + "/hooks/tok-9f8e7d6c5b4a3210"
	gone.Close()
	ch, err := NewChannel(&Config{Name: "chat", Kind: KindURL, URL: raw}, ChannelOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	err = ch.Send(context.Background(), downMessage())
	if err == nil {
		t.Fatal("sent to a closed server")
	}
	if strings.Contains(err.Error(), "tok-9f8e7d6c5b4a3210") {
		t.Errorf("token in error: %v", err)
	}
	_, err = NewChannel(&Config{Name: "x", Kind: KindURL, URL: "nosuchservice://secret-token-abc@host"}, ChannelOptions{})
	if err == nil || strings.Contains(err.Error(), "secret-token-abc") {
		t.Errorf("unknown service: %v", err)
	}
}

// --- desktop -------------------------------------------------------------

func TestDesktopChannel(t *testing.T) {
	var title, body string
	d := newDesktop("desk", func(t, b string) error { title, body = t, b; return nil })
	if err := d.Send(context.Background(), downMessage()); err != nil {
		t.Fatal(err)
	}
	if title != "shop is DOWN: 502 Bad Gateway" || !strings.Contains(body, "\nFirst step:") {
		t.Errorf("notification %q / %q", title, body)
	}
	// A desktop that never answers does not hold the sender past its context.
	stuck := make(chan struct{})
	defer close(stuck)
	hung := newDesktop("desk", func(string, string) error { <-stuck; return nil })
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := hung.Send(ctx, downMessage()); !errors.Is(err, context.Canceled) {
		t.Errorf("hung desktop: %v", err)
	}
}

func TestDesktopWithoutADesktopFailsGracefully(t *testing.T) {
	t.Setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path="+t.TempDir()+"/no-bus")
	t.Setenv("PATH", t.TempDir()) // no notify-send, no kdialog
	ch, err := NewChannel(&Config{Name: "desk", Kind: KindDesktop}, ChannelOptions{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = ch.Send(ctx, downMessage())
	if err == nil || !strings.HasPrefix(err.Error(), "desktop notification: ") || errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("no desktop: %v, want a prompt error from the notification library", err)
	}
}
