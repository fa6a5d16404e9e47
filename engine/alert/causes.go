package alert

import (
	"cmp"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strings"
)

// Common causes, found rather than configured: monitors that go down in
// the same burst window and share the address they connected to, the
// host and port of their URLs, or the certificate their servers sent are
// most likely down for one reason. The grouped message says so in its
// title ("7 monitors behind 203.0.113.7:443 down: Connection refused")
// and names what they share before listing them.

// minCommon is how many monitors must share something for it to count.
const minCommon = 2

// Kinds of common cause, from the most telling.
const (
	causeAddress = "address"     // the IP and port connected to, from the result
	causeHost    = "host"        // the host and port of the URL
	causeCert    = "certificate" // the SHA-256 of the leaf certificate
)

// cause is what several failing items share.
type cause struct {
	kind  string
	value string
	items []int // indexes into the items, in their order
}

// title is "7 monitors behind 203.0.113.7:443 down" and, when they all
// failed the same way, ": Connection refused".
func (c *cause) title(items []Item) string {
	n := len(c.items)
	var s string
	switch c.kind {
	case causeAddress:
		s = fmt.Sprintf("%d monitors behind %s down", n, c.value)
	case causeHost:
		s = fmt.Sprintf("%d monitors on %s down", n, c.value)
	default:
		s = fmt.Sprintf("%d monitors sharing certificate %s down", n, shortFingerprint(c.value))
	}
	if l := c.label(items); l != "" {
		s += ": " + l
	}
	return s
}

// label is the failure every item of c shares, or "".
func (c *cause) label(items []Item) string {
	l := ""
	for _, i := range c.items {
		switch il := items[i].label(); {
		case l == "":
			l = il
		case il != l:
			return ""
		}
	}
	return l
}

// paragraph says what the items of c share, for the message's text.
func (c *cause) paragraph(items []Item) string {
	names := make([]string, 0, len(c.items))
	for _, i := range c.items {
		names = append(names, items[i].Monitor)
	}
	var what string
	switch c.kind {
	case causeAddress:
		what = "all connect to " + c.value
	case causeHost:
		what = "all check " + c.value
	default:
		what = "all got the same certificate (SHA-256 " + shortFingerprint(c.value) + ")"
	}
	return fmt.Sprintf("%d monitors went down within seconds and %s: %s. What they share is the likely cause; look there first.",
		len(c.items), what, listNames(names))
}

// shortFingerprint is the first bytes of a hex fingerprint, as people
// compare them: "3f:a9:c2:10:…".
func shortFingerprint(hexSum string) string {
	const show = 8
	var parts []string
	for i := 0; i+2 <= len(hexSum) && len(parts) < show; i += 2 {
		parts = append(parts, hexSum[i:i+2])
	}
	s := strings.Join(parts, ":")
	if len(hexSum) > 2*show {
		s += ":…"
	}
	return s
}

// causeKeys are what an item may share with others, by kind.
func causeKeys(it *Item) map[string]string {
	keys := map[string]string{}
	if it.Remote != "" {
		keys[causeAddress] = it.Remote
	}
	if hp := hostPort(it.URL); hp != "" {
		keys[causeHost] = hp
	}
	if it.CertFingerprint != "" {
		keys[causeCert] = it.CertFingerprint
	}
	return keys
}

// hostPort is the host and port a URL names, with the scheme's port when
// it names none: "shop.example.com:443".
func hostPort(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Hostname() == "" {
		return ""
	}
	port := u.Port()
	if port == "" {
		var ok bool
		if port, ok = defaultPorts[u.Scheme]; !ok {
			return "" // icmp, dns, domain: no port of their own
		}
	}
	return net.JoinHostPort(u.Hostname(), port)
}

// defaultPorts are the ports of the schemes whose URL may leave it out.
var defaultPorts = map[string]string{
	"http": "80", "https": "443", "tls": "443", "ws": "80", "wss": "443", "grpc": "80", "grpcs": "443",
	"postgres": "5432", "postgresql": "5432", "mysql": "3306", "redis": "6379", "rediss": "6379",
	"smtp": "25", "smtps": "465",
}

// commonCauses finds the groups of items opening incidents (down) that
// share something: the largest group first, an address before a host
// before a certificate when they are as large; each item in one group at
// most. Groups smaller than minCommon are none.
func commonCauses(items []Item) []cause {
	taken := make([]bool, len(items))
	keys := make([]map[string]string, len(items))
	for i := range items {
		if items[i].Event == EventDown {
			keys[i] = causeKeys(&items[i])
		}
	}
	var out []cause
	for {
		groups := map[[2]string][]int{}
		for i, ks := range keys {
			if taken[i] {
				continue
			}
			for kind, v := range ks {
				k := [2]string{kind, v}
				groups[k] = append(groups[k], i)
			}
		}
		var best *cause
		for k, idx := range groups {
			c := cause{kind: k[0], value: k[1], items: idx}
			if len(idx) >= minCommon && (best == nil || betterCause(&c, best) < 0) {
				best = &c
			}
		}
		if best == nil {
			break
		}
		for _, i := range best.items {
			taken[i] = true
		}
		out = append(out, *best)
	}
	slices.SortFunc(out, func(a, b cause) int { return a.items[0] - b.items[0] })
	return out
}

// betterCause orders causes: more items first, then address, host,
// certificate, then by value (so that the choice never depends on map
// order).
func betterCause(a, b *cause) int {
	rank := map[string]int{causeAddress: 0, causeHost: 1, causeCert: 2}
	return cmp.Or(cmp.Compare(len(b.items), len(a.items)), cmp.Compare(rank[a.kind], rank[b.kind]), strings.Compare(a.value, b.value))
}
