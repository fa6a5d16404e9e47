package importer

import (
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// This file maps notification channels, as Gatus and Uptime Kuma describe
// them, to upbeat's [[alert]] kinds: webhook, telegram and email are
// upbeat's own; the chat and push services go through kind "url", a
// service URL in shoutrrr's syntax. Each function fills a's kind and keys,
// with every secret as a ${VAR}, or returns why it cannot.

// errFromEnv is returned when a service's URL is itself a variable in the
// source, so that its parts cannot be taken apart.
var errFromEnv = errors.New("from a variable")

// webhookAlert is a plain webhook. upbeat posts its own JSON, signed
// when a secret is set, not the source's template.
func (b *builder) webhookAlert(a *Alert, rawURL string, headers []KV) error {
	label := fmt.Sprintf("alert %q", a.Name)
	u, err := b.secretURL(a.Name, label, rawURL, "webhook URL")
	if err != nil {
		return err
	}
	a.Kind = "webhook"
	a.Fields = append(a.Fields, Field{"url", u})
	if len(headers) > 0 {
		a.Fields = append(a.Fields, Field{"headers", b.secretHeaders(a.Name, label, headers)})
	}
	return nil
}

// telegramAlert is a Telegram bot writing to a chat.
func (b *builder) telegramAlert(a *Alert, token, chatID, baseURL string) error {
	if token == "" || chatID == "" {
		return errors.New("it has no bot token or no chat id")
	}
	a.Kind = "telegram"
	a.Fields = append(a.Fields,
		Field{"token", b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the Telegram bot token", a.Name), token)},
		Field{"chat_id", chatID})
	if baseURL = strings.TrimRight(baseURL, "/"); baseURL != "" && baseURL != "https://api.telegram.org" {
		a.Fields = append(a.Fields, Field{"base_url", baseURL})
	}
	return nil
}

// emailAlert is mail over SMTP. starttls is "" for upbeat's default.
func (b *builder) emailAlert(a *Alert, host string, port int, user, password, from string, to []string, starttls string) error {
	switch {
	case host == "":
		return errors.New("it has no SMTP host")
	case from == "":
		return errors.New("it has no sender address")
	case len(to) == 0:
		return errors.New("it has no recipient")
	}
	a.Kind = "email"
	a.Fields = append(a.Fields, Field{"smtp_host", host})
	if port != 0 && port != 587 {
		a.Fields = append(a.Fields, Field{"smtp_port", port})
	}
	if starttls != "" && port != 465 {
		a.Fields = append(a.Fields, Field{"starttls", starttls})
	}
	if user != "" {
		a.Fields = append(a.Fields, Field{"username", user})
		if password != "" {
			a.Fields = append(a.Fields, Field{"password", b.secret(a.Name, "PASSWORD", fmt.Sprintf("alert %q: the SMTP password of %s", a.Name, user), password)})
		}
	}
	a.Fields = append(a.Fields, Field{"from", from}, Field{"to", to})
	return nil
}

// serviceURL sets a to kind "url" with the given service URL.
func serviceURL(a *Alert, u string) error {
	a.Kind = "url"
	a.Fields = append(a.Fields, Field{"url", u})
	return nil
}

// fromEnv handles a service whose whole webhook URL is a variable in the
// source: the service URL becomes a new variable the person fills in.
func (b *builder) fromEnv(a *Alert, raw, service, form string) error {
	name, ok := envRef(raw)
	if !ok {
		return nil
	}
	ref := b.secret(a.Name, "URL", fmt.Sprintf("alert %q: the %s service URL, %s, made from the webhook URL in $%s", a.Name, service, form, name), "")
	serviceURL(a, ref)
	return errFromEnv
}

// slackAlert maps an incoming-webhook URL, …/services/T…/B…/X….
func (b *builder) slackAlert(a *Alert, webhook, channel string) error {
	if err := b.fromEnv(a, webhook, "Slack", "slack://hook:T…-B…-X…@webhook"); err != nil {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(webhook))
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if err != nil || len(parts) != 4 || parts[0] != "services" {
		return errors.New("its webhook URL is not a Slack incoming webhook (…/services/T…/B…/X…)")
	}
	tok := b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the Slack webhook token, the three parts of the webhook URL after /services/ joined by '-': %s-%s-…", a.Name, parts[1], parts[2]), "")
	if channel != "" {
		a.Comments = append(a.Comments, "a Slack webhook posts to the channel it was made for; the channel "+channel+" is not kept")
	}
	return serviceURL(a, "slack://hook:"+tok+"@webhook")
}

// discordAlert maps https://discord.com/api/webhooks/ID/TOKEN.
func (b *builder) discordAlert(a *Alert, webhook string) error {
	if err := b.fromEnv(a, webhook, "Discord", "discord://TOKEN@ID"); err != nil {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(webhook))
	parts := strings.Split(strings.Trim(u.EscapedPath(), "/"), "/")
	if err != nil || len(parts) != 4 || parts[0] != "api" || parts[1] != "webhooks" {
		return errors.New("its webhook URL is not a Discord webhook (…/api/webhooks/ID/TOKEN)")
	}
	tok := b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the Discord webhook token, the last part of the webhook URL", a.Name), parts[3])
	return serviceURL(a, "discord://"+tok+"@"+parts[2])
}

// teamsAlert maps a Teams incoming webhook,
// https://ORG.webhook.office.com/webhookb2/G@T/IncomingWebhook/A/O/E.
func (b *builder) teamsAlert(a *Alert, webhook string) error {
	if err := b.fromEnv(a, webhook, "Teams", "teams://GROUP@TENANT/ALTID/OWNER/EXTRAID?host=ORG.webhook.office.com"); err != nil {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(webhook))
	if err != nil || !strings.HasSuffix(u.Hostname(), ".webhook.office.com") {
		return errors.New("its webhook URL is not a Teams webhook on ORG.webhook.office.com (the only form the notification library takes)")
	}
	parts := strings.Split(strings.Trim(u.Path, "/"), "/")
	if len(parts) != 6 || parts[2] != "IncomingWebhook" || !strings.Contains(parts[1], "@") {
		return errors.New("its webhook URL is not of the form …/webhookb2/GROUP@TENANT/IncomingWebhook/ALTID/OWNER/EXTRAID")
	}
	tok := b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the last part of the Teams webhook URL", a.Name), parts[5])
	return serviceURL(a, fmt.Sprintf("teams://%s/%s/%s/%s?host=%s", parts[1], parts[3], parts[4], tok, u.Host))
}

// hookAlert maps the webhooks of Mattermost (https://HOST/hooks/TOKEN)
// and Rocket.Chat (https://HOST/hooks/A/B).
func (b *builder) hookAlert(a *Alert, scheme, service, webhook, channel string) error {
	if err := b.fromEnv(a, webhook, service, scheme+"://HOST/TOKEN"); err != nil {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(webhook))
	if err != nil || u.Host == "" {
		return fmt.Errorf("its webhook URL is not a %s webhook (https://HOST/hooks/TOKEN)", service)
	}
	path := strings.Trim(u.Path, "/")
	i := strings.Index(path, "hooks/")
	if i < 0 {
		return fmt.Errorf("its webhook URL is not a %s webhook (https://HOST/hooks/TOKEN)", service)
	}
	tok := b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the %s webhook token, what follows /hooks/ in the webhook URL", a.Name, service), path[i+len("hooks/"):])
	s := scheme + "://" + u.Host + "/" + path[:i] + tok
	if channel = strings.TrimPrefix(channel, "#"); channel != "" {
		s += "/" + url.PathEscape(channel)
	}
	if u.Scheme == "http" {
		s += "?disabletls=yes"
	}
	return serviceURL(a, s)
}

// googleChatAlert maps https://chat.googleapis.com/v1/spaces/S/messages?key=K&token=T.
func (b *builder) googleChatAlert(a *Alert, webhook string) error {
	if err := b.fromEnv(a, webhook, "Google Chat", "the webhook URL with https replaced by googlechat"); err != nil {
		return nil
	}
	u, err := url.Parse(strings.TrimSpace(webhook))
	if err != nil || u.Host == "" || u.Query().Get("key") == "" {
		return errors.New("its webhook URL is not a Google Chat webhook (…/messages?key=…&token=…)")
	}
	key := b.secret(a.Name, "KEY", fmt.Sprintf("alert %q: the key parameter of the Google Chat webhook URL", a.Name), u.Query().Get("key"))
	s := "googlechat://" + u.Host + u.EscapedPath() + "?key=" + key
	if t := u.Query().Get("token"); t != "" {
		s += "&token=" + b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the token parameter of the Google Chat webhook URL", a.Name), t)
	}
	return serviceURL(a, s)
}

// ntfyAlert maps an ntfy topic on a server (default ntfy.sh), with a
// user and password or an access token.
func (b *builder) ntfyAlert(a *Alert, server, topic, user, password, token string, priority int) error {
	if topic == "" {
		return errors.New("it has no topic")
	}
	if server == "" {
		server = "https://ntfy.sh"
	}
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || u.Host == "" {
		return fmt.Errorf("its server %q is not a URL", server)
	}
	auth := ""
	switch {
	case token != "":
		auth = ":" + b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the ntfy access token", a.Name), token) + "@"
	case user != "":
		auth = url.PathEscape(user) + ":" + b.secret(a.Name, "PASSWORD", fmt.Sprintf("alert %q: the ntfy password of %s", a.Name, user), password) + "@"
	}
	s := "ntfy://" + auth + u.Host + strings.TrimRight(u.EscapedPath(), "/") + "/" + url.PathEscape(topic)
	var q []string
	if u.Scheme == "http" {
		q = append(q, "scheme=http")
	}
	if priority >= 1 && priority <= 5 {
		q = append(q, "priority="+strconv.Itoa(priority))
	}
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return serviceURL(a, s)
}

// gotifyAlert maps a Gotify server and application token.
func (b *builder) gotifyAlert(a *Alert, server, token string) error {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || u.Host == "" {
		return fmt.Errorf("its server %q is not a URL", server)
	}
	if token == "" {
		return errors.New("it has no application token")
	}
	tok := b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the Gotify application token", a.Name), token)
	s := "gotify://" + u.Host + strings.TrimRight(u.EscapedPath(), "/") + "/" + tok
	if u.Scheme == "http" {
		s += "?disabletls=yes"
	}
	return serviceURL(a, s)
}

// pushoverAlert maps an application token and a user key.
func (b *builder) pushoverAlert(a *Alert, appToken, userKey, device string) error {
	if appToken == "" || userKey == "" {
		return errors.New("it has no application token or no user key")
	}
	tok := b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the Pushover application token", a.Name), appToken)
	s := "pushover://shoutrrr:" + tok + "@" + url.PathEscape(userKey) + "/"
	if device != "" {
		s += "?devices=" + url.QueryEscape(device)
	}
	return serviceURL(a, s)
}

// matrixAlert maps a homeserver, an access token and a room.
func (b *builder) matrixAlert(a *Alert, server, token, room string) error {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || u.Host == "" {
		return fmt.Errorf("its homeserver %q is not a URL", server)
	}
	if token == "" {
		return errors.New("it has no access token")
	}
	tok := b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the Matrix access token", a.Name), token)
	s := "matrix://:" + tok + "@" + u.Host + "/"
	var q []string
	if room != "" {
		q = append(q, "rooms="+url.QueryEscape(room))
	}
	if u.Scheme == "http" {
		q = append(q, "disableTLS=yes")
	}
	if len(q) > 0 {
		s += "?" + strings.Join(q, "&")
	}
	return serviceURL(a, s)
}

// pushbulletAlert maps an access token.
func (b *builder) pushbulletAlert(a *Alert, token string) error {
	if token == "" {
		return errors.New("it has no access token")
	}
	return serviceURL(a, "pushbullet://"+b.secret(a.Name, "TOKEN", fmt.Sprintf("alert %q: the Pushbullet access token", a.Name), token))
}

// opsgenieAlert maps an API key; eu picks the EU instance.
func (b *builder) opsgenieAlert(a *Alert, apiKey string, eu bool) error {
	if apiKey == "" {
		return errors.New("it has no API key")
	}
	host := "api.opsgenie.com"
	if eu {
		host = "api.eu.opsgenie.com"
	}
	return serviceURL(a, "opsgenie://"+host+"/"+b.secret(a.Name, "KEY", fmt.Sprintf("alert %q: the Opsgenie API key", a.Name), apiKey))
}

// pagerDutyAlert maps an Events API v2 integration key.
func (b *builder) pagerDutyAlert(a *Alert, key string) error {
	if key == "" {
		return errors.New("it has no integration key")
	}
	return serviceURL(a, "pagerduty://events.pagerduty.com/"+b.secret(a.Name, "KEY", fmt.Sprintf("alert %q: the PagerDuty integration key", a.Name), key))
}

// secretURL returns a URL with its password and secret-looking query
// parameters made variables.
func (b *builder) secretURL(base, label, raw, what string) (string, error) {
	raw = strings.TrimSpace(raw)
	if name, ok := envRef(raw); ok {
		b.needEnv(name, fmt.Sprintf("%s: the %s (already a variable in the source)", label, what))
		return "${" + name + "}", nil
	}
	if strings.Contains(raw, "${") {
		return raw, nil // made of variables: nothing to take apart
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "", fmt.Errorf("its %s %q is not a URL", what, cleanText(redactUserinfo(raw)))
	}
	var pass string
	if u.User != nil {
		if p, ok := u.User.Password(); ok {
			pass = b.secret(base, "PASSWORD", fmt.Sprintf("%s: the password in the %s, for %s (percent-encode any of :/?#@ in it)", label, what, u.User.Username()), p)
		}
	}
	query := u.RawQuery
	if query != "" {
		parts := strings.Split(query, "&")
		for i, p := range parts {
			k, v, _ := strings.Cut(p, "=")
			key, _ := url.QueryUnescape(k)
			if v != "" && secretName(key) {
				val, _ := url.QueryUnescape(v)
				parts[i] = k + "=" + b.secret(base, envPart(key), fmt.Sprintf("%s: the %s parameter of the %s", label, key, what), val)
			}
		}
		query = strings.Join(parts, "&")
	}
	// Put the URL back together by hand, so that ${…} is not escaped.
	var s strings.Builder
	s.WriteString(u.Scheme + "://")
	if u.User != nil {
		s.WriteString(url.PathEscape(u.User.Username()))
		if pass != "" {
			s.WriteString(":" + pass)
		}
		s.WriteString("@")
	}
	s.WriteString(u.Host + u.EscapedPath())
	if query != "" {
		s.WriteString("?" + query)
	}
	if u.Fragment != "" {
		s.WriteString("#" + u.EscapedFragment())
	}
	return s.String(), nil
}

// secretHeaders makes the values of headers that carry credentials
// variables.
func (b *builder) secretHeaders(base, label string, headers []KV) []KV {
	out := make([]KV, len(headers))
	for i, h := range headers {
		out[i] = h
		if secretName(h.Key) && !strings.Contains(h.Value, "${") {
			out[i].Value = b.secret(base, envPart(h.Key), fmt.Sprintf("%s: the value of the %s header", label, h.Key), h.Value)
		}
	}
	return out
}

// secretName reports whether a header or parameter name is one that
// carries a credential.
func secretName(name string) bool {
	n := strings.ToLower(strings.NewReplacer("-", "", "_", "").Replace(name))
	switch n {
	case "authorization", "proxyauthorization", "cookie", "token", "accesstoken", "apikey", "key",
		"secret", "password", "pass", "auth", "sig", "signature", "xapikey", "xauthtoken", "privatetoken":
		return true
	}
	return strings.Contains(n, "token") || strings.Contains(n, "secret") || strings.Contains(n, "password") || strings.HasSuffix(n, "apikey")
}
