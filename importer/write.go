package importer

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Write renders c as an upbeat config: a header that says where it came
// from and which variables to set, then the monitors, the alerts and the
// maintenance windows, in the order the source gave them.
func Write(w io.Writer, c *Config) error {
	bw := bufio.NewWriter(w)
	p := &printer{w: bw}
	from := c.Source.Title()
	if c.Detail != "" {
		from += " (" + c.Detail + ")"
	}
	if c.File != "" {
		from += ", " + c.File
	}
	p.comment("upbeat config imported from " + from + " by `upbeat import`.")
	p.comment("Check it, then run `upbeat validate`. What could not be imported was listed by the command.")
	if len(c.Env) > 0 {
		p.line("#")
		p.comment("Secrets from the source are not written here. Set these environment variables:")
		width := 0
		for _, e := range c.Env {
			width = max(width, len(e.Name))
		}
		for _, e := range c.Env {
			p.comment(fmt.Sprintf("  %-*s  %s", width, e.Name, e.What))
		}
	}
	if len(c.Monitors) == 0 {
		p.line("")
		p.comment("The source had no monitor that upbeat can check.")
	}
	for _, m := range c.Monitors {
		p.monitor(m)
	}
	for _, a := range c.Alerts {
		p.alert(a)
	}
	for _, win := range c.Maintenance {
		p.window(win)
	}
	return bw.Flush()
}

type printer struct {
	w *bufio.Writer
}

func (p *printer) line(s string) { p.w.WriteString(s + "\n") }

// comment writes s as comment lines, one per line of s.
func (p *printer) comment(s string) {
	for _, l := range strings.Split(s, "\n") {
		l = strings.TrimRightFunc(cleanText(l), unicode.IsSpace)
		if l == "" {
			p.line("#")
		} else {
			p.line("# " + l)
		}
	}
}

func (p *printer) str(key, v string) {
	if v != "" {
		p.line(key + " = " + quote(v))
	}
}

func (p *printer) dur(key string, d time.Duration) {
	if d > 0 {
		p.line(key + " = " + quote(formatDuration(d)))
	}
}

func (p *printer) list(key string, vs []string) {
	if len(vs) > 0 {
		p.line(key + " = " + inlineList(vs))
	}
}

func (p *printer) monitor(m *Monitor) {
	p.line("")
	for _, c := range m.Comments {
		p.comment(c)
	}
	p.line("[[monitor]]")
	p.str("name", m.Name)
	p.str("url", m.URL)
	p.dur("interval", m.Interval)
	p.dur("timeout", m.Timeout)
	if m.Retries != nil {
		p.line("retries = " + strconv.Itoa(*m.Retries))
	}
	p.dur("retry_interval", m.RetryInterval)
	if len(m.ExpectStatus) > 0 {
		codes := make([]string, len(m.ExpectStatus))
		for i, c := range m.ExpectStatus {
			codes[i] = strconv.Itoa(c)
		}
		p.line("expect_status = [" + strings.Join(codes, ", ") + "]")
	}
	p.str("expect_body", m.ExpectBody)
	p.str("expect_body_regex", m.ExpectBodyRegex)
	p.list("expect_json", m.ExpectJSON)
	p.str("expect_answer", m.ExpectAnswer)
	p.dur("max_latency", m.MaxLatency)
	if m.CertWarnDays != nil {
		p.line("cert_warn_days = " + strconv.Itoa(*m.CertWarnDays))
	}
	if m.Method != "" && m.Method != "GET" {
		p.str("method", m.Method)
	}
	if len(m.Headers) > 0 {
		p.line("headers = " + inlineTable(m.Headers))
	}
	p.str("body", m.Body)
	if a := m.BasicAuth; a != nil {
		p.line("basic_auth = " + inlineTable([]KV{{"user", a.User}, {"password", a.Password}}))
	}
	if o := m.OAuth2; o != nil {
		parts := []string{"token_url = " + quote(o.TokenURL), "client_id = " + quote(o.ClientID), "client_secret = " + quote(o.ClientSecret)}
		if len(o.Scopes) > 0 {
			parts = append(parts, "scopes = "+inlineList(o.Scopes))
		}
		if len(o.Params) > 0 {
			parts = append(parts, "params = "+inlineTable(o.Params))
		}
		p.line("oauth2 = { " + strings.Join(parts, ", ") + " }")
	}
	p.str("proxy", m.Proxy)
	p.str("client_cert", m.ClientCert)
	p.str("client_key", m.ClientKey)
	if m.IPVersion != 0 {
		p.line("ip_version = " + strconv.Itoa(m.IPVersion))
	}
	if m.MaxRedirects != nil {
		p.line("max_redirects = " + strconv.Itoa(*m.MaxRedirects))
	}
	if m.Insecure {
		p.line("insecure = true")
	}
	p.str("password", m.Password)
	p.str("query", m.Query)
	p.str("expect_value", m.ExpectValue)
	p.str("send", m.Send)
	p.str("starttls", m.StartTLS)
	p.dur("grace", m.Grace)
	p.list("tags", m.Tags)
	p.list("alerts", m.Alerts)
	for _, f := range m.Commented {
		if v := fieldValue(f.Value); v != "" {
			p.line("# " + f.Key + " = " + v)
		}
	}
}

// inlineTable writes key-value pairs as a TOML inline table.
func inlineTable(kvs []KV) string {
	parts := make([]string, len(kvs))
	for i, kv := range kvs {
		parts[i] = quoteKey(kv.Key) + " = " + quote(kv.Value)
	}
	return "{ " + strings.Join(parts, ", ") + " }"
}

// inlineList writes strings as a TOML array.
func inlineList(vs []string) string {
	q := make([]string, len(vs))
	for i, v := range vs {
		q[i] = quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// quoteKey writes a key bare when TOML allows it, else quoted.
func quoteKey(k string) string {
	if k != "" && strings.Trim(k, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == "" {
		return k
	}
	return quote(k)
}

// fieldValue writes a value of a Field as TOML.
func fieldValue(v any) string {
	switch v := v.(type) {
	case string:
		if v == "" {
			return ""
		}
		return quote(v)
	case int:
		return strconv.Itoa(v)
	case []string:
		if len(v) == 0 {
			return ""
		}
		return inlineList(v)
	case []KV:
		if len(v) == 0 {
			return ""
		}
		return inlineTable(v)
	}
	return ""
}

func (p *printer) alert(a *Alert) {
	p.line("")
	for _, c := range a.Comments {
		p.comment(c)
	}
	p.line("[[alert]]")
	p.str("name", a.Name)
	p.str("kind", a.Kind)
	for _, f := range a.Fields {
		if v := fieldValue(f.Value); v != "" {
			p.line(f.Key + " = " + v)
		}
	}
	p.list("on", a.On)
}

func (p *printer) window(w *Window) {
	p.line("")
	for _, c := range w.Comments {
		p.comment(c)
	}
	p.line("[[maintenance]]")
	p.str("name", w.Name)
	p.list("monitors", w.Monitors)
	p.str("start", w.Start)
	p.str("end", w.End)
	p.str("cron", w.Cron)
	p.list("weekdays", w.Weekdays)
	p.str("at", w.At)
	p.dur("duration", w.Duration)
	if w.Timezone != "" && w.Timezone != "UTC" {
		p.str("timezone", w.Timezone)
	}
}

// quote writes s as a TOML string: a literal string ('…') when s has
// double quotes or backslashes and can be one (jq expressions read better
// so), else a basic string with escapes.
func quote(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.ContainsAny(s, `"\`) && !strings.ContainsRune(s, '\'') && !hasControl(s) {
		return "'" + s + "'"
	}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\t':
			b.WriteString(`\t`)
		case '\r':
			b.WriteString(`\r`)
		default:
			if unicode.IsControl(r) {
				fmt.Fprintf(&b, `\u%04X`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func hasControl(s string) bool { return strings.IndexFunc(s, unicode.IsControl) >= 0 }

// cleanText makes text from a source safe for a comment line.
func cleanText(s string) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
}

// formatDuration writes d as the config reads it: "30s", "5m", "2h",
// "1h30m", "500ms", "7d".
func formatDuration(d time.Duration) string {
	day := 24 * time.Hour
	switch {
	case d%day == 0:
		return strconv.FormatInt(int64(d/day), 10) + "d"
	case d%time.Hour == 0:
		return strconv.FormatInt(int64(d/time.Hour), 10) + "h"
	case d%time.Minute == 0 && d > time.Hour:
		return strings.TrimSuffix(d.String(), "0s")
	case d%time.Minute == 0:
		return strconv.FormatInt(int64(d/time.Minute), 10) + "m"
	case d%time.Second == 0:
		return strconv.FormatInt(int64(d/time.Second), 10) + "s"
	case d%time.Millisecond == 0:
		return strconv.FormatInt(int64(d/time.Millisecond), 10) + "ms"
	}
	return d.String()
}
