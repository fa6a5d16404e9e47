package config

import (
	"maps"
	"net/mail"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/upbeat-monitor/upbeat/engine/alert"
	"golang.org/x/net/http/httpguts"
)

// alertEvents are the changes an alert may be sent for; an alert that
// sets no "on" is sent for alert.DefaultOn.
var alertEvents = alert.OnChoices()

// startTLSModes are the values of an email alert's starttls.
var startTLSModes = []string{"mandatory", "opportunistic", "none"}

// alert checks one [[alert]]: its kind, the keys that kind requires, and
// no key that kind does not use.
func (l *loader) alert(t *table) *alert.Config {
	a := &alert.Config{On: alert.DefaultOn()}
	a.Name = name(t, "alert")
	kindKeys, kindOK := alertKind(t, a)

	if b, ok := t.boolean("default"); ok {
		a.Default = b
	}
	if on, ok := t.list("on"); ok {
		for _, e := range on {
			if !slices.Contains(alertEvents, e) {
				t.errorf("on", "unknown change %q; use %s", e, oneOf(alertEvents))
			}
		}
		a.On = on
	}
	if d, ok := t.nonNegative("renotify"); ok {
		a.Renotify = d
	}

	// The keys of every kind are read, so that their values are checked
	// even where the kind is wrong; keys the kind does not use are
	// reported below.
	if v, ok := t.str("url"); ok {
		a.URL = v
		schemes := []string{"https", "http"}
		if a.Kind == "url" {
			schemes = nil // any service URL the notification library knows
		}
		if _, err := checkURLShown(v, alertURLShown(v, a.Kind == "url"), schemes...); err != nil {
			t.errorf("url", "%v", err)
		}
	}
	if v, ok := t.secret("secret"); ok {
		a.Secret = v
	}
	if h, ok := t.stringMap("headers"); ok {
		for name, value := range h {
			if !httpguts.ValidHeaderFieldName(name) {
				t.errorf(joinKey("headers", name), "%q is not a valid header name", name)
			}
			if !httpguts.ValidHeaderFieldValue(value) {
				t.errorf(joinKey("headers", name), "the value holds a line break or control character")
			}
		}
		a.Headers = h
	}
	if v, ok := t.secret("token"); ok {
		if a.Kind == "telegram" && strings.IndexFunc(v, func(r rune) bool { return !isBotTokenRune(r) }) >= 0 {
			// The token goes into the Bot API's URL; never quote it.
			t.errorf(t.secretKey("token"), "holds a character no bot token has (a space, %%, / or the like); copy the token again from @BotFather")
		}
		a.Token = v
	}
	a.ChatID = chatID(t)
	if v, ok := t.str("base_url"); ok {
		if _, err := checkURLShown(v, alertURLShown(v, false), "https", "http"); err != nil {
			t.errorf("base_url", "%v", err)
		}
		a.BaseURL = v
	} else if a.Kind == "telegram" {
		a.BaseURL = DefaultTelegramBaseURL
	}
	l.alertEmail(t, a)
	alertmanagerKeys(t, a)

	if kindOK {
		kindKeysUsed(t, a, kindKeys)
	}
	t.checkUnknown()
	return a
}

// kindKeysUsed reports the keys a's kind needs and lacks, and the keys of
// other kinds that it does not use.
func kindKeysUsed(t *table, a *alert.Config, kindKeys struct{ required, optional []string }) {
	for _, k := range kindKeys.required {
		if !t.has(k) && !t.has(k+"_file") {
			also := ""
			if slices.Contains(kindKeys.optional, k+"_file") {
				also = " (or " + k + "_file)"
			}
			t.errorf(k, "is missing; %s alert needs it%s", withArticle(a.Kind), also)
		}
	}
	for _, k := range t.keysInOrder() {
		if slices.Contains(alertKeys, k) && !slices.Contains(commonAlertKeys, k) &&
			!slices.Contains(kindKeys.required, k) && !slices.Contains(kindKeys.optional, k) {
			if k == "url" && a.Kind == alert.KindAlertmanager {
				t.errorf(k, "an alertmanager alert takes urls, a list with every node of the cluster")
				continue
			}
			t.errorf(k, "%s alert does not use it", withArticle(a.Kind))
		}
	}
}

// alertmanagerKeys reads the keys of an alertmanager alert. Such an alert
// carries incidents only: it is sent when one opens and when it resolves
// (on is fixed), and Alertmanager repeats notifications itself
// (repeat_interval), so renotify has no place either.
func alertmanagerKeys(t *table, a *alert.Config) {
	if urls, ok := t.list("urls"); ok {
		if len(urls) == 0 {
			t.errorf("urls", "names no Alertmanager")
		}
		for _, u := range urls {
			if !strings.Contains(u, "://") {
				t.errorf("urls", "%q has no scheme; write e.g. http://%s", u, u)
			} else if _, err := checkURL(u, "http", "https"); err != nil {
				t.errorf("urls", "%v", err)
			}
		}
		a.URLs = urls
	}
	if d, ok := t.positive("resend"); ok {
		a.Resend = d
	}
	if labels, ok := t.stringMap("labels"); ok {
		for _, k := range slices.Sorted(maps.Keys(labels)) {
			switch {
			case !labelName.MatchString(k):
				t.errorf(joinKey("labels", k), "%q is not a label name (letters, digits and _, not starting with a digit)", k)
			case slices.Contains(reservedLabels, k):
				t.errorf(joinKey("labels", k), "%q is set by upbeat itself (%s)", k, strings.Join(reservedLabels, ", "))
			}
		}
		a.Labels = labels
	}
	if a.Kind != alert.KindAlertmanager {
		return
	}
	if t.has("on") {
		t.errorf("on", "an alertmanager alert is sent for every incident, when it opens and when it resolves; route or silence in Alertmanager instead")
	}
	if t.has("renotify") {
		t.errorf("renotify", "Alertmanager repeats notifications itself (repeat_interval); upbeat posts open incidents again every resend")
	}
	a.On = []string{"down", "up"}
	if a.Resend == 0 {
		a.Resend = alert.DefaultResend
	}
}

// labelName is what Alertmanager accepts as a label name.
var labelName = regexp.MustCompile(`^[a-zA-Z_][a-zA-Z0-9_]*$`)

// reservedLabels are the labels upbeat sets on every alertmanager alert.
var reservedLabels = []string{
	alert.LabelAlertname, alert.LabelMonitor, alert.LabelLocation, alert.LabelSeverity, alert.LabelTags,
}

// isBotTokenRune reports whether r may be part of a Telegram bot token:
// digits, a colon, letters, "_" and "-".
func isBotTokenRune(r rune) bool {
	return r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r == ':' || r == '_' || r == '-'
}

// withArticle puts "a" or "an" before an alert kind.
func withArticle(kind string) string {
	if kind == "email" || kind == "alertmanager" {
		return "an " + kind
	}
	return "a " + kind
}

// commonAlertKeys are the keys every kind of alert has.
var commonAlertKeys = []string{"name", "kind", "default", "on", "renotify"}

// alertKind reads kind and returns the keys that kind uses.
func alertKind(t *table, a *alert.Config) (keys struct{ required, optional []string }, ok bool) {
	if !t.has("kind") {
		t.errorf("kind", "is missing; use %s", oneOf(alertKinds))
		return keys, false
	}
	kind, ok := t.str("kind")
	if !ok {
		return keys, false
	}
	keys, ok = alertKindKeys[kind]
	if !ok {
		if s, near := closest(kind, alertKinds); near {
			t.errorf("kind", "unknown kind %q; did you mean %s?", kind, s)
		} else {
			t.errorf("kind", "unknown kind %q; use %s (url reaches Slack, Discord, ntfy and more)", kind, oneOf(alertKinds))
		}
		return keys, false
	}
	a.Kind = kind
	return keys, true
}

// chatID reads a Telegram chat id, written as a number or a string.
func chatID(t *table) string {
	v, ok := t.get("chat_id")
	if !ok {
		return ""
	}
	if n, ok := v.(int64); ok {
		return strconv.FormatInt(n, 10)
	}
	s, _ := t.str("chat_id")
	return s
}

// alertEmail reads the keys of an email alert.
func (l *loader) alertEmail(t *table, a *alert.Config) {
	if v, ok := t.str("smtp_host"); ok {
		a.SMTPHost = v
	}
	if n, ok := t.integer("smtp_port"); ok {
		if n < 1 || n > 65535 {
			t.errorf("smtp_port", "%d is not a port (1 to 65535)", n)
		}
		a.SMTPPort = n
	} else if a.Kind == "email" {
		a.SMTPPort = DefaultSMTPPort
	}
	if v, ok := t.str("username"); ok {
		a.Username = v
	}
	if v, ok := t.secret("password"); ok {
		a.Password = v
	}
	if (t.has("password") || t.has("password_file")) && !t.has("username") {
		key := "password"
		if t.has("password_file") {
			key = "password_file"
		}
		t.errorf(key, "a password needs a username")
	}
	if v, ok := t.str("from"); ok {
		if _, err := mail.ParseAddress(v); err != nil {
			t.errorf("from", "%q is not an email address", v)
		}
		a.From = v
	}
	if to, ok := t.list("to"); ok {
		for _, addr := range to {
			if _, err := mail.ParseAddress(addr); err != nil {
				t.errorf("to", "%q is not an email address", addr)
			}
		}
		if len(to) == 0 {
			t.errorf("to", "names no one")
		}
		a.To = to
	}
	if v, ok := t.str("starttls"); ok {
		if !slices.Contains(startTLSModes, v) {
			t.errorf("starttls", "unknown mode %q; use %s", v, oneOf(startTLSModes))
		}
		a.StartTLS = v
	} else if a.Kind == "email" {
		a.StartTLS = DefaultStartTLS
	}
}
