package check

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/miekg/dns"
	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestDNS(t *testing.T) {
	addr := dnsServer(t)
	tests := []struct {
		name    string
		url     string
		expect  string // the monitor's expect_answer
		status  monitor.Status
		class   string
		code    int
		answers []string
	}{
		{name: "A", url: "dns://" + addr + "/ok.test?type=A", status: monitor.StatusUp, answers: []string{"127.0.0.1"}},
		{name: "default type A", url: "dns://" + addr + "/ok.test", status: monitor.StatusUp, answers: []string{"127.0.0.1"}},
		{name: "expected in url", url: "dns://" + addr + "/two.test?type=A&expect=127.0.0.2", status: monitor.StatusUp,
			answers: []string{"127.0.0.1", "127.0.0.2"}},
		{name: "expected in monitor", url: "dns://" + addr + "/two.test?type=A&expect=10.0.0.1", expect: "127.0.0.2",
			status: monitor.StatusUp, answers: []string{"127.0.0.1", "127.0.0.2"}},
		{name: "expected missing", url: "dns://" + addr + "/ok.test?type=A", expect: "127.0.0.9",
			status: monitor.StatusDown, class: ClassDNSMismatch, answers: []string{"127.0.0.1"}},
		{name: "address is not a substring match", url: "dns://" + addr + "/ok.test?expect=27.0.0.1",
			status: monitor.StatusDown, class: ClassDNSMismatch, answers: []string{"127.0.0.1"}},
		{name: "TXT substring", url: "dns://" + addr + "/txt.test?type=txt&expect=SPF1", status: monitor.StatusUp,
			answers: []string{`"v=spf1 -all"`}},
		{name: "nxdomain", url: "dns://" + addr + "/nx.test", status: monitor.StatusDown, class: ClassDNSNXDomain,
			code: dns.RcodeNameError},
		{name: "servfail", url: "dns://" + addr + "/fail.test", status: monitor.StatusDown, class: ClassDNSServfail,
			code: dns.RcodeServerFailure},
		{name: "refused rcode", url: "dns://" + addr + "/refused.test", status: monitor.StatusDown, class: ClassDNSRcode,
			code: dns.RcodeRefused},
		{name: "no answer", url: "dns://" + addr + "/empty.test?type=AAAA", status: monitor.StatusDown, class: ClassDNSNoAnswer},
		{name: "truncated over udp, retried over tcp", url: "dns://" + addr + "/big.test?expect=127.0.0.120",
			status: monitor.StatusUp},
		{name: "tcp", url: "dns://" + addr + "/ok.test?proto=tcp", status: monitor.StatusUp, answers: []string{"127.0.0.1"}},
		{name: "default server", url: "dns:///ok.test", status: monitor.StatusUp, answers: []string{"127.0.0.1"}},
		{name: "bad type", url: "dns://" + addr + "/ok.test?type=BOGUS", status: monitor.StatusDown, class: ClassConfig},
		{name: "no name", url: "dns://" + addr + "/", status: monitor.StatusDown, class: ClassConfig},
		{name: "refused port", url: "dns://" + closedPort(t) + "/ok.test?proto=tcp", status: monitor.StatusDown, class: ClassRefused},
	}
	checker := New(Options{DNSServer: addr})[monitor.KindDNS]
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := testMonitor(tt.url)
			m.ExpectAnswer = tt.expect
			r := run(t, checker, m, 2*time.Second)
			if r.Status != tt.status || r.Class != tt.class || r.Code != tt.code {
				t.Fatalf("got %v/%q code %d (%q), want %v/%q code %d", r.Status, r.Class, r.Code, r.Error,
					tt.status, tt.class, tt.code)
			}
			if tt.answers != nil && strings.Join(r.Answers, ",") != strings.Join(tt.answers, ",") {
				t.Errorf("Answers = %q, want %q", r.Answers, tt.answers)
			}
			if tt.name == "truncated over udp, retried over tcp" && len(r.Answers) != maxAnswers {
				t.Errorf("%d answers kept, want %d", len(r.Answers), maxAnswers)
			}
		})
	}
}

func TestDNSHostileAnswer(t *testing.T) {
	addr := dnsServer(t)
	m := testMonitor("dns://" + addr + "/evil.test?type=TXT&expect=nothing")
	r := run(t, New(Options{})[monitor.KindDNS], m, 2*time.Second)
	if r.Class != ClassDNSMismatch || len(r.Answers) != 1 {
		t.Fatalf("got %v/%q answers %q", r.Status, r.Class, r.Answers)
	}
	if !clean(r.Answers[0]) || !clean(r.Error) {
		t.Errorf("answer %q error %q not sanitized", r.Answers[0], r.Error)
	}
}

func TestDNSTimeout(t *testing.T) {
	t.Parallel()
	// a UDP socket that never answers
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	r := run(t, New(Options{})[monitor.KindDNS], testMonitor("dns://"+pc.LocalAddr().String()+"/ok.test"), 200*time.Millisecond)
	if r.Status != monitor.StatusDown || r.Class != ClassTimeout {
		t.Fatalf("got %v/%q (%q), want down/timeout", r.Status, r.Class, r.Error)
	}
}
