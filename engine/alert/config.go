package alert

import "time"

// Config is one [[alert]] channel: the keys of its table, secrets
// included (they stay in this package and its channels).
type Config struct {
	Name     string
	Kind     string   // desktop, terminal, webhook, telegram, email, url, alertmanager
	Default  bool     // used by monitors that name no alerts
	On       []string // which changes: "down", "up", "degraded" (default DefaultOn)
	Renotify time.Duration
	// webhook and url
	URL     string
	Secret  string            // webhook HMAC key
	Headers map[string]string // webhook extra headers
	// telegram
	Token   string // bot token
	ChatID  string
	BaseURL string // API base, default https://api.telegram.org
	// email
	SMTPHost string
	SMTPPort int
	Username string
	Password string
	From     string
	To       []string
	StartTLS string // "mandatory" (default), "opportunistic", "none"
	// alertmanager (Headers apply too)
	URLs   []string          // the nodes of one Alertmanager cluster; every post goes to each
	Resend time.Duration     // how often open incidents are posted again (default DefaultResend)
	Labels map[string]string // extra labels on every alert, for routing
}

// DefaultOn returns the changes an alert is sent for when its config names
// none: incidents (down and up) and degradation. Burn-rate alerts are sent
// only to alerts that name "burn", so that people choose where they go.
func DefaultOn() []string { return []string{"down", "up", "degraded"} }

// OnChoices returns every change an alert's on may name.
func OnChoices() []string { return []string{"down", "up", "degraded", "burn"} }
