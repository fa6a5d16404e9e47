package alert

import (
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// A 503 with Retry-After says when the server expects to be back, in the
// message itself (issue 10): from the check's error when it names it, or
// on a line of its own.
func TestDownMessageShowsRetryAfter(t *testing.T) {
	m := &monitor.Monitor{Name: "billing", URL: "https://billing.example.com/health"}
	for _, errText := range []string{"HTTP 503 Service Unavailable, Retry-After 20m", "HTTP 503 Service Unavailable"} {
		r := &monitor.Result{Status: monitor.StatusDown, Code: 503, Class: "http_503", Error: errText, RetryAfter: 20 * time.Minute}
		msg := composer{loc: time.UTC}.single(itemFrom(EventDown, m, m.Name, r), time.Now())
		facts, _, _ := strings.Cut(msg.Text, "First step:") // the first step may mention the header too
		if n := strings.Count(facts, "Retry-After"); n != 1 || !strings.Contains(facts, "20m") {
			t.Errorf("error %q: Retry-After %d times in\n%s", errText, n, msg.Text)
		}
	}
}
