package check

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// headerLog records the headers of the last request each handler saw.
type headerLog struct {
	mu   sync.Mutex
	seen map[string]http.Header
}

func (l *headerLog) record(name string, r *http.Request) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen == nil {
		l.seen = map[string]http.Header{}
	}
	l.seen[name] = r.Header.Clone()
}

func (l *headerLog) take(name string) http.Header {
	l.mu.Lock()
	defer l.mu.Unlock()
	h := l.seen[name]
	delete(l.seen, name)
	return h
}

// A redirect to another host carries none of the monitor's own headers and
// no Referer (which would hold the first URL's query); a redirect on the
// same host keeps the headers and adds no Referer either.
func TestHTTPRedirectKeepsHeadersOnHost(t *testing.T) {
	var log headerLog
	mux := http.NewServeMux()
	srv := httptest.NewUnstartedServer(mux)
	defer srv.Close()
	home := "http://" + srv.Listener.Addr().String()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/back" { // away and back again
			http.Redirect(w, r, home+"/land", http.StatusFound)
			return
		}
		log.record("other", r)
		_, _ = io.WriteString(w, "landed")
	}))
	defer other.Close()
	_, otherPort, _ := net.SplitHostPort(other.Listener.Addr().String())

	mux.HandleFunc("/away", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:"+otherPort+"/land", http.StatusFound)
	})
	mux.HandleFunc("/here", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/land", http.StatusFound)
	})
	// Once the chain has left the host, the headers stay dropped.
	mux.HandleFunc("/bounce", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:"+otherPort+"/back", http.StatusFound)
	})
	mux.HandleFunc("/land", func(w http.ResponseWriter, r *http.Request) {
		log.record("same", r)
		_, _ = io.WriteString(w, "landed")
	})
	srv.Start()

	// localhost is dialled on 127.0.0.1: both hosts are loopback.
	checker := New(Options{Dialer: &mapDialer{names: map[string]bool{"localhost": true}}})[monitor.KindHTTP]
	check := func(t *testing.T, path string, headers map[string]string) {
		t.Helper()
		m := testMonitor(srv.URL + path + "?token=s3cret")
		m.Headers, m.MaxRedirects = headers, 10
		if r := run(t, checker, m, 0); r.Status != monitor.StatusUp || r.FinalURL == "" {
			t.Fatalf("got %v %q final %q, want up after a redirect", r.Status, r.Error, r.FinalURL)
		}
	}
	noLeak := func(t *testing.T, h http.Header) {
		t.Helper()
		if h == nil {
			t.Fatal("the redirect was not followed")
		}
		if v := h.Get("X-Api-Key"); v != "" {
			t.Errorf("X-Api-Key %q sent to another host", v)
		}
		if v := h.Get("Referer"); v != "" {
			t.Errorf("Referer %q sent to another host", v)
		}
		if v := h.Get("User-Agent"); v != DefaultUserAgent {
			t.Errorf("User-Agent on another host = %q, want %q", v, DefaultUserAgent)
		}
	}

	t.Run("other host", func(t *testing.T) {
		check(t, "/away", map[string]string{"X-Api-Key": "s3cret", "User-Agent": "mine", "Referer": "https://status.test/"})
		noLeak(t, log.take("other"))
	})
	t.Run("away and back", func(t *testing.T) {
		check(t, "/bounce", map[string]string{"X-Api-Key": "s3cret"})
		noLeak(t, log.take("same"))
	})
	t.Run("same host", func(t *testing.T) {
		check(t, "/here", map[string]string{"X-Api-Key": "s3cret"})
		h := log.take("same")
		if h.Get("X-Api-Key") != "s3cret" {
			t.Errorf("same-host redirect lost X-Api-Key: %v", h)
		}
		if v := h.Get("Referer"); v != "" {
			t.Errorf("Referer %q added on a same-host redirect", v)
		}
	})
	t.Run("same host keeps an explicit Referer", func(t *testing.T) {
		check(t, "/here", map[string]string{"Referer": "https://status.test/"})
		if v := log.take("same").Get("Referer"); v != "https://status.test/" {
			t.Errorf("Referer = %q, want the configured one", v)
		}
	})
}

func TestSameSite(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		want     bool
	}{
		{"http://127.0.0.1:8080/a", "http://127.0.0.1:8080/b", true},
		{"http://Example.COM/a", "http://example.com/b", true},
		{"http://example.com/a", "http://example.com:80/b", true},
		{"https://example.com/a", "https://example.com:443/b", true},
		{"http://example.com/a", "https://example.com/b", true},  // an upgrade
		{"https://example.com/a", "http://example.com/b", false}, // a downgrade
		{"https://example.com:8443/a", "http://example.com:8443/b", false},
		{"http://127.0.0.1:8080/a", "http://localhost:8080/b", false},
		{"http://example.com/a", "http://api.example.com/b", false},
		{"http://example.com:8080/a", "http://example.com:9090/b", false},
		{"http://example.com:8080/a", "https://example.com/b", false},
		{"http://[::1]:8080/a", "http://[::1]:8080/b", true},
	} {
		from, _ := url.Parse(tt.from)
		to, _ := url.Parse(tt.to)
		if got := sameSite(from, to); got != tt.want {
			t.Errorf("sameSite(%s, %s) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}

// max_redirects = 0 follows none: the 3xx itself is judged.
func TestHTTPMaxRedirectsZeroFollowsNone(t *testing.T) {
	var followed atomic.Int32
	mux := http.NewServeMux()
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/new", http.StatusFound) })
	mux.HandleFunc("/new", func(w http.ResponseWriter, _ *http.Request) {
		followed.Add(1)
		w.WriteHeader(http.StatusTeapot)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()

	checker := New(Options{})[monitor.KindHTTP]
	m := testMonitor(srv.URL + "/old")
	m.ExpectStatus, m.MaxRedirects = []int{302}, 0
	r := run(t, checker, m, 0)
	if r.Status != monitor.StatusUp || r.Code != http.StatusFound || r.FinalURL != "" {
		t.Fatalf("got %v code %d %q final %q, want up with 302 and no final URL", r.Status, r.Code, r.Error, r.FinalURL)
	}
	m.ExpectStatus = nil // any 2xx or 3xx
	if r := run(t, checker, m, 0); r.Status != monitor.StatusUp || r.Code != http.StatusFound {
		t.Fatalf("without expect_status: got %v code %d %q, want up with 302", r.Status, r.Code, r.Error)
	}
	if n := followed.Load(); n != 0 {
		t.Errorf("the redirect was followed %d times", n)
	}
}

// The password of a URL's userinfo shows in no field of any Result.
func TestHTTPUserinfoNeverInResult(t *testing.T) {
	const password = "hunter2"
	var mu sync.Mutex
	var gotAuth []string
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		mu.Lock()
		gotAuth = append(gotAuth, user+":"+pass)
		mu.Unlock()
		_, _ = io.WriteString(w, "ok")
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(500) })
	mux.HandleFunc("/old", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/ok", http.StatusFound) })
	mux.HandleFunc("/loop", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/loop", http.StatusFound) })
	mux.HandleFunc("/n/", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path+"x", http.StatusFound) })
	srv := httptest.NewServer(mux)
	defer srv.Close()
	host := srv.Listener.Addr().String()
	withUser := func(addr, path string) string { return "http://admin:" + password + "@" + addr + path }

	checker := New(Options{})[monitor.KindHTTP]
	for _, tt := range []struct {
		name   string
		url    string
		max    int
		status monitor.Status
		class  string
		final  string
	}{
		{"success", withUser(host, "/ok"), 10, monitor.StatusUp, "", ""},
		{"500", withUser(host, "/500"), 10, monitor.StatusDown, "http_500", ""},
		{"refused", withUser(closedPort(t), "/"), 10, monitor.StatusDown, ClassRefused, ""},
		{"redirect", withUser(host, "/old"), 10, monitor.StatusUp, "", "http://" + host + "/ok"},
		{"redirect loop", withUser(host, "/loop"), 10, monitor.StatusDown, ClassRedirectLoop, ""},
		{"too many redirects", withUser(host, "/n/"), 2, monitor.StatusDown, ClassTooManyRedirects, ""},
		{"bad url", withUser("127.0.0.1:port", "/"), 10, monitor.StatusDown, ClassConfig, ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(tt.url)
			m.MaxRedirects = tt.max
			r := run(t, checker, m, 0)
			if r.Status != tt.status || r.Class != tt.class || r.FinalURL != tt.final {
				t.Errorf("got %v/%q final %q (%q), want %v/%q final %q", r.Status, r.Class, r.FinalURL, r.Error,
					tt.status, tt.class, tt.final)
			}
			b, err := json.Marshal(r)
			if err != nil {
				t.Fatal(err)
			}
			if strings.Contains(string(b), password) || strings.Contains(r.FinalURL, "admin") {
				t.Errorf("the URL's userinfo leaked into the result: %s", b)
			}
		})
	}
	mu.Lock()
	defer mu.Unlock()
	if len(gotAuth) == 0 || gotAuth[0] != "admin:"+password {
		t.Errorf("basic auth sent = %q, want admin:%s", gotAuth, password)
	}
}
