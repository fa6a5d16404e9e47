package client

import (
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/source"
)

// olderDaemon answers as a daemon built before every duration was in
// milliseconds and errors carried a code.
func olderDaemon(t *testing.T) *httptest.Server {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /api/v1/events", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprint(w, "event: hello\ndata: {\"epoch\":\"old\",\"location\":\"eu-west\",\"config\":\"/etc/upbeat.toml\","+
			"\"warnings\":[],\"history\":false,\"heartbeat_s\":15,\"resumed\":false}\n\n")
		fmt.Fprint(w, "id: old-1\nevent: snapshot\ndata: {\"location\":\"eu-west\",\"monitors\":[{\"monitor\":\"shop\","+
			"\"kind\":\"http\",\"url\":\"https://shop.example/\",\"status\":\"down\",\"code\":503,\"latency_ms\":12.5,"+
			"\"error\":\"\",\"class\":\"http_503\",\"attempts\":1,\"since\":\"0001-01-01T00:00:00Z\",\"uptime\":{\"24h\":null,\"7d\":null,\"30d\":null},"+
			"\"tags\":[],\"location\":\"eu-west\",\"paused\":false,\"acked\":false,\"checks\":1,\"skipped\":0,"+
			"\"config\":{\"interval_s\":30,\"timeout_s\":10,\"retries\":2,\"retry_interval_s\":5,\"grace_s\":60},"+
			"\"last\":{\"monitor\":\"shop\",\"kind\":\"http\",\"url\":\"https://shop.example/\",\"time\":\"2026-11-24T14:02:05Z\","+
			"\"status\":\"down\",\"code\":503,\"latency_ms\":12.5,\"error\":\"\",\"class\":\"http_503\",\"attempts\":1,\"retry_after_s\":120}}]}\n\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	mux.HandleFunc("POST /api/v1/monitors/shop/check", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		fmt.Fprint(w, `{"error":"this token may watch but not act"}`)
	})
	mux.HandleFunc("POST /api/v1/monitors/shop/ack", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		fmt.Fprint(w, `{"error":"no such monitor"}`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv
}

// A new dashboard still attaches to a daemon from before milliseconds and
// error codes: it reads the durations in seconds, and tells its refusals
// apart by their status.
func TestAttachToAnOlderDaemon(t *testing.T) {
	srv := olderDaemon(t)
	c := dial(t, []string{srv.URL}, Options{})
	st, ok := find(c.Snapshot(), "shop")
	if !ok {
		t.Fatal("no monitor from the older daemon")
	}
	m := st.Monitor
	if m.Interval != 30*time.Second || m.Timeout != 10*time.Second || m.RetryInterval != 5*time.Second || m.Grace != time.Minute {
		t.Errorf("config in seconds read as %v %v %v %v", m.Interval, m.Timeout, m.RetryInterval, m.Grace)
	}
	if st.Last.RetryAfter != 2*time.Minute || st.Last.Latency != 12500*time.Microsecond || !st.Since.IsZero() {
		t.Errorf("state %+v", st)
	}
	if err := c.CheckNow(bg, "shop"); !errors.Is(err, source.ErrForbidden) || err.Error() != "this token may watch but not act" {
		t.Errorf("a refusal without a code: %v, want ErrForbidden in the daemon's words", err)
	}
	if err := c.Ack(bg, "shop"); !errors.Is(err, source.ErrNoMonitor) {
		t.Errorf("404 without a code: %v", err)
	}
}
