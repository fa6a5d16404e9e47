package alert

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// An alert about a service behind a site names its failure with the
// knowledge base, as one about HTTP does: an SMTP reply code as SMTP
// (never as the HTTP status of the same number), a database class by its
// name, and never the password of a database's url.
func TestAlertsAboutServices(t *testing.T) {
	c := composer{loc: time.UTC}
	now := time.Date(2026, 11, 24, 14, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		url   string
		r     monitor.Result
		title string
	}{
		{"smtp://mail.example:25", monitor.Result{Status: monitor.StatusDown, Code: 554, Class: "smtp_554", Error: "the greeting: 554 5.7.1 rejected"},
			"mail is DOWN: SMTP 554 transaction failed"},
		{"smtp://mail.example:25", monitor.Result{Status: monitor.StatusDown, Code: 421, Class: "smtp_421"},
			"mail is DOWN: SMTP 421 service not available"},
		{"mysql://upbeat:hunter2@db.example/shop", monitor.Result{Status: monitor.StatusDown, Code: 1045, Class: "mysql_auth_failed"},
			"mail is DOWN: MySQL login refused"},
		{"grpc://api.example:50051/shop.Orders", monitor.Result{Status: monitor.StatusDown, Code: 0, Class: "grpc_not_serving"},
			"mail is DOWN: gRPC service not serving"},
		{"postgres://upbeat:hunter2@db.example/shop", monitor.Result{Status: monitor.StatusDown, Class: "postgres_query_timeout"},
			"mail is DOWN: PostgreSQL query timed out"},
	} {
		u, _ := url.Parse(tt.url)
		k, _ := monitor.KindOf(u.Scheme)
		m := &monitor.Monitor{Name: "mail", URL: tt.url, Parsed: u, Kind: k}
		msg := c.single(itemFrom(EventDown, m, "mail", &tt.r), now)
		if msg.Title != tt.title {
			t.Errorf("title %q, want %q", msg.Title, tt.title)
		}
		if strings.Contains(msg.Title+msg.Text+msg.Items[0].URL, "hunter2") {
			t.Errorf("the password shows in the alert: %s\n%s", msg.Title, msg.Text)
		}
		if msg.Items[0].FirstStep == "" {
			t.Errorf("%s: no first step", tt.r.Class)
		}
	}
}
