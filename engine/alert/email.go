package alert

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/textproto"
	"strings"
	"time"

	"github.com/wneessen/go-mail"
)

// email sends through SMTP with go-mail: STARTTLS (mandatory unless the
// alert says otherwise; implicit TLS on port 465) and AUTH with the best
// mechanism the server offers when a username is set.
type email struct {
	name    string
	host    string
	port    int
	user    string
	pass    string
	from    string
	to      []string
	policy  mail.TLSPolicy
	tls     *tls.Config
	timeout time.Duration
}

// newEmail returns an email channel.
func newEmail(cfg *Config, opts ChannelOptions) (*email, error) {
	switch {
	case cfg.SMTPHost == "":
		return nil, fmt.Errorf("email: %w: smtp_host", ErrMissing)
	case cfg.From == "":
		return nil, fmt.Errorf("email: %w: from", ErrMissing)
	case len(cfg.To) == 0:
		return nil, fmt.Errorf("email: %w: to", ErrMissing)
	}
	e := &email{
		name: cfg.Name, host: cfg.SMTPHost, port: cfg.SMTPPort, user: cfg.Username, pass: cfg.Password,
		from: cfg.From, to: cfg.To, timeout: opts.Timeout,
	}
	if e.port == 0 {
		e.port = 587
	}
	switch cfg.StartTLS {
	case "", "mandatory":
		e.policy = mail.TLSMandatory
	case "opportunistic":
		e.policy = mail.TLSOpportunistic
	case "none":
		e.policy = mail.NoTLS
	default:
		return nil, fmt.Errorf("email: starttls %q: use mandatory, opportunistic or none", cfg.StartTLS)
	}
	if opts.TLSConfig != nil {
		e.tls = opts.TLSConfig.Clone()
	} else {
		e.tls = &tls.Config{MinVersion: tls.VersionTLS12}
	}
	e.tls.ServerName = e.host
	return e, nil
}

// Name implements Channel.
func (e *email) Name() string { return e.name }

// Send implements Channel. The connection is closed when ctx is done, so a
// server that stops answering cannot hold the sender.
func (e *email) Send(ctx context.Context, m Message) error {
	msg := mail.NewMsg()
	if err := msg.From(e.from); err != nil {
		return Permanent(fmt.Errorf("email: from: %w", err))
	}
	if err := msg.To(e.to...); err != nil {
		return Permanent(fmt.Errorf("email: to: %w", err))
	}
	msg.Subject("[upbeat] " + oscText(m.Title, 200))
	msg.SetDate()
	msg.SetMessageID()
	msg.SetGenHeader("X-Upbeat-Event", m.Event)
	if m.Urgent {
		msg.SetImportance(mail.ImportanceHigh)
	}
	msg.SetBodyString(mail.TypeTextPlain, cleanLines(m.Text, 20000)+"\n")

	timeout := e.timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = max(time.Until(dl), time.Second) // the context ends it sooner anyway
	}
	opts := []mail.Option{
		mail.WithPort(e.port),
		mail.WithTLSConfig(e.tls),
		mail.WithTimeout(timeout),
		mail.WithDialContextFunc(func(dialCtx context.Context, network, addr string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(dialCtx, network, addr)
			if err != nil {
				return nil, err
			}
			// ctx is the whole attempt's, not just the dial's.
			context.AfterFunc(ctx, func() { c.Close() })
			return c, nil
		}),
	}
	if e.port == 465 {
		opts = append(opts, mail.WithSSL())
	} else {
		opts = append(opts, mail.WithTLSPolicy(e.policy))
	}
	if e.user != "" {
		opts = append(opts, mail.WithSMTPAuth(mail.SMTPAuthAutoDiscover), mail.WithUsername(e.user), mail.WithPassword(e.pass))
	}
	c, err := mail.NewClient(e.host, opts...)
	if err != nil {
		return Permanent(fmt.Errorf("email: %w", err))
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		return e.sendError(err)
	}
	return nil
}

// errNoStartTLS is the failure of a server that does not offer STARTTLS
// while starttls is "mandatory": go-mail says only that its TLS policy is
// TLSMandatory, a name the config does not use.
var errNoStartTLS = errors.New(`the server does not offer STARTTLS, and starttls = "mandatory" (the default) ` +
	`refuses to send the password and the message in clear; set starttls = "opportunistic" or "none" if that is expected`)

// sendError says which step of the delivery failed. go-mail reports every
// failure before the message as "dial failed", a refused login included;
// a refused login is permanent (retrying a wrong password only locks the
// account), and its message names the user, never the password.
func (e *email) sendError(err error) error {
	where := fmt.Sprintf("email via %s:%d", e.host, e.port)
	s := err.Error()
	var se *textproto.Error
	switch {
	case strings.Contains(s, "SMTP AUTH failed"):
		why := "the server refused the login"
		if errors.As(err, &se) {
			why += fmt.Sprintf(" (%d %s)", se.Code, oscText(se.Msg, 120))
		}
		return Permanent(fmt.Errorf("%s: %s as %q: check username and password", where, why, e.user))
	case strings.Contains(s, "does not support SMTP AUTH"):
		return Permanent(fmt.Errorf("%s: the server offers no login (SMTP AUTH), but username is set", where))
	case e.policy == mail.TLSMandatory && strings.Contains(s, "does not support STARTTLS"):
		// go-mail names its policy (TLSMandatory), not the setting; it has
		// no typed error for this, and the tests against a server without
		// STARTTLS notice if its message changes.
		return fmt.Errorf("%s: %w", where, errNoStartTLS)
	case strings.Contains(s, "STARTTLS"), strings.Contains(s, "starttls"):
		return fmt.Errorf("%s: STARTTLS failed (set starttls = \"opportunistic\" or \"none\" only for a server without TLS): %w", where, err)
	}
	return fmt.Errorf("%s: %w", where, err)
}
