package config

import (
	"net"
	"strings"

	"early.upbeat.invalid/paths"
	"github.com/upbeat-monitor/upbeat/api"
)

// api checks [api]: the unix socket, an optional TCP listener, and the
// tokens, which are required when the listener is not on loopback.
func (l *loader) api(t *table) api.Config {
	a := api.Config{Socket: DefaultSocket()}
	if p, ok := t.filePath("socket"); ok {
		a.Socket = p
		if len(p) > paths.MaxSocket {
			t.errorf("socket", "%s is %d bytes long, and a unix socket's path may be at most %d; choose a shorter one", p, len(p), paths.MaxSocket)
		}
	}
	if v, ok := t.secret("token"); ok {
		a.Token = v
	}
	if v, ok := t.secret("read_only_token"); ok {
		a.ReadOnlyToken = v
	}
	if a.Token != "" && a.Token == a.ReadOnlyToken {
		t.errorf("read_only_token", "is the same as token, which may act; make them differ")
	}
	if hosts, ok := t.list("allowed_hosts"); ok {
		for _, h := range hosts {
			if strings.TrimSpace(h) == "" || strings.ContainsAny(h, "/ ") {
				t.errorf("allowed_hosts", "%q is not a host name", h)
			}
		}
		a.AllowedHosts = hosts
	}
	if v, ok := t.str("listen"); ok {
		host, port, err := net.SplitHostPort(v)
		switch {
		case err != nil || port == "":
			t.errorf("listen", "%q is not an address; write host:port, e.g. \"127.0.0.1:9477\"", v)
		case !isLoopback(host) && a.Token == "" && !t.has("token") && !t.has("token_file"):
			t.errorf("listen", "%s is reachable beyond this machine, so it needs a token; set token (or token_file), or listen on 127.0.0.1", v)
		}
		a.Listen = v
	}
	if v, ok := t.str("external_url"); ok {
		if u, err := checkURL(v, "http", "https"); err != nil {
			t.errorf("external_url", "%v", err)
		} else if u.RawQuery != "" || u.Fragment != "" {
			t.errorf("external_url", "%q has a query or fragment; give the base URL of the API, e.g. https://upbeat.example.com", v)
		}
		a.ExternalURL = strings.TrimSuffix(v, "/")
	}
	t.checkUnknown()
	return a
}

// isLoopback reports whether host names only this machine. An empty host
// (":9477") listens on every address, so it is not loopback.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
