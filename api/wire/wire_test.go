package wire

import (
	"encoding/json"
	"net/url"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestSampleCompactRoundTrip(t *testing.T) {
	in := []Sample{{Time: time.UnixMilli(1795400584123), LatencyMS: 41.75, Status: monitor.StatusDown, Code: 502}}
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if string(b) != `[[1795400584123,41.75,"down",502]]` {
		t.Errorf("encoded %s", b)
	}
	var out []Sample
	if err := json.Unmarshal(b, &out); err != nil {
		t.Fatal(err)
	}
	if !out[0].Time.Equal(in[0].Time) || out[0] != (Sample{Time: out[0].Time, LatencyMS: 41.75, Status: monitor.StatusDown, Code: 502}) {
		t.Errorf("decoded %+v", out[0])
	}
	for _, bad := range []string{`[1,2,"sideways",3]`, `[1,2]`, `{"t":1}`} {
		var s Sample
		if err := json.Unmarshal([]byte(bad), &s); err == nil {
			t.Errorf("%s decoded without error", bad)
		}
	}
}

func TestResultRoundTripAndSanitize(t *testing.T) {
	exp := time.Date(2027, 1, 2, 3, 4, 5, 0, time.UTC)
	r := monitor.Result{Monitor: "shop", Kind: monitor.KindHTTP, URL: "https://shop.example/", Time: time.Unix(1795400584, 0),
		Status: monitor.StatusDegraded, Code: 200, Latency: 1234567 * time.Microsecond, Class: "slow", Attempts: 2,
		Phases:     monitor.Phases{DNS: time.Millisecond, Connect: 2 * time.Millisecond, TLS: 3 * time.Millisecond, FirstByte: time.Second, Transfer: 4 * time.Millisecond},
		RetryAfter: 30 * time.Second, CertExpiry: exp, CertDays: 39, BodySize: 99, Answers: []string{"1.2.3.4"}}
	b, _ := json.Marshal(FromResult(&r))
	var w Result
	if err := json.Unmarshal(b, &w); err != nil {
		t.Fatal(err)
	}
	back := w.ToEngine()
	back.Time, r.Time = back.Time.UTC(), r.Time.UTC()
	if back.Latency != r.Latency || back.Phases != r.Phases || back.RetryAfter != r.RetryAfter || !back.CertExpiry.Equal(exp) ||
		back.CertDays != 39 || back.Code != 200 || back.Status != monitor.StatusDegraded || back.Answers[0] != "1.2.3.4" {
		t.Errorf("round trip: %+v", back)
	}
	w.Error = "evil\x1b]0;title\x07 text"
	if got := w.ToEngine().Error; got != "evil text" {
		t.Errorf("not sanitized: %q", got)
	}
}

func TestRedactURL(t *testing.T) {
	mk := func(raw string, k monitor.Kind) *monitor.Monitor {
		u, _ := url.Parse(raw)
		return &monitor.Monitor{URL: raw, Parsed: u, Kind: k}
	}
	for _, tc := range []struct {
		m    *monitor.Monitor
		want string
	}{
		{mk("push://s3cret", monitor.KindPush), "push://…"},
		{mk("https://bob:pw@api.example/x", monitor.KindHTTP), "https://xxxxx@api.example/x"},
		{mk("tcp://db:5432", monitor.KindTCP), "tcp://db:5432"},
	} {
		if got := RedactURL(tc.m); got != tc.want {
			t.Errorf("RedactURL(%s) = %q, want %q", tc.m.URL, got, tc.want)
		}
	}
}
