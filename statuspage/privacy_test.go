package statuspage

import (
	"bufio"
	"compress/gzip"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestPublicPageRevealsNothing asks a public page, its JSON, its text,
// its live stream and every badge in every way a client might, for
// monitors whose URLs hold passwords and tokens, whose addresses are
// private and whose errors name them, and finds none of it.
func TestPublicPageRevealsNothing(t *testing.T) {
	live := &fakeLive{states: secretMonitors()}
	page := &Config{Path: "/status", Title: "Shop", Public: true}
	_, ts := newTestServer(t, live, page)

	check := func(what, body string) {
		t.Helper()
		if body == "" {
			t.Errorf("%s: empty", what)
		}
		for _, f := range forbidden {
			if strings.Contains(body, f) {
				t.Errorf("%s shows %q", what, f)
			}
		}
	}
	asks := [][]string{
		{"Accept", "text/html"},
		{"Accept", "application/json"},
		{"Accept", "text/plain"},
		{"User-Agent", "curl/8.5.0"},
		{"Authorization", "Bearer anything", "Accept", "application/json"},
		{"X-Forwarded-For", "127.0.0.1", "X-Upbeat-Detail", "1", "Accept", "text/html"},
	}
	queries := []string{"", "?color=1", "?debug=1&verbose=true&private=1&details=all&url=1", "?format=json&token=x"}
	for _, path := range []string{"/status", "/status.json", "/status.txt"} {
		for _, q := range queries {
			for _, hdr := range asks {
				resp, body := get(t, ts.URL+path+q, hdr...)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("%s%s %v: %s", path, q, hdr, resp.Status)
				}
				check(path+q+" "+strings.Join(hdr, " "), body)
			}
		}
	}
	// Compressed as a browser gets it.
	resp, _ := get(t, ts.URL+"/status", "Accept-Encoding", "gzip", "Accept", "text/html")
	if resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("no gzip for a browser: %v", resp.Header)
	}
	// The live stream's first update holds the whole page.
	check("live stream", firstEvent(t, ts.URL+"/status/events"))
	// Every badge of every monitor, with a label asked for.
	for _, st := range live.states {
		for _, kind := range BadgeKinds() {
			for _, q := range []string{"", "?label=x&style=plastic&detail=1"} {
				path := BadgePath("/status", rowKey(st.Monitor.Name), kind) + q
				resp, body := get(t, ts.URL+path)
				if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "image/svg+xml" {
					t.Fatalf("%s: %s %s", path, resp.Status, resp.Header.Get("Content-Type"))
				}
				check(path, body)
			}
		}
	}
	// The names are there.
	_, body := get(t, ts.URL+"/status", "Accept", "text/html")
	for _, st := range live.states {
		if !strings.Contains(body, ">"+st.Monitor.Name+"<") {
			t.Errorf("the page does not name %s", st.Monitor.Name)
		}
	}
}

// TestPrivatePageShowsDetailWithoutSecrets: a page that is not public
// says what failed and where, still without a password or token.
func TestPrivatePageShowsDetailWithoutSecrets(t *testing.T) {
	live := &fakeLive{states: secretMonitors()}
	_, ts := newTestServer(t, live, &Config{Path: "/team"})
	for _, path := range []string{"/team", "/team.json", "/team.txt"} {
		_, body := get(t, ts.URL+path, "Accept", "text/html")
		for _, want := range []string{"internal-shop.corp.example", "Bad Gateway"} {
			if !strings.Contains(body, want) {
				t.Errorf("%s does not show %q", path, want)
			}
		}
		for _, secret := range []string{"s3cr3t", "tok-SECRET", "key-SECRET", "pg-SECRET", "hdr-SECRET", "pw-SECRET"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s shows %q", path, secret)
			}
		}
	}
}

// firstEvent reads a live stream until its first update.
func firstEvent(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Accept", "text/event-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if data, ok := strings.CutPrefix(sc.Text(), "data: "); ok {
			return data
		}
	}
	t.Fatalf("the stream ended without an update: %v", sc.Err())
	return ""
}

// TestPageSizeAtScale: 500 monitors with 90 days each fit in 200 KB when
// compressed as served.
func TestPageSizeAtScale(t *testing.T) {
	p := bigPage(500)
	var html strings.Builder
	if err := p.WriteHTML(&html); err != nil {
		t.Fatal(err)
	}
	var gz countWriter
	zw, _ := gzip.NewWriterLevel(&gz, gzip.DefaultCompression)
	io.WriteString(zw, html.String())
	zw.Close()
	t.Logf("500 monitors × %d days: %d KB of HTML, %d KB compressed", NumDays, html.Len()>>10, gz.n>>10)
	if gz.n >= 200<<10 {
		t.Errorf("compressed page is %d KB, want under 200 KB", gz.n>>10)
	}
	if n := strings.Count(html.String(), `role="img"`); n != 500*NumDays {
		t.Errorf("%d days drawn, want %d", n, 500*NumDays)
	}
}

type countWriter struct{ n int }

func (c *countWriter) Write(p []byte) (int, error) {
	c.n += len(p)
	return len(p), nil
}

var _ = time.Second
