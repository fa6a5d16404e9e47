package check

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// rdapServer is a local RDAP registry for .test and .example.test
// domains, with its bootstrap document at /bootstrap.json.
type rdapServer struct {
	*httptest.Server
	bootstraps atomic.Int32
}

func newRDAPServer(t *testing.T, now time.Time) *rdapServer {
	t.Helper()
	s := &rdapServer{}
	domain := func(expiry string, registrar bool) string {
		var b strings.Builder
		b.WriteString(`{"objectClassName":"domain","ldhName":"X","events":[{"eventAction":"registration","eventDate":"2001-01-01T00:00:00Z"}`)
		if expiry != "" {
			fmt.Fprintf(&b, `,{"eventAction":"expiration","eventDate":%q}`, expiry)
		}
		b.WriteString(`],"entities":[{"objectClassName":"entity","handle":"T1","roles":["technical"]}`)
		if registrar {
			b.WriteString(`,{"objectClassName":"entity","handle":"292","roles":["registrar"],"vcardArray":["vcard",[["version",{},"text","4.0"],["fn",{},"text","Example Registrar, Inc.\u001b]0;x\u0007"]]]}`)
		}
		b.WriteString(`]}`)
		return b.String()
	}
	at := func(d time.Duration) string { return now.Add(d).UTC().Format(time.RFC3339) }
	docs := map[string]string{
		"ok.test":          domain(at(200*day+time.Hour), true),
		"soon.test":        domain(at(10*day+time.Hour), true),
		"gone.test":        domain(at(-3*day+time.Hour), true),
		"noexpiry.test":    domain("", false),
		"sub.example.test": domain(at(50*day+time.Hour), false),
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/bootstrap.json", func(w http.ResponseWriter, r *http.Request) {
		s.bootstraps.Add(1)
		fmt.Fprintf(w, `{"version":"1.0","publication":"2026-01-01T00:00:00Z","services":[
			[["test"],["%[1]s/rdap/"]],
			[["example.test"],["%[1]s/rdap2"]],
			[["dead"],["%[1]s/broken/"]]]}`, s.URL)
	})
	serve := func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if doc, ok := docs[name]; ok {
			w.Header().Set("Content-Type", "application/rdap+json")
			_, _ = w.Write([]byte(doc))
			return
		}
		http.Error(w, `{"errorCode":404}`, http.StatusNotFound)
	}
	mux.HandleFunc("/rdap/domain/{name}", serve)
	mux.HandleFunc("/rdap2/domain/{name}", serve)
	mux.HandleFunc("/broken/domain/{name}", func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	})
	mux.HandleFunc("/garbage/domain/{name}", func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<html>"))
	})
	s.Server = httptest.NewServer(mux)
	t.Cleanup(s.Close)
	return s
}

func TestDomain(t *testing.T) {
	now := time.Now()
	srv := newRDAPServer(t, now)
	var mu sync.Mutex
	clock := now
	checker := New(Options{
		RDAPBootstrapURL: srv.URL + "/bootstrap.json",
		Now: func() time.Time {
			mu.Lock()
			defer mu.Unlock()
			return clock
		},
	})[monitor.KindDomain]
	tests := []struct {
		name, url string
		server    string
		warn      int
		status    monitor.Status
		class     string
		days      int
		registrar string
	}{
		{name: "ok", url: "domain://ok.test", status: monitor.StatusUp, days: 200, registrar: "Example Registrar, Inc."},
		{name: "upper case and dot", url: "domain://OK.Test.", status: monitor.StatusUp, days: 200, registrar: "Example Registrar, Inc."},
		{name: "expiring", url: "domain://soon.test", warn: 14, status: monitor.StatusDegraded, class: ClassDomainExpiring,
			days: 10, registrar: "Example Registrar, Inc."},
		{name: "expiring, warning smaller", url: "domain://soon.test", warn: 7, status: monitor.StatusUp, days: 10,
			registrar: "Example Registrar, Inc."},
		{name: "expired", url: "domain://gone.test", status: monitor.StatusDown, class: ClassDomainExpired, days: -2,
			registrar: "Example Registrar, Inc."},
		{name: "no expiry published", url: "domain://noexpiry.test", status: monitor.StatusDegraded, class: ClassRDAPNoExpiry},
		{name: "longest suffix wins", url: "domain://sub.example.test", status: monitor.StatusUp, days: 50},
		{name: "unknown domain", url: "domain://missing.test", status: monitor.StatusDown, class: ClassRDAPNotFound},
		{name: "unknown tld", url: "domain://example.nope", status: monitor.StatusDown, class: ClassRDAPNotFound},
		{name: "registry error", url: "domain://x.dead", status: monitor.StatusDown, class: ClassRDAPError},
		{name: "rdap_server override", url: "domain://ok.test", server: srv.URL + "/rdap2/", status: monitor.StatusUp, days: 200,
			registrar: "Example Registrar, Inc."},
		{name: "rdap_server not json", url: "domain://ok.test", server: srv.URL + "/garbage", status: monitor.StatusDown,
			class: ClassRDAPError},
		{name: "not a domain", url: "domain://localhost", status: monitor.StatusDown, class: ClassConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(tt.url)
			m.RDAPServer, m.CertWarnDays = tt.server, tt.warn
			r := run(t, checker, m, 0)
			if r.Status != tt.status || r.Class != tt.class {
				t.Fatalf("got %v/%q (%q), want %v/%q", r.Status, r.Class, r.Error, tt.status, tt.class)
			}
			if tt.days != 0 && (r.CertExpiry.IsZero() || r.CertDays != tt.days) {
				t.Errorf("CertExpiry %v CertDays %d, want %d days", r.CertExpiry, r.CertDays, tt.days)
			}
			if r.Registrar != tt.registrar {
				t.Errorf("Registrar = %q, want %q", r.Registrar, tt.registrar)
			}
		})
	}
	if n := srv.bootstraps.Load(); n != 1 {
		t.Errorf("bootstrap fetched %d times, want once", n)
	}

	// after the TTL the registry is fetched again
	mu.Lock()
	clock = clock.Add(DefaultRDAPBootstrapTTL + time.Minute)
	mu.Unlock()
	if r := run(t, checker, testMonitor("domain://ok.test"), 0); r.Status != monitor.StatusUp || r.CertDays != 199 {
		t.Errorf("a day later: %v/%q with %d days, want up with 199", r.Status, r.Class, r.CertDays)
	}
	if n := srv.bootstraps.Load(); n != 2 {
		t.Errorf("bootstrap fetched %d times after the TTL, want twice", n)
	}
}

func TestDomainBootstrapUnreachable(t *testing.T) {
	checker := New(Options{RDAPBootstrapURL: "http://" + closedPort(t) + "/dns.json"})[monitor.KindDomain]
	r := run(t, checker, testMonitor("domain://ok.test"), 0)
	if r.Status != monitor.StatusDown || r.Class != ClassRDAPError || !strings.Contains(r.Error, "bootstrap") {
		t.Fatalf("got %v/%q (%q), want down/rdap_error about the bootstrap", r.Status, r.Class, r.Error)
	}
}
