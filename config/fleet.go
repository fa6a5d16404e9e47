package config

import (
	"net"
	"net/url"
	"os"
	"slices"
	"strings"

	"github.com/upbeat-monitor/upbeat/fleet"
)

// shard reads [settings] shard.
func shard(t *table) fleet.Shard {
	v, ok := t.str("shard")
	if !ok {
		return fleet.Shard{}
	}
	s, err := fleet.ParseShard(v)
	if err != nil {
		t.errorf("shard", "%v", err)
	}
	return s
}

// peers reads [settings] peers, peer_token, peer_timeout and quorum. A
// peer that is this daemon itself is reported by checkPeers, which knows
// [api].
func peers(t *table) fleet.Peers {
	p := fleet.Peers{Timeout: fleet.DefaultPeerTimeout}
	if urls, ok := t.list("peers"); ok {
		for i, u := range urls {
			if _, err := checkURL(u, "http", "https"); err != nil {
				t.errorf("peers", "%v", err)
			} else if slices.Contains(urls[:i], u) {
				t.errorf("peers", "%s is listed twice", u)
			}
		}
		p.URLs = urls
	}
	if v, ok := t.secret("peer_token"); ok {
		p.Token = v
	}
	if d, ok := t.positive("peer_timeout"); ok {
		p.Timeout = d
	}
	if n, ok := t.atLeast("quorum", 1); ok {
		locations := len(p.URLs) + 1
		if n > locations && len(p.URLs) > 0 {
			t.errorf("quorum", "%d is more than the %d locations there are (this one and %d in peers)", n, locations, len(p.URLs))
		}
		p.Quorum = n
	}
	if len(p.URLs) == 0 {
		for _, k := range []string{"quorum", "peer_token", "peer_token_file", "peer_timeout"} {
			if t.has(k) {
				t.errorf(k, "means nothing without peers")
			}
		}
	}
	return p
}

// checkPeers reports a peer that is this daemon itself: its address is
// [api] external_url or listen (a loopback name or this machine's name
// with listen's port).
func checkPeers(t *table, p fleet.Peers, api struct{ listen, external string }) {
	self := selfAddrs(api.listen, api.external)
	for _, raw := range p.URLs {
		u, err := url.Parse(raw)
		if err != nil || u.Host == "" {
			continue
		}
		if api.external != "" && strings.TrimSuffix(raw, "/") == strings.TrimSuffix(api.external, "/") {
			t.errorf("peers", "%s is this daemon itself ([api] external_url); list the other locations only", raw)
			continue
		}
		if slices.Contains(self, hostPort(u)) {
			t.errorf("peers", "%s is this daemon itself ([api] listen = %q); list the other locations only", raw, api.listen)
		}
	}
}

// selfAddrs are the host:port pairs under which this daemon answers.
func selfAddrs(listen, external string) []string {
	var out []string
	if external != "" {
		if u, err := url.Parse(external); err == nil && u.Host != "" {
			out = append(out, hostPort(u))
		}
	}
	host, port, err := net.SplitHostPort(listen)
	if err != nil {
		return out
	}
	hosts := []string{host}
	if host == "" || host == "0.0.0.0" || host == "::" || isLoopback(host) {
		hosts = append(hosts, "localhost", "127.0.0.1", "::1")
		if name, err := os.Hostname(); err == nil && name != "" && !isLoopback(host) {
			hosts = append(hosts, name)
		}
	}
	for _, h := range hosts {
		out = append(out, net.JoinHostPort(strings.ToLower(h), port))
	}
	return out
}

// hostPort is a URL's host:port, the port filled in from the scheme.
func hostPort(u *url.URL) string {
	port := u.Port()
	if port == "" {
		port = "80"
		if u.Scheme == "https" {
			port = "443"
		}
	}
	return net.JoinHostPort(strings.ToLower(u.Hostname()), port)
}

// fleetList reads [fleet]: every daemon of the fleet, for one dashboard.
func fleetList(t *table) fleet.List {
	var f fleet.List
	if ds, ok := t.list("daemons"); ok {
		if len(ds) == 0 {
			t.errorf("daemons", "names no daemon")
		}
		for i, d := range ds {
			if !strings.HasPrefix(d, "/") && !strings.HasPrefix(d, "unix:") {
				if _, err := checkURL(d, "http", "https"); err != nil {
					t.errorf("daemons", "%v (or give a unix socket's path)", err)
				}
			}
			if slices.Contains(ds[:i], d) {
				t.errorf("daemons", "%s is listed twice", d)
			}
		}
		f.Daemons = ds
	}
	if v, ok := t.secret("token"); ok {
		f.Token = v
	}
	t.checkUnknown()
	return f
}
