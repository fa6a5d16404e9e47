package check

import (
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Every http(s), tcp and tls result says which address it connected to,
// or tried, so that monitors failing together behind one address are
// told as one; a certificate seen is named by its SHA-256.
func TestResultsNameTheirRemoteAndCertificate(t *testing.T) {
	dnsAddr := dnsServer(t)
	p := pki(t)
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	t.Cleanup(plain.Close)
	secure := tlsServer(t, p.valid, nil)
	refused := closedPort(t)
	cs := New(Options{Resolver: testResolver(dnsAddr)})
	leaf := sha256.Sum256(p.valid.Certificate[0])
	fp := hex.EncodeToString(leaf[:])

	for _, c := range []struct {
		name, url  string
		kind       monitor.Kind
		remote, fp string
	}{
		{"http up", plain.URL, monitor.KindHTTP, strings.TrimPrefix(plain.URL, "http://"), ""},
		{"http refused", "http://" + refused + "/", monitor.KindHTTP, refused, ""},
		{"https", secure.URL, monitor.KindHTTP, strings.TrimPrefix(secure.URL, "https://"), fp},
		{"tcp up", "tcp://" + strings.TrimPrefix(plain.URL, "http://"), monitor.KindTCP, strings.TrimPrefix(plain.URL, "http://"), ""},
		{"tcp refused", "tcp://" + refused, monitor.KindTCP, refused, ""},
		{"tcp, no such name", "tcp://nx.test:443", monitor.KindTCP, "", ""},
		{"tls", "tls://" + strings.TrimPrefix(secure.URL, "https://"), monitor.KindTLS, strings.TrimPrefix(secure.URL, "https://"), fp},
	} {
		t.Run(c.name, func(t *testing.T) {
			m := testMonitor(c.url)
			m.CAFile = p.caFile
			if c.kind == monitor.KindTLS || strings.HasPrefix(c.url, "https") {
				m.Insecure = true // the test certificate names another host; what matters is that it is seen
				m.CAFile = ""
			}
			r := run(t, cs[c.kind], m, 0)
			if r.Remote != c.remote || r.CertFingerprint != c.fp {
				t.Errorf("%s (%s): remote %q fingerprint %q, want %q %q", c.url, r.Class, r.Remote, r.CertFingerprint, c.remote, c.fp)
			}
		})
	}
}
