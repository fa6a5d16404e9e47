package check

import (
	"crypto/tls"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestTLS(t *testing.T) {
	p := pki(t)
	tests := []struct {
		name     string
		cert     tls.Certificate
		caFile   string
		insecure bool
		warn     int
		now      time.Duration // clock offset
		status   monitor.Status
		class    string
		days     [2]int
		msg      string // part of Error
	}{
		{name: "valid", cert: p.valid, caFile: p.caFile, status: monitor.StatusUp, days: [2]int{364, 365}},
		{name: "expiring", cert: p.expiring, caFile: p.caFile, warn: 14, status: monitor.StatusDegraded,
			class: ClassTLSExpiring, days: [2]int{3, 3}, msg: "expires in 3 days"},
		{name: "expiring under a smaller warning", cert: p.expiring, caFile: p.caFile, warn: 2, status: monitor.StatusUp, days: [2]int{3, 3}},
		{name: "expiring with the warning off", cert: p.expiring, caFile: p.caFile, warn: 0, status: monitor.StatusUp, days: [2]int{3, 3}},
		{name: "expired", cert: p.expired, caFile: p.caFile, status: monitor.StatusDown, class: ClassTLSExpired,
			days: [2]int{-2, -2}, msg: "expired on"},
		{name: "not yet valid", cert: p.notYet, caFile: p.caFile, status: monitor.StatusDown, class: ClassTLSNotYetValid,
			days: [2]int{299, 300}, msg: "not valid before"},
		{name: "wrong host", cert: p.wrongHost, caFile: p.caFile, status: monitor.StatusDown, class: ClassTLSHostname,
			days: [2]int{364, 365}, msg: "127.0.0.1"},
		{name: "unknown authority", cert: p.unknownCA, caFile: p.caFile, status: monitor.StatusDown, class: ClassTLSUnknownCA,
			days: [2]int{364, 365}},
		{name: "insecure skips the chain", cert: p.wrongHost, insecure: true, status: monitor.StatusUp, days: [2]int{364, 365}},
		{name: "CA expires first", cert: p.shortCA, caFile: p.caFile, warn: 14, status: monitor.StatusDegraded,
			class: ClassTLSExpiring, days: [2]int{5, 5}},
		{name: "injected clock: 300 days on", cert: p.valid, caFile: p.caFile, warn: 90, now: 300 * day,
			status: monitor.StatusDegraded, class: ClassTLSExpiring, days: [2]int{64, 65}},
		{name: "injected clock: past expiry", cert: p.valid, caFile: p.caFile, now: 400 * day,
			status: monitor.StatusDown, class: ClassTLSExpired, days: [2]int{-36, -35}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := tlsServer(t, tt.cert, nil)
			checker := New(Options{Now: func() time.Time { return time.Now().Add(tt.now) }})[monitor.KindTLS]
			m := testMonitor("tls://" + srv.Listener.Addr().String())
			m.CAFile, m.Insecure, m.CertWarnDays = tt.caFile, tt.insecure, tt.warn
			r := run(t, checker, m, 0)
			if r.Status != tt.status || r.Class != tt.class {
				t.Fatalf("got %v/%q (%q), want %v/%q", r.Status, r.Class, r.Error, tt.status, tt.class)
			}
			if r.CertExpiry.IsZero() || r.CertDays < tt.days[0] || r.CertDays > tt.days[1] {
				t.Errorf("CertExpiry %v CertDays %d, want days in %v", r.CertExpiry, r.CertDays, tt.days)
			}
			if !strings.Contains(r.Error, tt.msg) {
				t.Errorf("Error = %q, want it to mention %q", r.Error, tt.msg)
			}
			if r.Latency <= 0 || r.Phases.Connect <= 0 || r.Phases.TLS <= 0 {
				t.Errorf("latency %v phases %+v", r.Latency, r.Phases)
			}
			if r.CertIssuer == "" {
				t.Error("no issuer")
			}
			// an insecure monitor's dates are the server's word: nothing verified them
			if wantUnverified := tt.insecure || tt.status == monitor.StatusDown; r.CertUnverified != wantUnverified {
				t.Errorf("CertUnverified = %v, want %v", r.CertUnverified, wantUnverified)
			}
		})
	}
}

func TestTLSFailures(t *testing.T) {
	plain := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	defer plain.Close()
	hung := rawServer(t, func(c net.Conn) { _, _ = c.Read(make([]byte, 1<<16)) })
	badCA := t.TempDir() + "/none.pem"
	checker := New(Options{})[monitor.KindTLS]
	for _, tt := range []struct {
		name, url, caFile, class string
	}{
		{"not tls", "tls://" + plain.Listener.Addr().String(), "", ClassTLSHandshake},
		{"hung handshake", "tls://" + hung, "", ClassTLSTimeout},
		{"closed port", "tls://" + closedPort(t), "", ClassRefused},
		{"missing ca_file", "tls://" + plain.Listener.Addr().String(), badCA, ClassConfig},
		{"no host", "tls://:443", "", ClassConfig},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(tt.url)
			m.CAFile = tt.caFile
			r := run(t, checker, m, 300*time.Millisecond)
			if r.Status != monitor.StatusDown || r.Class != tt.class {
				t.Fatalf("got %v/%q (%q), want down/%q", r.Status, r.Class, r.Error, tt.class)
			}
		})
	}
}
