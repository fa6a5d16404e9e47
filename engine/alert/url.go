package alert

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"strings"

	"github.com/nicholas-fedor/shoutrrr/pkg/router"
	"github.com/nicholas-fedor/shoutrrr/pkg/types"

	"github.com/upbeat-monitor/upbeat/engine"
)

// urlChannel reaches the long tail of chat and push services (Slack,
// Discord, ntfy, Gotify, Pushover, Teams, Matrix, …) through a service URL
// understood by shoutrrr. Service URLs carry tokens, so errors never quote
// the URL: they are scrubbed of every part of it that could be a secret.
type urlChannel struct {
	name    string
	service string // the URL scheme, shown in errors
	router  *router.ServiceRouter
	scrub   *Redactor
}

// newURLChannel parses the service URL.
func newURLChannel(cfg *Config, opts ChannelOptions) (*urlChannel, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("url: %w: url", ErrMissing)
	}
	scrub := NewRedactor([]*Config{cfg})
	service, _, _ := strings.Cut(cfg.URL, ":")
	r, err := router.New(log.New(io.Discard, "", 0), cfg.URL)
	if err != nil {
		// The library's errors may quote the URL.
		return nil, fmt.Errorf("url: service %s: %s", engine.Sanitize(service, 40), scrub.Redact(unwrapAll(err).Error()))
	}
	r.Timeout = opts.Timeout
	return &urlChannel{name: cfg.Name, service: engine.Sanitize(service, 40), router: r, scrub: scrub}, nil
}

// unwrapAll returns the innermost error of a chain of single wraps.
func unwrapAll(err error) error {
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

// Name implements Channel.
func (u *urlChannel) Name() string { return u.name }

// Send implements Channel. The library takes no context; it has its own
// timeout (the attempt timeout), and Send returns when ctx is done.
func (u *urlChannel) Send(ctx context.Context, m Message) error {
	done := make(chan error, 1)
	params := types.Params{"title": oscText(m.Title, 250)}
	text := cleanLines(m.Text, 3500)
	go func() {
		done <- errors.Join(u.router.Send(text, &params)...)
	}()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("url: %s: %s", u.service, u.scrub.Redact(err.Error()))
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("url: %s: %w", u.service, ctx.Err())
	}
}
