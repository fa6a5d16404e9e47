package alert

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
)

// Webhook headers; see WEBHOOK.md.
const (
	HeaderSignature = "X-Upbeat-Signature" // "sha256=" + hex HMAC-SHA256 of the body under the secret
	HeaderTimestamp = "X-Upbeat-Timestamp" // Unix seconds when the request was made
	HeaderEvent     = "X-Upbeat-Event"     // the payload's event
	HeaderDelivery  = "X-Upbeat-Delivery"  // the message id: the same on every retry
)

// WebhookVersion is the version of the webhook payload schema. Version 2
// follows the JSON contract of package wire: durations in milliseconds
// (duration_ms, which replaced duration_seconds), a time that is not known
// left out (an open incident has no end).
const WebhookVersion = 2

// WebhookPayload is the JSON body of a webhook; WEBHOOK.md documents it.
type WebhookPayload struct {
	Version  int              `json:"version"`
	ID       string           `json:"id"`
	Event    string           `json:"event"`
	Urgent   bool             `json:"urgent"`
	Title    string           `json:"title"`
	Text     string           `json:"text"`
	Time     time.Time        `json:"time"`
	SentAt   time.Time        `json:"sent_at"`
	Monitors []WebhookMonitor `json:"monitors"`
}

// WebhookMonitor is one monitor in a webhook payload: the result the
// message is about as `check --json` and the API write it (wire.Result:
// monitor, kind, url, time, status, code, latency_ms, error, class, …),
// what happened to the monitor and what the knowledge base says of it,
// and its incident as the API shows incidents (wire.Incident).
type WebhookMonitor struct {
	*wire.Result
	Event      string         `json:"event"`
	Name       string         `json:"name,omitempty"`
	Meaning    string         `json:"meaning,omitempty"`
	FirstStep  string         `json:"first_step,omitempty"`
	Since      time.Time      `json:"since,omitzero"`
	DurationMS float64        `json:"duration_ms,omitempty"`
	Flapping   bool           `json:"flapping,omitempty"`
	Flaps      int            `json:"flaps,omitempty"`
	Incident   *wire.Incident `json:"incident,omitempty"`
	Agreement  string         `json:"agreement,omitempty"`
	// The address the check connected to, the monitors it depends on and
	// those behind it, which of those are still down when it recovered,
	// and a burn-rate alert's figures.
	Remote    string       `json:"remote,omitempty"`
	DependsOn []string     `json:"depends_on,omitempty"`
	Behind    []string     `json:"behind,omitempty"`
	StillDown []string     `json:"still_down,omitempty"`
	Burn      *WebhookBurn `json:"burn,omitempty"`
}

// WebhookBurn is a burn-rate alert's figures in a webhook payload.
type WebhookBurn struct {
	Severity      string  `json:"severity,omitempty"` // "page" or "warn"; absent once over
	Objective     float64 `json:"objective"`          // 0.999
	WindowMS      float64 `json:"window_ms"`
	LongWindowMS  float64 `json:"long_window_ms"`
	ShortWindowMS float64 `json:"short_window_ms"`
	LongRate      float64 `json:"long_rate"`
	ShortRate     float64 `json:"short_rate"`
	Threshold     float64 `json:"threshold"`
	BudgetLeft    float64 `json:"budget_left"`
}

// NewWebhookPayload builds the payload for m.
func NewWebhookPayload(m Message, sentAt time.Time) WebhookPayload {
	p := WebhookPayload{
		Version: WebhookVersion, ID: m.ID, Event: m.Event, Urgent: m.Urgent,
		Title: m.Title, Text: m.Text, Time: m.Time.UTC(), SentAt: sentAt.UTC(),
		Monitors: make([]WebhookMonitor, 0, len(m.Items)),
	}
	for _, it := range m.Items {
		wm := WebhookMonitor{
			Result: wire.FromResult(&it.Result), Event: it.Event, Name: it.Name, Meaning: it.Meaning,
			FirstStep: it.FirstStep, DurationMS: wire.Milliseconds(it.Duration), Flapping: it.Flapping, Flaps: it.Flaps,
			Agreement: it.Agreement,
		}
		if !it.Since.IsZero() {
			wm.Since = it.Since.UTC()
		}
		if it.Incident != nil {
			wm.Incident = wire.FromIncident(it.Incident)
		}
		wm.Remote, wm.DependsOn, wm.Behind, wm.StillDown = it.Remote, it.DependsOn, it.Behind, it.StillDown
		if b := it.Burn; b != nil {
			wm.Burn = &WebhookBurn{Severity: b.Severity, Objective: b.Objective, WindowMS: wire.Milliseconds(b.Window),
				LongWindowMS: wire.Milliseconds(b.Long), ShortWindowMS: wire.Milliseconds(b.Short), LongRate: b.LongRate,
				ShortRate: b.ShortRate, Threshold: b.Threshold, BudgetLeft: b.BudgetLeft}
		}
		p.Monitors = append(p.Monitors, wm)
	}
	return p
}

// Sign returns the X-Upbeat-Signature value for body under secret.
func Sign(secret, body []byte) string {
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return "sha256=" + hex.EncodeToString(mac.Sum(nil))
}

// Verify reports whether sig is the signature of body under secret, in
// constant time. Receivers written in Go can use it.
func Verify(secret, body []byte, sig string) bool {
	return hmac.Equal([]byte(Sign(secret, body)), []byte(sig))
}

// webhook POSTs a JSON payload, optionally signed.
type webhook struct {
	name    string
	url     string
	secret  []byte
	headers map[string]string
	client  *http.Client
	now     func() time.Time
}

// newWebhook checks the URL and returns a webhook channel.
func newWebhook(cfg *Config, opts ChannelOptions) (*webhook, error) {
	if cfg.URL == "" {
		return nil, fmt.Errorf("webhook: %w: url", ErrMissing)
	}
	u, err := url.Parse(cfg.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("webhook: url must be http(s)://host/…")
	}
	return &webhook{
		name: cfg.Name, url: cfg.URL, secret: []byte(cfg.Secret), headers: cfg.Headers,
		client: opts.HTTPClient, now: time.Now,
	}, nil
}

// Name implements Channel.
func (w *webhook) Name() string { return w.name }

// Send implements Channel. A 2xx answer is success; 408, 425, 429 and 5xx
// are retried; any other answer is permanent.
func (w *webhook) Send(ctx context.Context, m Message) error {
	now := w.now()
	body, err := json.Marshal(NewWebhookPayload(m, now))
	if err != nil {
		return Permanent(fmt.Errorf("webhook: encode: %w", err))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.url, bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("webhook: %w", err))
	}
	for k, v := range w.headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "upbeat-alert/1")
	req.Header.Set(HeaderTimestamp, strconv.FormatInt(now.Unix(), 10))
	req.Header.Set(HeaderEvent, m.Event)
	req.Header.Set(HeaderDelivery, m.ID)
	if len(w.secret) > 0 {
		req.Header.Set(HeaderSignature, Sign(w.secret, body))
	}
	resp, err := w.client.Do(req)
	if err != nil {
		return fmt.Errorf("webhook: %w", stripURL(err))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	return httpStatusError("webhook", resp.StatusCode)
}

// httpStatusError turns a non-2xx answer into an error, permanent unless
// a retry can help.
func httpStatusError(what string, code int) error {
	if code >= 200 && code < 300 {
		return nil
	}
	err := fmt.Errorf("%s: the receiver answered %d %s", what, code, http.StatusText(code))
	if code == http.StatusRequestTimeout || code == http.StatusTooEarly || code == http.StatusTooManyRequests || code >= 500 {
		return err
	}
	return Permanent(err)
}

// stripURL replaces the URL in a *url.Error by its scheme and host: paths
// of webhook and bot URLs often carry tokens.
func stripURL(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	shown := "the receiver"
	if u, perr := url.Parse(ue.URL); perr == nil {
		shown = u.Scheme + "://" + u.Host
	}
	return fmt.Errorf("%s %s: %w", ue.Op, shown, ue.Err)
}
