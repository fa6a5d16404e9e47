package check

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/smtp"
	"net/textproto"
	"os"
	"strings"
	"sync"

	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// SMTP checks smtp://host:port (port 25 by default) and smtps://host:port
// (465, TLS from the start) monitors: the greeting must be a 220, EHLO
// must be accepted, and STARTTLS is used as the monitor's starttls says:
// "opportunistic" (the default) when the server offers it, "mandatory"
// always (a server that does not offer it is tls_unavailable), "none"
// never. The certificate of a TLS session is verified and its expiry
// judged like a tls:// check's. The check ends with QUIT; it never sends
// mail.
//
// A reply code that fails the check is its class (smtp_421, smtp_554, …),
// explained like an HTTP status. The greeting is recorded in Answers.
//
// The client is the standard library's net/smtp: go-smtp's client (a
// dependency already, for email alerts) cannot start TLS on a session
// whose EHLO answer it has read, which opportunistic STARTTLS needs.
type SMTP struct {
	b         *base
	nameOnce  sync.Once
	localName string
}

var _ engine.Checker = (*SMTP)(nil)

var smtpTimeouts = svcTimeouts{
	handshake: ClassSMTPBannerTimeout, handshakeWhat: "the greeting", greeted: ClassSMTPReplyTimeout,
	request: ClassSMTPReplyTimeout, requestWhat: "QUIT",
}

// ehloName is the name the check introduces itself with: this host's
// name when it is a plausible domain, else "localhost".
func (c *SMTP) ehloName() string {
	c.nameOnce.Do(func() {
		c.localName = "localhost"
		if h, err := os.Hostname(); err == nil && h != "" && !strings.ContainsAny(h, " \r\n\t") {
			c.localName = h
		}
	})
	return c.localName
}

// Check talks to the mail server of m as far as EHLO and STARTTLS.
func (c *SMTP) Check(ctx context.Context, m *monitor.Monitor) (r monitor.Result) {
	ctx, cancel := withDeadline(ctx)
	defer cancel()

	u, err := parsedURL(m)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	host := u.Hostname()
	if host == "" {
		fail(&r, ClassConfig, "smtp url has no host: smtp://mail.example.com:25")
		return r
	}
	implicit := u.Scheme == "smtps"
	mode := m.StartTLS
	if mode == "" {
		mode = settings.StartTLSModes[0]
	}
	tlsCfg, err := c.b.serviceTLS(m, host)
	if err != nil {
		fail(&r, ClassConfig, err.Error())
		return r
	}
	def := "25"
	if implicit {
		def = "465"
	}
	p := newProbe(c.b, m, implicit || mode == "mandatory")
	defer p.finish(&r)

	raw, err := p.dial(ctx, hostPort(host, u.Port(), def))
	if err != nil {
		p.failConn(ctx, &r, err, smtpTimeouts)
		return r
	}
	defer raw.Close()
	// net/smtp knows no deadlines: closing the connection ends whatever
	// it waits for.
	stop := context.AfterFunc(ctx, func() { raw.Close() })
	defer stop()

	conn := raw
	if implicit {
		tc, err := p.handshakeTLS(ctx, raw, tlsCfg)
		if err != nil {
			p.failConn(ctx, &r, err, smtpTimeouts)
			return r
		}
		conn = &plainConn{Conn: tc, p: p}
	}
	client, err := smtp.NewClient(conn, host)
	c.greeting(&r, p)
	if err != nil {
		c.failure(ctx, &r, p, err, "the greeting")
		return r
	}
	if err := client.Hello(c.ehloName()); err != nil {
		c.failure(ctx, &r, p, err, "EHLO")
		return r
	}
	offered, _ := client.Extension("STARTTLS")
	switch {
	case implicit:
	case offered && mode != "none":
		p.beginTLS()
		if err := client.StartTLS(p.verifyHook(tlsCfg)); err != nil {
			p.endTLS(nil, err)
			c.failure(ctx, &r, p, err, "STARTTLS")
			return r
		}
		p.tls = true
		r.Answers = append(r.Answers, "STARTTLS used")
	case mode == "mandatory":
		fail(&r, ClassTLSUnavailable, "the server does not offer STARTTLS, and starttls is mandatory")
		return r
	case offered:
		r.Answers = append(r.Answers, "STARTTLS offered, not used (starttls = none)")
	default:
		r.Answers = append(r.Answers, "no STARTTLS offered")
	}
	p.loggedInNow()
	err = client.Quit()
	p.answeredNow()
	if err != nil && !isClosedAfterQuit(err) {
		c.failure(ctx, &r, p, err, "QUIT")
		return r
	}
	r.Code = 250
	r.Status = monitor.StatusUp
	p.judgeServiceCert(&r, m)
	return r
}

// greeting records the server's greeting (its first line) in Answers.
func (c *SMTP) greeting(r *monitor.Result, p *svcProbe) {
	b := p.plainBytes()
	if len(b) == 0 {
		return
	}
	line := firstLine(string(b))
	if len(line) > 4 && (line[3] == ' ' || line[3] == '-') {
		line = line[4:]
	}
	r.Answers = append(r.Answers, "greeting "+engine.Sanitize(line, 120))
}

// isClosedAfterQuit: a server may close the connection as it answers QUIT.
func isClosedAfterQuit(err error) bool {
	return errors.Is(err, net.ErrClosed)
}

// failure classifies an error from one step of the session.
func (c *SMTP) failure(ctx context.Context, r *monitor.Result, p *svcProbe, err error, step string) {
	var te *textproto.Error
	if errors.As(err, &te) {
		r.Code = te.Code
		msg := fmt.Sprintf("%s: %d %s", step, te.Code, engine.Sanitize(strings.ReplaceAll(te.Msg, "\n", " "), 200))
		if te.Code >= 400 && te.Code < 600 {
			fail(r, SMTPClass(te.Code), msg)
		} else {
			fail(r, ClassSMTPBadGreeting, msg)
		}
		return
	}
	if p.failConn(ctx, r, err, smtpTimeouts) {
		return
	}
	var pe textproto.ProtocolError
	if errors.As(err, &pe) {
		fail(r, ClassSMTPBadGreeting, fmt.Sprintf("%s: the server does not speak SMTP: %v", step, err))
		return
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) {
		fail(r, ClassTLSUnavailable, step+": the server answered in plain text, not TLS")
		return
	}
	failErr(r, fmt.Errorf("%s: %w", step, err))
}
