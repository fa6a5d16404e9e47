package tui_test

import (
	"net/url"
	"regexp"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine/kb"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// serviceState is a monitor of a service behind a site with its last result.
func serviceState(name, raw string, r monitor.Result) monitor.State {
	u, _ := url.Parse(raw)
	k, _ := monitor.KindOf(u.Scheme)
	r.Monitor, r.Kind, r.URL = name, k, raw
	if r.Time.IsZero() {
		r.Time = fixedNow.Add(-time.Minute)
	}
	m := &monitor.Monitor{Name: name, URL: raw, Parsed: u, Kind: k, Interval: time.Minute, Timeout: 5 * time.Second}
	return monitor.State{Monitor: m, Status: r.Status, Since: fixedNow.Add(-time.Hour), Last: r}
}

// The detail view of a database names its phases (login, query), shows
// the server's version and the value it returned, and explains a failure
// with the knowledge base as it does an HTTP status.
func TestDetailOfAServiceBehindTheSite(t *testing.T) {
	t.Parallel()
	up := serviceState("db", "postgres://upbeat@db.example/shop", monitor.Result{Status: monitor.StatusUp, Latency: 4 * time.Millisecond,
		Phases:  monitor.Phases{Connect: time.Millisecond, TLS: 2 * time.Millisecond, FirstByte: 3 * time.Millisecond, Transfer: 1500 * time.Microsecond},
		Answers: []string{"version 15.18", "value 1"}})
	v := newDetail(t, up, nil, nil, 100, 200).View()
	for _, re := range []string{`login\s+3(\.0)? ms`, `query\s+1\.5 ms`, `version 15\.18`, `value 1`} {
		if !regexp.MustCompile(re).MatchString(v) {
			t.Errorf("detail lacks /%s/:\n%s", re, v)
		}
	}
	down := serviceState("mail", "smtp://mail.example:25", monitor.Result{Status: monitor.StatusDown, Code: 554, Class: "smtp_554",
		Error: "the greeting: 554 5.7.1 Client host rejected"})
	v = newDetail(t, down, nil, nil, 100, 200).View()
	e := kb.ForResult(554, "smtp_554")
	for _, want := range []string{e.Name, "554 5.7.1 Client host rejected"} {
		if !regexp.MustCompile(regexp.QuoteMeta(want)).MatchString(v) {
			t.Errorf("detail lacks %q:\n%s", want, v)
		}
	}
	checkFits(t, v, 100, 200)
}

// A password in a monitor's url never shows in the detail view.
func TestDetailHidesAPasswordInTheURL(t *testing.T) {
	t.Parallel()
	st := serviceState("db", "postgres://upbeat:hunter2-secret@db.example/shop", monitor.Result{Status: monitor.StatusDown,
		Class: "postgres_auth_failed", Error: "FATAL 28P01: password authentication failed for user \"upbeat\""})
	v := newDetail(t, st, nil, nil, 120, 200).View()
	if regexp.MustCompile("hunter2").MatchString(v) {
		t.Errorf("the password shows:\n%s", v)
	}
	if !regexp.MustCompile(`postgres://x+@db\.example/shop`).MatchString(v) {
		t.Errorf("the url is not shown redacted:\n%s", v)
	}
}

// The table names a service's kind as https is named: the TLS variant of
// the scheme (grpcs, wss, rediss, smtps); a gRPC status number gives way
// to the failure's class; an SMTP code shows as a code.
func TestTableShowsServiceKinds(t *testing.T) {
	t.Parallel()
	states := []monitor.State{
		serviceState("cache", "rediss://cache.example:6380/0", monitor.Result{Status: monitor.StatusUp, Latency: time.Millisecond}),
		serviceState("orders", "grpc://orders.example:50051/shop.Orders", monitor.Result{Status: monitor.StatusDown, Code: 14, Class: "refused"}),
		serviceState("mail", "smtp://mail.example:25", monitor.Result{Status: monitor.StatusDown, Code: 554, Class: "smtp_554"}),
		serviceState("db", "postgresql://upbeat@db.example/shop", monitor.Result{Status: monitor.StatusDown, Class: "postgres_auth_failed"}),
	}
	v := newTable(t, states, 160, 20).View()
	for name, re := range map[string]string{
		"cache":  `cache\s.*\srediss\s`,
		"orders": `orders\s.*\sgrpc\s+refused\s`,
		"mail":   `mail\s.*\ssmtp\s+554\s`,
		"db":     `db\s.*\spg\s+auth_f`,
	} {
		if !regexp.MustCompile(re).MatchString(lineOf(t, v, name+" ")) {
			t.Errorf("%s: line %q does not match /%s/", name, lineOf(t, v, name+" "), re)
		}
	}
	checkFits(t, v, 160, 20)
}
