package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"
	"github.com/coder/websocket"
	"google.golang.org/grpc"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/upbeat-monitor/upbeat/config"
	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/internal/testserver"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
)

// servers are the real servers the tests of this package share, started
// by the first test that needs each and stopped after the last test.
var servers testserver.Group

func TestMain(m *testing.M) {
	runStatusAsMain() // a child of quickstatus_test.go
	testmain.SkipRaceExitSleep()
	// The parallel tests here wait far more than they compute (on real
	// servers, a browser, daemons' check intervals, child processes): all
	// of them may wait at once.
	testmain.Parallel(16)
	code := m.Run()
	closeBrowser()
	servers.Close()
	testmain.Exit(code)
}

// realServers starts (once) the servers behind a site that the end-to-end
// tests use, side by side, skipping or failing as testserver.Need does.
type realServers struct {
	pg *testserver.Postgres
	my *testserver.MariaDB
	rs *testserver.Redis
	pf *testserver.Postfix // nil when not run as root
}

func startRealServers(t *testing.T) realServers {
	t.Helper()
	testserver.Need(t, "postgresql", "postgres")
	testserver.Need(t, "mariadb-server", "mariadbd", "mysqld")
	testserver.Need(t, "redis-server", "redis-server")
	testserver.Need(t, "postfix", "postfix")
	var s realServers
	var wg sync.WaitGroup
	errs := make([]error, 4)
	start := func(i int, name string, f func() (any, error), set func(any)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := servers.Once(name, f)
			if err == nil {
				set(v)
			}
			errs[i] = err
		}()
	}
	start(0, "postgres", func() (any, error) { return testserver.StartPostgres(&servers) }, func(v any) { s.pg = v.(*testserver.Postgres) })
	start(1, "mariadb", func() (any, error) { return testserver.StartMariaDB(&servers) }, func(v any) { s.my = v.(*testserver.MariaDB) })
	start(2, "redis", func() (any, error) { return testserver.StartRedis(&servers) }, func(v any) { s.rs = v.(*testserver.Redis) })
	start(3, "postfix", func() (any, error) { return testserver.StartPostfix(&servers) }, func(v any) { s.pf = v.(*testserver.Postfix) })
	wg.Wait()
	for _, err := range errs {
		if err != nil && !errors.Is(err, testserver.ErrNeedsRoot) {
			t.Fatal(err)
		}
	}
	return s
}

// inProcessServices starts a gRPC health server (shop.Orders serving,
// shop.Payments not) and a WebSocket echo server whose /close path
// closes with 1011; it returns their addresses.
func inProcessServices(t *testing.T) (grpcAddr, wsAddr string) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := health.NewServer()
	hs.SetServingStatus("shop.Orders", healthpb.HealthCheckResponse_SERVING)
	hs.SetServingStatus("shop.Payments", healthpb.HealthCheckResponse_NOT_SERVING)
	gs := grpc.NewServer()
	healthpb.RegisterHealthServer(gs, hs)
	go func() { _ = gs.Serve(ln) }()
	t.Cleanup(gs.Stop)

	ws := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		defer c.CloseNow()
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		_, msg, err := c.Read(ctx)
		if err != nil {
			return
		}
		if r.URL.Path == "/close" {
			_ = c.Close(websocket.StatusInternalError, "backend gone")
			return
		}
		_ = c.Write(ctx, websocket.MessageText, append([]byte("echo: "), msg...))
		_, _, _ = c.Read(ctx) // until the client closes
	}))
	t.Cleanup(ws.Close)
	return ln.Addr().String(), strings.TrimPrefix(ws.URL, "http://")
}

// TestCheckJSONAgainstRealServers runs `upbeat check --json` against real
// PostgreSQL, MariaDB, Redis and Postfix servers and in-process gRPC and
// WebSocket servers: each new kind shows the right status and class, with
// passwords taken from the environment and from a file.
func TestCheckJSONAgainstRealServers(t *testing.T) {
	t.Parallel()
	s := startRealServers(t)
	grpcAddr, wsAddr := inProcessServices(t)
	closed := closedAddr(t)
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "mysql-password"), []byte(s.my.Password+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"UPBEAT_TEST_PG_PASSWORD": s.pg.Password, "UPBEAT_TEST_REDIS_PASSWORD": s.rs.Password}

	type want struct{ status, class string }
	wants := map[string]want{}
	var cfg strings.Builder
	cfg.WriteString("[settings]\nretries = 0\ninterval = \"30s\"\ntimeout = \"3s\"\n")
	add := func(name, body string, w want) {
		fmt.Fprintf(&cfg, "\n[[monitor]]\nname = %q\n%s\n", name, body)
		wants[name] = w
	}
	add("pg", fmt.Sprintf("url = \"postgres://postgres@%s/postgres?sslmode=verify-full\"\npassword = \"${UPBEAT_TEST_PG_PASSWORD}\"\nca_file = %q\nexpect_value = \"1\"", s.pg.Addr, s.pg.TLS.CAFile), want{"up", ""})
	add("pg-bad-password", fmt.Sprintf("url = \"postgres://postgres@%s/postgres\"\npassword = \"wrong-password\"", s.pg.Addr), want{"down", "postgres_auth_failed"})
	add("pg-stopped", fmt.Sprintf("url = \"postgres://postgres@%s/postgres\"", closed), want{"down", "refused"})
	add("mysql", fmt.Sprintf("url = \"mysql://%s@%s/shop?tls=true\"\npassword_file = \"mysql-password\"\nca_file = %q", s.my.User, s.my.Addr, s.my.TLS.CAFile), want{"up", ""})
	add("mysql-bad-password", fmt.Sprintf("url = \"mysql://%s@%s/shop\"\npassword = \"wrong-password\"", s.my.User, s.my.Addr), want{"down", "mysql_auth_failed"})
	add("mysql-plain", fmt.Sprintf("url = \"mysql://%s@%s/shop?tls=false\"\npassword_file = \"mysql-password\"", s.my.User, s.my.Addr), want{"down", "tls_required"})
	add("redis", fmt.Sprintf("url = \"redis://%s/0\"\npassword = \"${UPBEAT_TEST_REDIS_PASSWORD}\"\nquery = \"PING\"\nexpect_value = \"PONG\"", s.rs.Addr), want{"up", ""})
	add("redis-bad-password", fmt.Sprintf("url = \"redis://%s/0\"\npassword = \"wrong-password\"", s.rs.Addr), want{"down", "redis_auth_failed"})
	add("grpc", fmt.Sprintf("url = \"grpc://%s/shop.Orders\"", grpcAddr), want{"up", ""})
	add("grpc-not-serving", fmt.Sprintf("url = \"grpc://%s/shop.Payments\"", grpcAddr), want{"down", "grpc_not_serving"})
	add("ws", fmt.Sprintf("url = \"ws://%s/echo\"\nsend = \"ping\"\nexpect_body = \"echo: ping\"", wsAddr), want{"up", ""})
	add("ws-closed", fmt.Sprintf("url = \"ws://%s/close\"\nsend = \"ping\"", wsAddr), want{"down", "ws_closed"})
	if s.pf != nil {
		add("smtp", fmt.Sprintf("url = \"smtp://%s\"\nstarttls = \"mandatory\"\nca_file = %q", s.pf.TLSAddr, s.pf.TLS.CAFile), want{"up", ""})
		add("smtp-rejected", fmt.Sprintf("url = \"smtp://%s\"", s.pf.RejectAddr), want{"down", "smtp_554"})
		add("smtp-no-starttls", fmt.Sprintf("url = \"smtp://%s\"\nstarttls = \"mandatory\"", s.pf.PlainAddr), want{"down", "tls_unavailable"})
	}
	path := filepath.Join(dir, "upbeat.toml")
	if err := os.WriteFile(path, []byte(cfg.String()), 0o600); err != nil {
		t.Fatal(err)
	}

	out, errOut, code := runCmdEnv(t, vars, "check", "--json", "--config", path)
	if code != exitDown {
		t.Fatalf("exit %d, want 1 (some down); stderr: %s\n%s", code, errOut, out)
	}
	got := decodeLines(t, out)
	for name, w := range wants {
		j, ok := got[name]
		if !ok {
			t.Errorf("%s: no line", name)
			continue
		}
		if j.Status != w.status || j.Class != w.class {
			t.Errorf("%s: %s/%q (%s), want %s/%q", name, j.Status, j.Class, j.Error, w.status, w.class)
		}
		if w.class != "" && j.Explanation == "" {
			t.Errorf("%s: no explanation for %s", name, j.Class)
		}
	}
	if j := got["pg"]; j.CertDays == nil || len(j.Answers) == 0 || !strings.HasPrefix(j.Answers[0], "version ") {
		t.Errorf("pg: certificate days %v, answers %q: want both", j.CertDays, j.Answers)
	}
	if j := got["smtp-rejected"]; s.pf != nil && j.Code != 554 {
		t.Errorf("smtp-rejected: code %d, want 554", j.Code)
	}
	for _, secret := range []string{s.pg.Password, s.my.Password, s.rs.Password, "wrong-password"} {
		if strings.Contains(out+errOut, secret) {
			t.Errorf("a password shows in check's output")
		}
	}
}

// TestServicePasswordAppearsNowhere: a database password given in the
// environment, in a file or in the URL never shows in a result, an event,
// a log line, the history files or the dashboard, whether the login
// succeeds or fails.
func TestServicePasswordAppearsNowhere(t *testing.T) {
	t.Parallel()
	testserver.Need(t, "postgresql", "postgres")
	v, err := servers.Once("postgres", func() (any, error) { return testserver.StartPostgres(&servers) })
	if err != nil {
		t.Fatal(err)
	}
	pg := v.(*testserver.Postgres)
	dir := t.TempDir()
	const wrong = "wrong-Pa55word-in-file"
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte(wrong), 0o600); err != nil {
		t.Fatal(err)
	}
	vars := map[string]string{"UPBEAT_TEST_PG_PASSWORD": pg.Password}
	cfgPath := filepath.Join(dir, "upbeat.toml")
	cfgText := fmt.Sprintf(`
[settings]
history_dir = %q
retries = 0
timeout = "3s"

[[monitor]]
name = "db-env"
url = "postgres://postgres@%[2]s/postgres"
password = "${UPBEAT_TEST_PG_PASSWORD}"
interval = "1h"

[[monitor]]
name = "db-file"
url = "postgres://postgres@%[2]s/postgres"
password_file = "pw"
interval = "1h"

[[monitor]]
name = "db-url"
url = "postgres://postgres:%[3]s@%[2]s/postgres"
interval = "1h"
`, filepath.Join(dir, "history"), pg.Addr, wrong+"-url")
	if err := os.WriteFile(cfgPath, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.LoadWithEnv(cfgPath, lookupIn(vars))
	if err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	rt, err := newRuntime(cfg, runtimeOptions{getenv: os.Getenv, log: logger})
	if err != nil {
		t.Fatal(err)
	}
	sub := rt.eng.Subscribe()
	defer sub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { rt.eng.Run(ctx); close(done) }()
	for _, n := range []string{"db-env", "db-file", "db-url"} {
		rt.eng.CheckNow(n)
	}
	src := rt.localSource(cfgPath, false)
	tm := teatest.NewTestModel(t, tui.New(src, tui.Options{Now: time.Now, NoColor: true}), teatest.WithInitialTermSize(200, 40))

	var seen []source.Event
	results := map[string]monitor.Result{}
	deadline := time.After(30 * time.Second)
	for len(results) < 3 {
		select {
		case <-sub.Ready():
			evs, _ := sub.Drain()
			seen = append(seen, evs...)
			for _, ev := range evs {
				if ev.Kind == monitor.EventResult && ev.Result != nil {
					results[ev.Monitor] = *ev.Result
				}
			}
		case <-deadline:
			t.Fatalf("results: %v", results)
		}
	}
	var screen []byte
	teatest.WaitFor(t, tm.Output(), func(b []byte) bool {
		screen = append(screen[:0], b...)
		return bytes.Contains(b, []byte("db-url"))
	}, teatest.WithDuration(10*time.Second))
	tm.Quit()
	rest, _ := io.ReadAll(tm.FinalOutput(t, teatest.WithFinalTimeout(5*time.Second)))
	screen = append(screen, rest...)
	cancel()
	<-done
	rt.Close()

	if r := results["db-env"]; r.Status != monitor.StatusUp {
		t.Errorf("db-env: %v %s %s", r.Status, r.Class, r.Error)
	}
	for _, n := range []string{"db-file", "db-url"} {
		if r := results[n]; r.Class != "postgres_auth_failed" {
			t.Errorf("%s: %v %s %s, want postgres_auth_failed", n, r.Status, r.Class, r.Error)
		}
	}
	check := func(where string, b []byte) {
		t.Helper()
		for _, secret := range []string{pg.Password, wrong} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("a password leaked into %s", where)
			}
		}
	}
	check("the dashboard", screen)
	check("the log", logs.Bytes())
	for _, ev := range seen {
		check("an event", []byte(fmt.Sprintf("%+v %+v", ev, ev.Result)))
	}
	_ = filepath.WalkDir(filepath.Join(dir, "history"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := os.ReadFile(p)
			check("history file "+filepath.Base(p), b)
		}
		return nil
	})
	out, _, _ := runCmdEnv(t, vars, "check", "--json", "--config", cfgPath)
	check("check --json", []byte(out))
}

// closedAddr is a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

// `upbeat explain` knows the classes of the services behind a site, and
// an SMTP reply code asked for as SMTP.
func TestExplainServiceClasses(t *testing.T) {
	for arg, want := range map[string]string{
		"smtp_554":               "SMTP 554 transaction failed",
		"smtp 421":               "SMTP 421 service not available",
		"postgres_login_timeout": "PostgreSQL login timed out",
		"tls_required":           "TLS required by the server",
		"grpc_not_serving":       "gRPC service not serving",
		"ws_closed":              "WebSocket closed by the server",
		"redis_auth_failed":      "Redis login refused",
		"mysql_not_allowed":      "MySQL host not allowed",
	} {
		out, errOut, code := runCmd(t, "explain", arg)
		if code != exitOK || !strings.Contains(out, want) || !strings.Contains(out, "First step") {
			t.Errorf("explain %s: exit %d, %q; stderr %q", arg, code, out, errOut)
		}
	}
}
