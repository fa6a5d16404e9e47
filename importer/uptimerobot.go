package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// UptimeRobot exports monitors as CSV, one row per monitor under a header
// row. The column names have changed over the years and between the
// export and the bulk-import template, so columns are found by name,
// loosely: case, spaces and punctuation do not count, and each field has
// a few names ("Friendly Name" or "Name"; "URL", "URL/IP" or "Host").

// urColumns lists, per field, the normalised header names that hold it.
var urColumns = map[string][]string{
	"name":         {"friendlyname", "name", "monitorname", "monitor"},
	"url":          {"url", "urlip", "urlorip", "host", "hostname", "ip", "target", "address"},
	"type":         {"type", "monitortype"},
	"subtype":      {"subtype", "portsubtype", "porttype"},
	"port":         {"port"},
	"interval":     {"interval", "monitoringinterval", "checkinterval", "intervalseconds", "intervalsec", "intervalmins", "intervalminutes"},
	"timeout":      {"timeout", "requesttimeout", "timeoutseconds"},
	"keyword":      {"keyword", "keywordvalue"},
	"keywordtype":  {"keywordtype", "alertwhen", "keywordalertwhen"},
	"keywordcase":  {"keywordcasetype", "casesensitive"},
	"status":       {"status", "monitorstatus"},
	"httpuser":     {"httpusername", "username", "httpauthusername"},
	"httppassword": {"httppassword", "password", "httpauthpassword"},
	"method":       {"httpmethod", "method"},
	"contacts":     {"alertcontacts", "alertcontact", "contacts", "notifications"},
	"tags":         {"tags", "tag"},
}

// normHeader lowercases a header and drops everything but letters and
// digits.
func normHeader(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// urHeader maps fields to column indexes.
func urHeader(header []string) map[string]int {
	cols := map[string]int{}
	for field, names := range urColumns {
		for _, n := range names {
			for i, h := range header {
				if _, done := cols[field]; !done && normHeader(h) == n {
					cols[field] = i
				}
			}
		}
	}
	return cols
}

// urReader returns a CSV reader for data, with the BOM dropped and the
// separator guessed from the header line (comma, semicolon or tab).
func urReader(data []byte) *csv.Reader {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	first, _, _ := bytes.Cut(data, []byte("\n"))
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	sep := ','
	for _, c := range []rune{';', '\t'} {
		if bytes.Count(first, []byte(string(c))) > bytes.Count(first, []byte(string(sep))) {
			sep = c
		}
	}
	r.Comma = sep
	return r
}

// looksLikeUptimeRobot reports whether data is CSV whose header has a
// name column and a URL column.
func looksLikeUptimeRobot(data []byte) bool {
	header, err := urReader(data).Read()
	if err != nil {
		return false
	}
	cols := urHeader(header)
	_, name := cols["name"]
	_, u := cols["url"]
	return name && u
}

// FromUptimeRobot maps an UptimeRobot CSV export.
func FromUptimeRobot(data []byte) (*Config, error) {
	r := urReader(data)
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("not a CSV file: %v", csvError(err))
	}
	cols := urHeader(header)
	for _, f := range []string{"name", "url"} {
		if _, ok := cols[f]; !ok {
			return nil, fmt.Errorf("not an UptimeRobot export: the header row %q has no %s column", strings.Join(header, ","), f)
		}
	}
	b := newBuilder(UptimeRobot, "")
	line := 1
	contacts := false
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		line++
		if err != nil {
			return nil, fmt.Errorf("not valid CSV: %v", csvError(err))
		}
		get := func(f string) string {
			if i, ok := cols[f]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		if strings.Join(rec, "") == "" {
			continue
		}
		b.cfg.Found.Monitors++
		contacts = contacts || get("contacts") != ""
		b.urMonitor(get, line)
	}
	if contacts {
		b.partial("alert contacts", "the export names them but holds no address or token; add [[alert]] channels by hand")
	}
	return b.cfg, nil
}

// csvError shortens the CSV reader's messages.
func csvError(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Sprintf("line %d: %v", pe.Line, pe.Err)
	}
	return err.Error()
}

// urTypes maps UptimeRobot's monitor types, as words or as the API's
// numbers, to a short name.
func urType(s string) string {
	n := normHeader(s)
	switch {
	case n == "1" || n == "http" || n == "https" || n == "https2" || n == "websitehttps" || n == "httphttps" || n == "website":
		return "http"
	case n == "2" || strings.HasPrefix(n, "keyword"):
		return "keyword"
	case n == "3" || n == "ping" || n == "icmp":
		return "ping"
	case n == "4" || n == "port" || n == "tcp":
		return "port"
	case n == "5" || n == "heartbeat" || n == "cronjob" || n == "cron":
		return "heartbeat"
	case n == "":
		return ""
	}
	return s
}

// urPorts are the ports of the port monitor's predefined sub-types.
var urPorts = map[string]int{"1": 80, "http": 80, "2": 443, "https": 443, "3": 21, "ftp": 21,
	"4": 25, "smtp": 25, "5": 110, "pop3": 110, "6": 143, "imap": 143}

// urMappers map each short monitor type (urType's) onto m; false means
// the monitor was left out (and the report says why).
var urMappers = map[string]func(b *builder, m *Monitor, get func(string) string, raw, item string) bool{
	"http":      (*builder).urHTTP,
	"keyword":   (*builder).urKeyword,
	"ping":      (*builder).urPing,
	"port":      (*builder).urPort,
	"heartbeat": (*builder).urHeartbeat,
}

func (b *builder) urMonitor(get func(string) string, line int) {
	typ := urType(get("type"))
	raw := get("url")
	item := fmt.Sprintf("monitor %q (line %d)", cleanText(get("name")), line)
	if typ == "" {
		// Old exports have no type column: a URL is a website, anything
		// else a host to ping.
		typ = "http"
		if !strings.Contains(raw, "://") {
			typ = "ping"
		}
	}
	if st := normHeader(get("status")); st == "paused" || st == "0" {
		b.skip(item, "it is paused in UptimeRobot")
		return
	}
	if raw == "" {
		b.skip(item, "it has no URL or host")
		return
	}
	mapper, ok := urMappers[typ]
	if !ok {
		b.skip(item, "upbeat has no check for UptimeRobot's %q monitors", typ)
		return
	}
	m := &Monitor{Name: get("name")}
	if !mapper(b, m, get, raw, item) {
		return
	}
	b.urSchedule(m, get, typ, item)
	m.Tags = urTags(get("tags"), m.Tags)
	b.add(m, item, fmt.Sprintf("monitor-line-%d", line))
}

// urHTTP maps a website monitor: the URL (https when the export left the
// scheme out), HTTP basic auth and a method other than the default.
func (b *builder) urHTTP(m *Monitor, get func(string) string, raw, item string) bool {
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	if err := b.httpURL(m, item, raw); err != nil {
		b.skip(item, "%v", err)
		return false
	}
	if user := get("httpuser"); user != "" {
		b.basicAuth(m, item, user, get("httppassword"))
	}
	if meth := strings.ToUpper(get("method")); meth != "" && meth != "GET" && meth != "HEAD" {
		m.Method = meth
	}
	return true
}

// urKeyword maps a keyword monitor: a website monitor whose keyword must
// be in the body. UptimeRobot can also be down when the keyword is found,
// and match it in any case; upbeat does neither, so the report says so.
func (b *builder) urKeyword(m *Monitor, get func(string) string, raw, item string) bool {
	if !b.urHTTP(m, get, raw, item) {
		return false
	}
	kw := get("keyword")
	kt := normHeader(get("keywordtype"))
	switch {
	case kw == "":
		b.partial(item, "it is a keyword monitor without a keyword")
	case kt == "2" || strings.Contains(kt, "notexist") || strings.Contains(kt, "exists") && strings.Contains(kt, "not"):
		b.partial(item, "it is down when %q is found; upbeat cannot invert a keyword, so it was left out", kw)
	default:
		m.ExpectBody = kw
		if kc := normHeader(get("keywordcase")); kc == "0" || kc == "caseinsensitive" {
			b.partial(item, "the keyword was matched in any case; upbeat matches it exactly")
		}
	}
	return true
}

func (b *builder) urPing(m *Monitor, _ func(string) string, raw, _ string) bool {
	m.URL = "icmp://" + bracketHost(hostOf(raw))
	return true
}

// urPort maps a port monitor: its own port, or else the port of its
// predefined sub-type (HTTP, FTP, SMTP…).
func (b *builder) urPort(m *Monitor, get func(string) string, raw, item string) bool {
	port, err := strconv.Atoi(get("port"))
	if err != nil || port <= 0 || port > 65535 {
		port = urPorts[normHeader(get("subtype"))]
	}
	if port == 0 {
		b.skip(item, "it has no port")
		return false
	}
	m.URL = "tcp://" + hostPort(hostOf(raw), port)
	return true
}

// urHeartbeat maps a heartbeat monitor to a push monitor. Its token is
// the last part of UptimeRobot's heartbeat URL, kept in a variable so the
// job can be pointed at upbeat with the token it already has.
func (b *builder) urHeartbeat(m *Monitor, _ func(string) string, raw, _ string) bool {
	tok := raw
	if u, err := url.Parse(raw); err == nil && u.Path != "" {
		tok = strings.Trim(u.Path, "/")
		if i := strings.LastIndex(tok, "/"); i >= 0 {
			tok = tok[i+1:]
		}
	}
	name := cleanName(m.Name, "heartbeat")
	m.URL = "push://" + b.secret(name, "PUSH_TOKEN", fmt.Sprintf("monitor %q: the token its job sends (the last part of UptimeRobot's heartbeat URL, or a new one)", name), tok)
	m.Comments = append(m.Comments, "Point the job at upbeat's /push/TOKEN instead of UptimeRobot's heartbeat URL")
	return true
}

// urSchedule maps the interval and the timeout. A heartbeat has no
// timeout of its own: nothing is fetched.
func (b *builder) urSchedule(m *Monitor, get func(string) string, typ, item string) {
	if s := get("interval"); s != "" {
		d, err := urDuration(s)
		if err != nil {
			b.partial(item, "interval: %v; upbeat's default is used", err)
		} else {
			m.Interval = d
		}
	}
	if s := get("timeout"); s != "" && typ != "heartbeat" {
		if d, err := urDuration(s); err == nil && d > 0 {
			m.Timeout = d
		}
	}
}

// urTags adds the tags of a tags column, split on any of UptimeRobot's
// separators, to tags.
func urTags(column string, tags []string) []string {
	for _, t := range strings.FieldsFunc(column, func(r rune) bool { return r == ',' || r == ';' || r == '|' }) {
		if t = cleanName(t, ""); t != "" {
			tags = appendUnique(tags, t)
		}
	}
	return tags
}

// urDuration reads an interval: seconds as a bare number of at least 30
// (the API's unit), minutes below that (the dashboard's), or with a unit
// ("5 min", "1 hour", "30s").
func urDuration(s string) (time.Duration, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, err := strconv.ParseFloat(s, 64); err == nil {
		if n <= 0 {
			return 0, fmt.Errorf("%q is not a positive interval", s)
		}
		if n < 30 {
			return time.Duration(n * float64(time.Minute)), nil
		}
		return time.Duration(n * float64(time.Second)), nil
	}
	num := strings.TrimRightFunc(s, func(r rune) bool { return r < '0' || r > '9' })
	unit := strings.TrimSpace(s[len(num):])
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not an interval", s)
	}
	switch {
	case unit == "ms":
		return time.Duration(n * float64(time.Millisecond)), nil
	case unit == "s" || strings.HasPrefix(unit, "sec"):
		return time.Duration(n * float64(time.Second)), nil
	case unit == "m" || strings.HasPrefix(unit, "min"):
		return time.Duration(n * float64(time.Minute)), nil
	case unit == "h" || strings.HasPrefix(unit, "hour") || strings.HasPrefix(unit, "hr"):
		return time.Duration(n * float64(time.Hour)), nil
	}
	return 0, fmt.Errorf("%q is not an interval", s)
}
