package alert

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net/http"
	"time"
)

// Channel delivers messages to one destination: a desktop, a terminal, a
// webhook, a chat, a mailbox. Send is called from one goroutine at a time.
type Channel interface {
	// Name is the [[alert]] name the channel was configured under.
	Name() string
	// Send delivers one message. It returns when the message is delivered,
	// fails, or ctx is done. An error wrapped with Permanent is not retried.
	// Errors must not contain secrets; the dispatcher redacts them again.
	Send(ctx context.Context, m Message) error
}

// The kinds of channel, as written in [[alert]] kind.
const (
	KindDesktop  = "desktop"
	KindTerminal = "terminal"
	KindWebhook  = "webhook"
	KindTelegram = "telegram"
	KindEmail    = "email"
	KindURL      = "url"
	// KindAlertmanager posts incidents to an Alertmanager cluster.
	KindAlertmanager = "alertmanager"
)

// Errors callers test for.
var (
	// ErrUnknownKind is returned by NewChannel for a kind it does not know.
	ErrUnknownKind = errors.New("unknown alert kind")
	// ErrUnknownChannel is returned by Dispatcher.Test for a name no alert has.
	ErrUnknownChannel = errors.New("no such alert")
	// ErrNoTerminal is returned by a terminal channel that has nowhere to write.
	ErrNoTerminal = errors.New("no terminal to write to")
	// ErrMissing is returned by NewChannel when a key the kind needs is empty.
	ErrMissing = errors.New("missing setting")
	// ErrClosed is returned by Dispatcher.Test after Close.
	ErrClosed = errors.New("alerts are shut down")
)

// permanentError marks an error that retrying cannot fix.
type permanentError struct{ err error }

func (p permanentError) Error() string { return p.err.Error() }
func (p permanentError) Unwrap() error { return p.err }

// Permanent marks err as one that retrying will not fix (a rejected
// request, a missing terminal): the dispatcher gives up after it.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return permanentError{err}
}

// IsPermanent reports whether err was marked with Permanent.
func IsPermanent(err error) bool {
	var p permanentError
	return errors.As(err, &p)
}

// ChannelOptions are what channels need from their surroundings.
type ChannelOptions struct {
	// Terminal is where terminal alerts are written: the terminal the
	// dashboard runs in. Each notification is one Write call. nil: terminal
	// alerts fail (there is no dashboard, e.g. in the daemon).
	Terminal io.Writer
	// Env reads the environment (os.Getenv); nil reads nothing. TMUX
	// decides whether terminal notifications are wrapped for tmux.
	Env func(key string) string
	// HTTPClient sends webhooks and Telegram messages; nil: a client of
	// its own. Each request also has the attempt's timeout.
	HTTPClient *http.Client
	// TLSConfig is the base TLS configuration for email (RootCAs, minimum
	// version); nil: the system's trust store. ServerName is set per host.
	TLSConfig *tls.Config
	// Timeout bounds one delivery attempt where a library needs it up front
	// (SMTP, the notification URL library); default 30s.
	Timeout time.Duration
	// Origin is where this upbeat runs: the location and the link back
	// that alertmanager alerts carry.
	Origin Origin
}

// Resender is a channel that wants every open incident again every so
// often, not only when something changes: Alertmanager forgets an alert
// that is not posted again. The Dispatcher sends such a channel a message
// of event EventResend listing every open incident routed to it, every
// ResendEvery; a resend still waiting in the queue is replaced by the
// next one. Successful resends are not reported through OnDelivery (they
// are routine), except the first after a failed attempt (the channel
// works again); failed ones are.
type Resender interface {
	Channel
	// ResendEvery is how often the open incidents are sent again.
	ResendEvery() time.Duration
}

// NewChannel builds the channel an [[alert]] describes.
func NewChannel(cfg *Config, opts ChannelOptions) (Channel, error) {
	if opts.Timeout <= 0 {
		opts.Timeout = defaultSendTimeout
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{}
	}
	var (
		ch  Channel
		err error
	)
	switch cfg.Kind {
	case KindDesktop:
		ch = newDesktop(cfg.Name, nil)
	case KindTerminal:
		ch = newTerminal(cfg.Name, opts)
	case KindWebhook:
		ch, err = newWebhook(cfg, opts)
	case KindTelegram:
		ch, err = newTelegram(cfg, opts)
	case KindEmail:
		ch, err = newEmail(cfg, opts)
	case KindURL:
		ch, err = newURLChannel(cfg, opts)
	case KindAlertmanager:
		ch, err = newAlertmanager(cfg, opts)
	default:
		return nil, fmt.Errorf("alert %s: %w %q", cfg.Name, ErrUnknownKind, cfg.Kind)
	}
	if err != nil {
		return nil, fmt.Errorf("alert %s: %w", cfg.Name, err)
	}
	return ch, nil
}
