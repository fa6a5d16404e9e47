package engine

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// A result (and so history, the API, the dashboard and alerts, which all
// take it from here) shows a monitor's URL and the URL a check ended at
// without user info and without the values of secret query parameters.
func TestResultURLsAreRedacted(t *testing.T) {
	chk := funcChecker(func(ctx context.Context, m *monitor.Monitor) monitor.Result {
		return monitor.Result{Status: monitor.StatusUp, Code: 200, FinalURL: "https://sso.example/done?access_token=T2&page=1"}
	})
	m := testMonitor("signed", time.Minute)
	m.URL = "https://bob:hunter2@api.example/x?token=T1&v=1"
	m.Parsed, _ = url.Parse(m.URL)
	e, err := New(testConfig(m), Options{Checkers: map[monitor.Kind]Checker{monitor.KindHTTP: chk}})
	if err != nil {
		t.Fatal(err)
	}
	r := e.CheckAll(context.Background())[0]
	if r.URL != "https://xxxxx@api.example/x?token=xxxxx&v=1" || r.FinalURL != "https://sso.example/done?access_token=xxxxx&page=1" {
		t.Errorf("URL %q, final URL %q", r.URL, r.FinalURL)
	}
}
