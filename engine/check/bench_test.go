package check

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The checker against a bare net/http probe, both on a fresh connection
// per request against the same loopback server; cpu-µs/op is the whole
// process's CPU (the server's share included, the same in both). Every
// request opens a connection, so keep -benchtime bounded:
//
//	go test -run '^$' -bench 'HTTPCheck|BareProbe' -benchtime 3000x ./engine/check

func benchServers(b *testing.B) map[string]*httptest.Server {
	h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { _, _ = io.WriteString(w, `{"status":"UP"}`) })
	plain := httptest.NewServer(h)
	b.Cleanup(plain.Close)
	secure := httptest.NewTLSServer(h)
	b.Cleanup(secure.Close)
	return map[string]*httptest.Server{"http": plain, "https": secure}
}

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func measure(b *testing.B, probe func() error) {
	b.ReportAllocs()
	b.ResetTimer()
	cpu := cpuTime()
	for b.Loop() {
		if err := probe(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64((cpuTime()-cpu).Microseconds())/float64(b.N), "cpu-µs/op")
}

func BenchmarkHTTPCheck(b *testing.B) {
	for _, scheme := range []string{"http", "https"} {
		b.Run(scheme, func(b *testing.B) {
			srv := benchServers(b)[scheme]
			var pool *x509.CertPool
			if scheme == "https" {
				pool = x509.NewCertPool()
				pool.AddCert(srv.Certificate())
			}
			checker := New(Options{RootCAs: pool})[monitor.KindHTTP]
			m := testMonitor(srv.URL)
			m.CertWarnDays = -1
			measure(b, func() error {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				defer cancel()
				if r := checker.Check(ctx, m); r.Status != monitor.StatusUp {
					b.Fatalf("%v %s %s", r.Status, r.Class, r.Error)
				}
				return nil
			})
		})
	}
}

// BenchmarkHTTPCheckJSON adds an expect_json assertion (the body is kept
// and parsed).
func BenchmarkHTTPCheckJSON(b *testing.B) {
	srv := benchServers(b)["http"]
	checker := New(Options{})[monitor.KindHTTP]
	m := testMonitor(srv.URL)
	m.ExpectJSON = []string{`.status == "UP"`}
	measure(b, func() error {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if r := checker.Check(ctx, m); r.Status != monitor.StatusUp {
			b.Fatalf("%v %s %s", r.Status, r.Class, r.Error)
		}
		return nil
	})
}

func bareProbe(client *http.Client, url string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	_, err = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("status %s", resp.Status)
	}
	return err
}

// BenchmarkBareProbe is the yardstick: a bare net/http GET on a fresh
// connection (one Transport with keep-alives off).
func BenchmarkBareProbe(b *testing.B) {
	for _, scheme := range []string{"http", "https"} {
		b.Run(scheme, func(b *testing.B) {
			srv := benchServers(b)[scheme]
			tr := &http.Transport{DisableKeepAlives: true}
			if scheme == "https" {
				pool := x509.NewCertPool()
				pool.AddCert(srv.Certificate())
				tr.TLSClientConfig = &tls.Config{RootCAs: pool}
			}
			client := &http.Client{Transport: tr}
			measure(b, func() error { return bareProbe(client, srv.URL) })
		})
	}
}

// BenchmarkBareProbeNewTransport is the other way to get a fresh
// connection: a new Transport for every request. It is the dearer one,
// which is why the checker shares Transports with keep-alives off.
func BenchmarkBareProbeNewTransport(b *testing.B) {
	srv := benchServers(b)["http"]
	measure(b, func() error {
		tr := &http.Transport{}
		defer tr.CloseIdleConnections()
		return bareProbe(&http.Client{Transport: tr}, srv.URL)
	})
}
