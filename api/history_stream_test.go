package api

import (
	"context"
	"errors"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// scanQuerier is fakeQuerier that also streams, as history.DB does.
type scanQuerier struct {
	fakeQuerier
	err error // returned before any result
}

var _ source.ResultScanner = scanQuerier{}

func (q scanQuerier) ScanResults(ctx context.Context, m string, from, to time.Time, limit int, fn func(*monitor.Result) error) error {
	if q.err != nil {
		return q.err
	}
	rs, _ := q.Results(m, from, to)
	if limit > 0 && len(rs) > limit {
		rs = rs[len(rs)-limit:]
	}
	for i := range rs {
		if err := fn(&rs[i]); err != nil {
			return err
		}
	}
	return nil
}

// rawGet returns the status and body of a GET.
func rawGet(t *testing.T, c *http.Client, u string) (int, string) {
	t.Helper()
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

// TestHistoryStreamedAsBefore: a history that streams gets the same bytes
// on the wire as one that answers with a slice.
func TestHistoryStreamedAsBefore(t *testing.T) {
	now := time.Now()
	fq := fakeQuerier{rs: []monitor.Result{
		{Monitor: "a", Time: now.Add(-48 * time.Hour), Status: monitor.StatusUp, Code: 200, Answers: []string{"<b>&"}},
		{Monitor: "a", Time: now.Add(-2 * time.Hour), Status: monitor.StatusUp, Code: 200, Latency: 40 * time.Millisecond},
		{Monitor: "a", Time: now.Add(-time.Hour), Status: monitor.StatusDown, Code: 503, Latency: 1500 * time.Millisecond, RetryAfter: 2 * time.Minute},
	}}
	serve := func(q engine.Querier) *http.Client {
		e := runEngine(t, config("x", testMonitor("a", "http://127.0.0.1/")), newSwitch(), engine.Options{Querier: q})
		sock := socketPath(t)
		startServer(t, New(backend(e), Options{Socket: sock}))
		return unixClient(t, sock)
	}
	slice, stream := serve(fq), serve(scanQuerier{fakeQuerier: fq})
	base := "http://localhost/api/v1/monitors/a/history"
	for _, q := range []string{"?since=3d", "?since=24h", "?since=3d&limit=2", "?since=1m", "?from=" + now.Add(-50*time.Hour).UTC().Format(time.RFC3339)} {
		wc, want := rawGet(t, slice, base+q)
		gc, got := rawGet(t, stream, base+q)
		if gc != wc || got != want {
			t.Errorf("%s: streamed %d %q\n   slice %d %q", q, gc, got, wc, want)
		}
	}
	failing := serve(scanQuerier{fakeQuerier: fq, err: errors.New("disk on fire")})
	if code, body := rawGet(t, failing, base+"?since=3d"); code != 500 || body != "{\"error\":\"history: disk on fire\",\"code\":\"internal\"}\n" {
		t.Errorf("failing history: %d %q", code, body)
	}
}
