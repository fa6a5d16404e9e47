package alert

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/upbeat-monitor/upbeat/engine"
)

// DefaultTelegramBaseURL is the Bot API used when an alert sets no base_url.
const DefaultTelegramBaseURL = "https://api.telegram.org"

// telegramMax is the longest text sendMessage accepts, in characters.
const telegramMax = 4096

// telegram sends through the Bot API's sendMessage. The token is part of
// the request path, so it never leaves this type in an error.
type telegram struct {
	name   string
	base   string
	token  string
	chatID string
	client *http.Client
}

// newTelegram returns a Telegram channel.
func newTelegram(cfg *Config, opts ChannelOptions) (*telegram, error) {
	switch {
	case cfg.Token == "":
		return nil, fmt.Errorf("telegram: %w: token", ErrMissing)
	case cfg.ChatID == "":
		return nil, fmt.Errorf("telegram: %w: chat_id", ErrMissing)
	}
	base := cfg.BaseURL
	if base == "" {
		base = DefaultTelegramBaseURL
	}
	return &telegram{
		name: cfg.Name, base: strings.TrimRight(base, "/"), token: cfg.Token, chatID: cfg.ChatID,
		client: opts.HTTPClient,
	}, nil
}

// Name implements Channel.
func (t *telegram) Name() string { return t.name }

// telegramReply is the part of a Bot API answer we read.
type telegramReply struct {
	OK          bool   `json:"ok"`
	ErrorCode   int    `json:"error_code"`
	Description string `json:"description"`
}

// Send implements Channel. Messages that are not urgent arrive silently
// (disable_notification).
func (t *telegram) Send(ctx context.Context, m Message) error {
	text := m.Title + "\n\n" + m.Text
	if r := []rune(text); len(r) > telegramMax {
		text = string(r[:telegramMax-1]) + "…"
	}
	body, _ := json.Marshal(map[string]any{
		"chat_id":                  t.chatID,
		"text":                     text,
		"disable_notification":     !m.Urgent,
		"disable_web_page_preview": true,
	})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.base+"/bot"+t.token+"/sendMessage", bytes.NewReader(body))
	if err != nil {
		return Permanent(fmt.Errorf("telegram: bad base_url"))
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := t.client.Do(req)
	if err != nil {
		return fmt.Errorf("telegram: %s", t.scrub(stripURL(err).Error()))
	}
	defer resp.Body.Close()
	var reply telegramReply
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	_ = json.Unmarshal(raw, &reply)
	if resp.StatusCode == http.StatusOK && reply.OK {
		return nil
	}
	why := engine.Sanitize(t.scrub(reply.Description), 200)
	if why == "" {
		why = http.StatusText(resp.StatusCode)
	}
	err = fmt.Errorf("telegram: the Bot API answered %d: %s", resp.StatusCode, why)
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500 {
		return err
	}
	return Permanent(err)
}

// scrub removes the token from s.
func (t *telegram) scrub(s string) string {
	return strings.ReplaceAll(s, t.token, redacted)
}
