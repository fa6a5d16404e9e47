package check

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/internal/testcert"
	"github.com/upbeat-monitor/upbeat/internal/testserver"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// Failures from real servers (issue 10): nginx and haproxy from their
// Debian packages, each started once for its test, on loopback, in a
// temporary directory, stopped by its PID.

// writePEM writes certificate blocks (all, or the first n) and the key.
func writePEM(t *testing.T, dir, name string, c tls.Certificate, n int) (certFile, keyFile string) {
	t.Helper()
	if n <= 0 || n > len(c.Certificate) {
		n = len(c.Certificate)
	}
	var certPEM []byte
	for _, der := range c.Certificate[:n] {
		certPEM = append(certPEM, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	der, err := x509.MarshalPKCS8PrivateKey(c.PrivateKey)
	if err != nil {
		t.Fatal(err)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
	certFile, keyFile = filepath.Join(dir, name+".pem"), filepath.Join(dir, name+".key")
	if err := os.WriteFile(certFile, certPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, keyPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	return certFile, keyFile
}

func TestNginx(t *testing.T) {
	nginx := testserver.Need(t, "nginx-light", "nginx")
	dir := t.TempDir()
	chain := newCertChain(t)
	clientCAPEM, _, clientCA := testcert.Generate(testcert.Options{IsCA: true, CommonName: "clients CA", ClientAuth: true})
	_, _, client := testcert.Generate(testcert.Options{Parent: &clientCA, CommonName: "upbeat", ClientAuth: true})
	clientCert, clientKey := writePEM(t, t.TempDir(), "client", client, 1)
	if err := os.WriteFile(filepath.Join(dir, "clients-ca.pem"), clientCAPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	writePEM(t, dir, "full", chain.full, 2) // leaf and intermediate: a complete chain
	writePEM(t, dir, "leaf", chain.leafOnly, 1)
	writePEM(t, dir, "self", chain.selfSigned, 1)
	writePEM(t, dir, "own", chain.own, 1)

	slow := rawServer(t, func(c net.Conn) { _, _ = io.Copy(io.Discard, c) }) // an upstream that never answers
	ports := map[string]int{}
	for _, name := range []string{"plain", "h2", "mtls", "leaf", "self", "own"} {
		ports[name] = testserver.Port(t)
	}
	conf := fmt.Sprintf(`
pid %[1]s/nginx.pid;
error_log stderr warn;
worker_processes 1;
events { worker_connections 64; }
http {
	log_format proto '$server_port $server_protocol $status "$http_user_agent"';
	access_log %[1]s/access.log proto;
	client_body_temp_path %[1]s/tmp-body;
	proxy_temp_path %[1]s/tmp-proxy;
	fastcgi_temp_path %[1]s/tmp-fastcgi;
	uwsgi_temp_path %[1]s/tmp-uwsgi;
	scgi_temp_path %[1]s/tmp-scgi;
	ssl_certificate %[1]s/full.pem;
	ssl_certificate_key %[1]s/full.key;
	server {
		listen 127.0.0.1:%[2]d;
		location /dead { proxy_pass http://%[3]s; }
		location /slow { proxy_pass http://%[4]s; proxy_read_timeout 300ms; }
		location /drop { return 444; }
	}
	server {
		listen 127.0.0.1:%[5]d ssl http2;
		location / { return 200 "ok\n"; }
	}
	server {
		listen 127.0.0.1:%[6]d ssl;
		ssl_client_certificate %[1]s/clients-ca.pem;
		ssl_verify_client on;
		location / { return 200 "ok\n"; }
	}
	server {
		listen 127.0.0.1:%[7]d ssl;
		ssl_certificate %[1]s/leaf.pem;
		ssl_certificate_key %[1]s/leaf.key;
		location / { return 200 "ok\n"; }
	}
	server {
		listen 127.0.0.1:%[8]d ssl;
		ssl_certificate %[1]s/self.pem;
		ssl_certificate_key %[1]s/self.key;
		location / { return 200 "ok\n"; }
	}
	server {
		listen 127.0.0.1:%[9]d ssl;
		ssl_certificate %[1]s/own.pem;
		ssl_certificate_key %[1]s/own.key;
		location / { return 200 "ok\n"; }
	}
}
`, dir, ports["plain"], closedPort(t), slow, ports["h2"], ports["mtls"], ports["leaf"], ports["self"], ports["own"])
	if err := os.WriteFile(filepath.Join(dir, "nginx.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Start(t, "nginx", testserver.Options{Dir: dir, User: "nobody", StopSignal: 3 /* SIGQUIT: graceful */},
		nginx, "-p", dir, "-e", "stderr", "-c", filepath.Join(dir, "nginx.conf"), "-g", "daemon off;")
	for _, p := range ports {
		srv.WaitTCP(t, testserver.Addr(p))
	}

	checker := New(Options{})[monitor.KindHTTP]
	url := func(name, path string) string {
		scheme := "https"
		if name == "plain" {
			scheme = "http"
		}
		return fmt.Sprintf("%s://127.0.0.1:%d%s", scheme, ports[name], path)
	}
	for _, tt := range []struct {
		name, url string
		setup     func(m *monitor.Monitor)
		status    monitor.Status
		class     string
		says      string
	}{
		{"dead upstream is 502", url("plain", "/dead"), nil, monitor.StatusDown, "http_502", "HTTP 502 Bad Gateway"},
		{"slow upstream is 504", url("plain", "/slow"), nil, monitor.StatusDown, "http_504", "HTTP 504 Gateway Time-out"},
		{"return 444 closes without an answer", url("plain", "/drop"), nil, monitor.StatusDown, ClassEOF, "closed the connection"},
		{"h2 over TLS", url("h2", "/"), func(m *monitor.Monitor) { m.CAFile = chain.rootFile }, monitor.StatusUp, "", ""},
		{"http_version 2 of a server without h2", url("mtls", "/"), func(m *monitor.Monitor) {
			m.CAFile, m.HTTPVersion, m.ClientCert, m.ClientKey = chain.rootFile, "2", clientCert, clientKey
		}, monitor.StatusDown, ClassHTTPVersion, "does not speak HTTP/2"},
		{"mTLS without a client certificate", url("mtls", "/"), func(m *monitor.Monitor) { m.CAFile = chain.rootFile },
			monitor.StatusDown, "http_400", "client_cert"},
		{"mTLS with a client certificate", url("mtls", "/"), func(m *monitor.Monitor) {
			m.CAFile, m.ClientCert, m.ClientKey = chain.rootFile, clientCert, clientKey
		}, monitor.StatusUp, "", ""},
		{"missing intermediate", url("leaf", "/"), func(m *monitor.Monitor) { m.CAFile = chain.rootFile },
			monitor.StatusDown, ClassTLSIncomplete, `"Example Issuing CA 2"`},
		{"self-signed", url("self", "/"), nil, monitor.StatusDown, ClassTLSSelfSigned, "self-signed"},
		{"private CA without ca_file", url("own", "/"), nil, monitor.StatusDown, ClassTLSUnknownCA, "ca_file"},
		{"private CA with ca_file", url("own", "/"), func(m *monitor.Monitor) { m.CAFile = chain.rootFile }, monitor.StatusUp, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := testMonitor(tt.url)
			if tt.setup != nil {
				tt.setup(m)
			}
			r := run(t, checker, m, 0)
			if r.Status != tt.status || r.Class != tt.class || !strings.Contains(r.Error, tt.says) {
				t.Fatalf("got %v/%q %q (detail %q), want %v/%q saying %q", r.Status, r.Class, r.Error, r.Detail,
					tt.status, tt.class, tt.says)
			}
		})
	}

	// nginx's own access log shows the protocol of upbeat's request.
	t.Run("access log shows HTTP/2.0", func(t *testing.T) {
		m := testMonitor(url("h2", "/"))
		m.CAFile = chain.rootFile
		if r := run(t, checker, m, 0); r.HTTPVersion != "2" {
			t.Fatalf("HTTPVersion %q (%v %q)", r.HTTPVersion, r.Class, r.Error)
		}
		want := fmt.Sprintf("%d HTTP/2.0 200 %q", ports["h2"], DefaultUserAgent)
		srv.WaitFor(t, "the request in the access log", func() bool {
			b, _ := os.ReadFile(filepath.Join(dir, "access.log"))
			return strings.Contains(string(b), want)
		})
	})
}

func TestHAProxyNoBackend(t *testing.T) {
	haproxy := testserver.Need(t, "haproxy", "haproxy")
	dir := t.TempDir()
	port := testserver.Port(t)
	cfg := fmt.Sprintf(`
defaults
	mode http
	timeout connect 1s
	timeout client 5s
	timeout server 5s
frontend web
	bind 127.0.0.1:%d
	default_backend app
backend app
`, port)
	if err := os.WriteFile(filepath.Join(dir, "haproxy.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	srv := testserver.Start(t, "haproxy", testserver.Options{Dir: dir}, haproxy, "-db", "-f", filepath.Join(dir, "haproxy.cfg"))
	srv.WaitTCP(t, testserver.Addr(port))
	r := run(t, New(Options{})[monitor.KindHTTP], testMonitor(fmt.Sprintf("http://127.0.0.1:%d/", port)), 0)
	if r.Status != monitor.StatusDown || r.Class != "http_503" {
		t.Fatalf("got %v/%q %q, want down/http_503", r.Status, r.Class, r.Error)
	}
}
