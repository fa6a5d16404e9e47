package tui_test

import (
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// The local dashboard (and the daemon's over SSH, to read-only keys too)
// has the config's monitors, URLs with passwords and tokens: the detail
// view shows them redacted, and the final URL only when it differs.
func TestDetailRedactsTheURL(t *testing.T) {
	t.Parallel()
	st := stateOf(t, tuitest.Fixture(fixedNow), "billing")
	m := *st.Monitor
	m.URL = "https://admin:hunter2@billing.example.com/health?api_key=K3Y-secret&region=eu"
	st.Monitor = &m
	st.Last.FinalURL = "https://xxxxx@billing.example.com/health?api_key=xxxxx&region=eu"
	v := newDetail(t, st, nil, nil, 160, 40).View()
	if strings.Contains(v, "hunter2") || strings.Contains(v, "K3Y-secret") || strings.Contains(v, "admin") {
		t.Errorf("the detail view shows a secret:\n%s", v)
	}
	if !strings.Contains(v, "https://xxxxx@billing.example.com/health?api_key=xxxxx&region=eu") || strings.Contains(v, "→ https://") {
		t.Errorf("the detail view does not show the URL redacted once:\n%s", v)
	}
}
