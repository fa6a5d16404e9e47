package reproduce

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func httpMonitor(raw string) *monitor.Monitor {
	u, _ := url.Parse(raw)
	return &monitor.Monitor{Name: "shop", URL: raw, Parsed: u, Kind: monitor.KindHTTP, Timeout: 10 * time.Second, MaxRedirects: 10}
}

// The curl line pins the address the check connected to, prints the
// phases, carries the timeouts, and follows redirects as the check did.
func TestCurlPinsAddressAndPrintsPhases(t *testing.T) {
	m := httpMonitor("https://shop.example.com/health")
	r := &monitor.Result{Remote: "203.0.113.7:443", HTTPVersion: "2"}
	got := For(m, r).Line
	want := `curl -sS -o /dev/null -L --max-redirs 10 --resolve shop.example.com:443:203.0.113.7 --connect-timeout 10 --max-time 10 --http2 -w 'code %{http_code}  dns %{time_namelookup}s  connect %{time_connect}s  tls %{time_appconnect}s  ttfb %{time_starttransfer}s  total %{time_total}s\n' https://shop.example.com/health`
	if got != want {
		t.Errorf("curl line:\n got %s\nwant %s", got, want)
	}
	if strings.Contains(got, " -k") {
		t.Error("-k without insecure")
	}
}

// An IPv6 address is pinned in brackets; a port of the URL's own and a
// redirect to another host pin what the last attempt connected to.
func TestCurlResolveIPv6AndRedirect(t *testing.T) {
	m := httpMonitor("http://api.example.com:8080/v1")
	m.Insecure, m.Method = true, "post"
	r := &monitor.Result{Remote: "[2001:db8::7]:8080"}
	c := For(m, r)
	for _, want := range []string{"--resolve 'api.example.com:8080:[2001:db8::7]'", " -X POST ", " -k "} {
		if !strings.Contains(c.Line, want) {
			t.Errorf("%q not in %s", want, c.Line)
		}
	}
	r = &monitor.Result{Remote: "198.51.100.9:443", FinalURL: "https://www.example.com/v1"}
	if c := For(m, r); !strings.Contains(c.Line, "--resolve www.example.com:443:198.51.100.9") {
		t.Errorf("after a redirect the final host is pinned: %s", c.Line)
	}
	// a URL with an address needs no pin; no result pins nothing
	if c := For(httpMonitor("http://127.0.0.1:9/"), &monitor.Result{Remote: "127.0.0.1:9"}); strings.Contains(c.Line, "--resolve") {
		t.Errorf("pinned an address to itself: %s", c.Line)
	}
	if c := For(m, nil); strings.Contains(c.Line, "--resolve") {
		t.Errorf("pinned with no result: %s", c.Line)
	}
}

// No password, token, Authorization or cookie header, secret query value
// or body reaches the line; each is named in Omitted.
func TestCurlRedactsSecrets(t *testing.T) {
	m := httpMonitor("https://bob:hunter2@api.example.com/v1?api_key=sekrit1&page=2")
	m.Headers = map[string]string{"Authorization": "Bearer sekrit2", "Cookie": "sid=sekrit3", "X-Api-Key": "sekrit4",
		"Accept": "application/json", "X-Session-Token": "sekrit5"}
	m.BasicAuth = &monitor.BasicAuth{User: "alice", Password: "sekrit6"}
	m.BearerTokenFile = "/etc/upbeat/token"
	m.OAuth2 = &monitor.OAuth2{TokenURL: "https://auth.example.com/", ClientID: "upbeat", ClientSecret: "sekrit7"}
	m.Body = `{"password":"sekrit8"}`
	m.Proxy, _ = url.Parse("http://proxyuser:sekrit9@proxy.example.com:3128")
	c := For(m, &monitor.Result{Remote: "203.0.113.7:443"})
	for _, s := range []string{"hunter2", "sekrit", "bob"} {
		if strings.Contains(c.Line, s) {
			t.Errorf("%q in the line: %s", s, c.Line)
		}
	}
	for _, want := range []string{"-H 'Accept: application/json'", "-u alice", "-x http://proxy.example.com:3128", "api_key=xxxxx", "page=2"} {
		if !strings.Contains(c.Line, want) {
			t.Errorf("%q not in %s", want, c.Line)
		}
	}
	omitted := strings.Join(c.Omitted, "; ")
	for _, want := range []string{"header Authorization", "header Cookie", "header X-Api-Key", "header X-Session-Token",
		"password of user alice", "bearer_token_file", "OAuth2", "request body", "proxy's credentials", "user and password in the URL", "secret query values"} {
		if !strings.Contains(omitted, want) {
			t.Errorf("Omitted does not say %q: %s", want, omitted)
		}
	}
	if strings.Contains(c.Line, "--resolve") {
		t.Errorf("pinned the proxy's address: %s", c.Line)
	}
}

// Whatever a config or a daemon says, the line is one line of printable
// text, and quoting keeps a shell from running any of it.
func TestCommandIsInertText(t *testing.T) {
	m := httpMonitor("https://shop.example.com/a'b;$(reboot)")
	m.Headers = map[string]string{"X-Note": "hi\x1b]52;c;ZXZpbA==\x07there\u202e\nrm -rf /"}
	m.Method = "GE\x1b[2JT"
	c := For(m, &monitor.Result{Remote: "203.0.113.7:443"})
	if strings.ContainsAny(c.Line, "\x1b\x07\n\r\u202e") {
		t.Fatalf("control or format characters in the line: %q", c.Line)
	}
	if !strings.Contains(c.Line, `'https://shop.example.com/a'\''b;$(reboot)'`) {
		t.Errorf("URL not quoted for the shell: %s", c.Line)
	}
	if !strings.Contains(c.Line, `-H 'X-Note: hi]52;c;ZXZpbA==therer`) {
		t.Errorf("header not reduced to printable text: %s", c.Line)
	}
}

func TestOtherKinds(t *testing.T) {
	mk := func(raw string, k monitor.Kind) *monitor.Monitor {
		u, _ := url.Parse(raw)
		return &monitor.Monitor{URL: raw, Parsed: u, Kind: k, Timeout: 5 * time.Second}
	}
	for _, c := range []struct {
		m          *monitor.Monitor
		line, note string
	}{
		{mk("tcp://db.example.com:5432", monitor.KindTCP), "nc -vz -w 5 db.example.com 5432", "no curl equivalent for tcp"},
		{mk("tls://shop.example.com:443", monitor.KindTLS), "openssl s_client -connect shop.example.com:443 -servername shop.example.com -showcerts </dev/null", "certificate"},
		{mk("dns://127.0.0.1:5353/example.com?type=mx", monitor.KindDNS), "dig @127.0.0.1 -p 5353 example.com MX", "DNS"},
		{mk("icmp://router.example.com", monitor.KindICMP), "ping -c 3 router.example.com", "ping"},
		{mk("push://abc123", monitor.KindPush), "", "waits for beats"},
		{mk("postgres://upbeat:pw@db.example.com/shop", monitor.KindPostgres), "pg_isready -h db.example.com -p 5432", "postgres"},
		{mk("rediss://:pw@cache.example.com", monitor.KindRedis), "redis-cli -h cache.example.com -p 6379 --tls ping", "redis"},
	} {
		got := For(c.m, nil)
		if got.Line != c.line || !strings.Contains(got.Note, c.note) {
			t.Errorf("%s: %q (%q), want %q with %q", c.m.URL, got.Line, got.Note, c.line, c.note)
		}
		if strings.Contains(got.Line, "pw") || strings.Contains(got.Line, "abc123") {
			t.Errorf("%s: a secret in %q", c.m.URL, got.Line)
		}
	}
}

// Args are the quoted words of Line, a quote inside a word kept whole.
func TestArgsAreTheWordsOfLine(t *testing.T) {
	m := httpMonitor("https://shop.example.com/it's here")
	m.Headers = map[string]string{"X-A": "b c'd e"}
	c := For(m, nil)
	if strings.Join(c.Args, " ") != c.Line {
		t.Fatalf("args %q do not make the line %q", c.Args, c.Line)
	}
	if last := c.Args[len(c.Args)-1]; last != `https://shop.example.com/it%27s%20here` {
		t.Errorf("last word %q", last)
	}
	for _, a := range c.Args {
		if strings.HasPrefix(a, "'X-A") && a != `'X-A: b c'\''d e'` {
			t.Errorf("header word %q", a)
		}
	}
}
