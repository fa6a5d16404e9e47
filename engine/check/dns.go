package check

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/miekg/dns"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// DNS checks dns://resolver[:port]/name?type=A[&expect=VALUE][&proto=tcp]
// monitors: one query (recursion desired) to the resolver, over UDP with a
// retry over TCP when the answer is truncated. dns:///name asks
// Options.DNSServer or the system's first nameserver.
//
// The rcode is recorded in Code. NXDOMAIN is dns_nxdomain, SERVFAIL
// dns_servfail, any other error rcode dns_rcode; NOERROR without a record
// of the asked type is dns_no_answer. With an expected value (the URL's
// expect, or the monitor's expect_answer, which wins), one answer must
// hold it: for A and AAAA the same address, for other types the value as
// a case-insensitive substring of the record's data; otherwise
// dns_answer_mismatch. The answers' data are recorded in Answers.
type DNS struct{ b *base }

var _ engine.Checker = (*DNS)(nil)

const maxAnswers = 16 // answers kept in a Result

// Check sends one query for m.
func (c *DNS) Check(ctx context.Context, m *monitor.Monitor) monitor.Result {
	var r monitor.Result
	ctx, cancel := withDeadline(ctx)
	defer cancel()
	start := time.Now()

	q, err := parseDNSURL(m, c.b.dnsServer)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	msg := new(dns.Msg)
	msg.SetQuestion(q.name, q.qtype)
	msg.RecursionDesired = true
	msg.SetEdns0(dns.DefaultMsgSize, false)

	resp, err := c.exchange(ctx, msg, q.server, q.proto)
	if err == nil && resp.Truncated && q.proto == "udp" {
		resp, err = c.exchange(ctx, msg, q.server, "tcp")
	}
	r.Latency = time.Since(start)
	if err != nil {
		failErr(&r, err)
		return r
	}

	r.Code = resp.Rcode
	for _, rr := range resp.Answer {
		if len(r.Answers) == maxAnswers {
			break
		}
		r.Answers = append(r.Answers, engine.Sanitize(rdata(rr), 200))
	}
	rcode := dns.RcodeToString[resp.Rcode]
	if rcode == "" {
		rcode = fmt.Sprintf("rcode %d", resp.Rcode)
	}
	switch {
	case resp.Rcode == dns.RcodeNameError:
		fail(&r, ClassDNSNXDomain, fmt.Sprintf("%s %s: NXDOMAIN from %s", q.name, dns.TypeToString[q.qtype], q.server))
		return r
	case resp.Rcode == dns.RcodeServerFailure:
		fail(&r, ClassDNSServfail, fmt.Sprintf("%s %s: SERVFAIL from %s", q.name, dns.TypeToString[q.qtype], q.server))
		return r
	case resp.Rcode != dns.RcodeSuccess:
		fail(&r, ClassDNSRcode, fmt.Sprintf("%s %s: %s from %s", q.name, dns.TypeToString[q.qtype], rcode, q.server))
		return r
	}

	var ofType []dns.RR
	for _, rr := range resp.Answer {
		if rr.Header().Rrtype == q.qtype || q.qtype == dns.TypeANY {
			ofType = append(ofType, rr)
		}
	}
	if len(ofType) == 0 {
		fail(&r, ClassDNSNoAnswer, fmt.Sprintf("%s: no %s record", q.name, dns.TypeToString[q.qtype]))
		return r
	}
	if q.expect != "" && !answerHolds(ofType, q.expect) {
		fail(&r, ClassDNSMismatch, fmt.Sprintf("%s %s: no answer holds %q; got %s",
			q.name, dns.TypeToString[q.qtype], q.expect, strings.Join(r.Answers, ", ")))
		return r
	}
	r.Status = monitor.StatusUp
	return r
}

// exchange sends msg over a connection from the injected dialer. The
// context's deadline bounds it; cancelling the context closes the socket.
func (c *DNS) exchange(ctx context.Context, msg *dns.Msg, server, proto string) (*dns.Msg, error) {
	conn, err := c.b.dialer.DialContext(ctx, proto, server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	timeout := noDeadline
	if dl, ok := ctx.Deadline(); ok {
		timeout = time.Until(dl)
	}
	client := dns.Client{Net: proto, Timeout: max(timeout, time.Millisecond)}
	resp, _, err := client.ExchangeWithConnContext(ctx, msg, &dns.Conn{Conn: conn})
	if err != nil && ctx.Err() != nil {
		return nil, ctx.Err()
	}
	return resp, err
}

type dnsQuery struct {
	server string // host:port
	name   string // fully qualified
	qtype  uint16
	expect string
	proto  string // udp or tcp
}

// parseDNSURL reads dns://resolver[:port]/name?type=A&expect=…&proto=tcp.
func parseDNSURL(m *monitor.Monitor, defaultServer string) (dnsQuery, error) {
	u, err := parsedURL(m)
	if err != nil {
		return dnsQuery{}, err
	}
	q := dnsQuery{qtype: dns.TypeA, proto: "udp"}
	vals := u.Query()
	q.name = strings.TrimPrefix(u.Path, "/")
	if q.name == "" {
		return q, fmt.Errorf("dns url names no domain: dns://resolver/name?type=A")
	}
	q.name = dns.Fqdn(q.name)
	if _, ok := dns.IsDomainName(q.name); !ok {
		return q, fmt.Errorf("dns url: %q is not a domain name", q.name)
	}
	if t := vals.Get("type"); t != "" {
		qt, ok := dns.StringToType[strings.ToUpper(t)]
		if !ok {
			return q, fmt.Errorf("dns url: unknown record type %q", t)
		}
		q.qtype = qt
	}
	switch p := strings.ToLower(vals.Get("proto")); p {
	case "", "udp":
	case "tcp":
		q.proto = "tcp"
	default:
		return q, fmt.Errorf("dns url: proto %q is neither udp nor tcp", p)
	}
	q.expect = vals.Get("expect")
	if m.ExpectAnswer != "" {
		q.expect = m.ExpectAnswer
	}

	switch {
	case u.Host != "" && u.Port() != "":
		q.server = u.Host
	case u.Host != "":
		q.server = net.JoinHostPort(u.Hostname(), "53")
	case defaultServer != "":
		q.server = defaultServer
	default:
		cfg, err := dns.ClientConfigFromFile("/etc/resolv.conf")
		if err != nil || len(cfg.Servers) == 0 {
			return q, fmt.Errorf("dns url names no resolver and none is configured in resolv.conf")
		}
		q.server = net.JoinHostPort(cfg.Servers[0], cfg.Port)
	}
	return q, nil
}

// rdata is a record's data without its header: "1.2.3.4", "10 mx.example.".
func rdata(rr dns.RR) string {
	return strings.TrimSpace(strings.TrimPrefix(rr.String(), rr.Header().String()))
}

// answerHolds reports whether one answer holds the expected value.
func answerHolds(answers []dns.RR, expect string) bool {
	want, isAddr := netip.ParseAddr(expect)
	wantLower := strings.ToLower(strings.TrimSuffix(expect, "."))
	for _, rr := range answers {
		switch a := rr.(type) {
		case *dns.A:
			if got, ok := netip.AddrFromSlice(a.A); isAddr == nil && ok && got.Unmap() == want.Unmap() {
				return true
			}
			continue
		case *dns.AAAA:
			if got, ok := netip.AddrFromSlice(a.AAAA); isAddr == nil && ok && got.Unmap() == want.Unmap() {
				return true
			}
			continue
		}
		if strings.Contains(strings.ToLower(rdata(rr)), wantLower) {
			return true
		}
	}
	return false
}
