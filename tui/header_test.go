package tui_test

import (
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/source"
	"github.com/upbeat-monitor/upbeat/tui"
	"github.com/upbeat-monitor/upbeat/tui/tuitest"
)

// headerLine2 renders the header for info at width w and returns its
// second line.
func headerLine2(t *testing.T, info source.Info, w int) string {
	t.Helper()
	h := tui.NewHeader(plainStyles())
	h.SetSize(w, 0)
	h.SetData(tuitest.Fixture(fixedNow), info, nil, fixedNow)
	v := h.View()
	checkFits(t, v, w, h.Height())
	return strings.Split(v, "\n")[1]
}

// When the second line does not fit, it drops whole parts, least useful
// first, and never cuts the location label.
func TestHeaderSecondLineDropsWholeParts(t *testing.T) {
	demo := source.Info{Config: "built-in demo", Location: "demo", Demo: true}
	two := source.Info{Config: "daemons at /run/user/1000/upbeat/eu-west.sock, /run/user/1000/upbeat/us-east.sock", Location: "eu-west, us-east"}
	three := source.Info{Config: two.Config, Location: "eu-west, us-east, ap-southeast-2"}
	one := source.Info{Config: "/etc/upbeat/upbeat.toml", Location: "eu-west"}
	for _, tc := range []struct {
		info    source.Info
		w       int
		want    []string
		wantNot []string
	}{
		{one, 200, []string{"config /etc/upbeat/upbeat.toml · location eu-west · 15 monitors", "uptime 24h 97.8%  14:03:00"}, nil},
		{one, 80, []string{"config /etc/upbeat/upbeat.toml · location eu-west", "uptime 24h 97.8%  14:03:00"}, []string{"…"}},
		// the demo's past is simulated, and the header says so at every width that has room
		{demo, 200, []string{"demo: 7 days of simulated history, then live targets on loopback · upbeat init writes a config · location demo · 15 monitors"}, nil},
		{demo, 80, []string{"demo: 7 days of simulated history · location demo", "uptime 24h 97.8%"}, []string{"…", "location de…"}},
		{demo, 40, []string{"demo · location demo"}, []string{"…"}},
		{two, 80, []string{"config daemons at /run/user/1000/", "… · location eu-west, us-east", "uptime 24h 97.8%"}, nil},
		{two, 50, []string{"location eu-west, us-east ", "uptime 24h 97.8%"}, []string{"config", "…"}},
		{three, 32, []string{"location eu-west, us-east +1"}, []string{"…", "ap-"}},
	} {
		l := headerLine2(t, tc.info, tc.w)
		for _, s := range tc.want {
			if !strings.Contains(l, s) {
				t.Errorf("%d columns, %q: line 2 lacks %q: %q", tc.w, tc.info.Location, s, l)
			}
		}
		for _, s := range tc.wantNot {
			if strings.Contains(l, s) {
				t.Errorf("%d columns, %q: line 2 has %q: %q", tc.w, tc.info.Location, s, l)
			}
		}
	}
}

// The header's warning line puts the count of a refused config's mistakes
// and the hint to run upbeat validate before the mistakes themselves.
func TestHeaderRefusedConfigKeepsCountAndHint(t *testing.T) {
	h := tui.NewHeader(plainStyles())
	h.SetSize(80, 0)
	msg := "config not reloaded: /srv/upbeat/upbeat.toml:3: monitor.intreval: unknown key; /srv/upbeat/upbeat.toml:7: monitor.url: not a URL"
	h.SetData(tuitest.Fixture(fixedNow), source.Info{Config: "/srv/upbeat/upbeat.toml"}, []string{msg}, fixedNow)
	v := h.View()
	checkFits(t, v, 80, h.Height())
	line := strings.Split(v, "\n")[2]
	for _, want := range []string{"! config not reloaded", "2 mistakes", "upbeat validate"} {
		if !strings.Contains(line, want) {
			t.Errorf("warning line lacks %q: %q", want, line)
		}
	}
}

// Counts read as a person would write them: "1 monitor", "1 failed
// check", never "1 monitors".
func TestCountsAgreeWithTheirNoun(t *testing.T) {
	states := tuitest.Fixture(fixedNow)[:1]
	h := tui.NewHeader(plainStyles())
	h.SetSize(200, 0)
	h.SetData(states, source.Info{Config: "upbeat.toml"}, nil, fixedNow)
	if v := h.View(); !strings.Contains(v, "· 1 monitor ") || strings.Contains(v, "1 monitors") {
		t.Errorf("header with one monitor: %q", v)
	}
	st := states[0]
	var byHour [24]int
	byHour[3] = 1
	q := &tuitest.History{ByHourOf: map[string][24]int{st.Monitor.Name: byHour}}
	v := newDetail(t, st, nil, q, 100, 300).View()
	if !strings.Contains(v, "no incident · 1 failed check\n") {
		t.Errorf("detail with one failed check:\n%s", v)
	}
}
