// Package importer turns the configuration of another uptime monitor into
// an upbeat config: a Gatus config (YAML), an Uptime Kuma database (its
// SQLite file, schema v1 or v2) or an UptimeRobot export (CSV).
//
// Each source has its own file (gatus.go, kuma.go, uptimerobot.go) that
// reads the source into a Config, the model of the upbeat config to write,
// and says in Notes what it could not carry over and why; request.go maps
// authentication, proxies and client certificates the same way for all of
// them. Write renders a Config as commented TOML in a stable order. The
// package writes the TOML itself and does not use the config loader (the
// tests check the output with it), but takes the loader's bounds: a value
// beyond one becomes the nearest allowed, with a note, so that the output
// always validates.
//
// Secrets (passwords, tokens, client secrets, webhook keys, push tokens)
// are never copied: each becomes a ${VAR} reference, listed in Config.Env
// with what to set it to.
package importer

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// Source is a kind of file Import reads.
type Source string

// The sources Import reads.
const (
	Gatus       Source = "gatus"
	Kuma        Source = "kuma"
	UptimeRobot Source = "uptimerobot"
)

// Sources lists the sources in the order the help gives them.
var Sources = []Source{Gatus, Kuma, UptimeRobot}

// Title is the source's name for people.
func (s Source) Title() string {
	switch s {
	case Gatus:
		return "Gatus"
	case Kuma:
		return "Uptime Kuma"
	case UptimeRobot:
		return "UptimeRobot"
	}
	return string(s)
}

// ParseSource reads a --from value.
func ParseSource(s string) (Source, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "gatus":
		return Gatus, nil
	case "kuma", "uptime-kuma", "uptimekuma":
		return Kuma, nil
	case "uptimerobot", "uptime-robot":
		return UptimeRobot, nil
	}
	return "", fmt.Errorf("unknown source %q; use gatus, kuma or uptimerobot", s)
}

// ErrUnknownFormat is returned by Detect when a file is none of the
// sources.
var ErrUnknownFormat = errors.New("not a Gatus config (YAML), an Uptime Kuma database (SQLite) or an UptimeRobot export (CSV)")

// ErrEmpty is returned for a file with nothing in it.
var ErrEmpty = errors.New("the file is empty")

// sqliteMagic starts every SQLite database file.
const sqliteMagic = "SQLite format 3\x00"

// Detect tells which source a file is from its content; the file name's
// extension only settles a tie.
func Detect(path string, data []byte) (Source, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return "", ErrEmpty
	}
	if bytes.HasPrefix(data, []byte(sqliteMagic)) {
		return Kuma, nil
	}
	if looksLikeGatus(data) {
		return Gatus, nil
	}
	if looksLikeUptimeRobot(data) {
		return UptimeRobot, nil
	}
	switch strings.ToLower(filepath.Ext(path)) {
	case ".db", ".sqlite", ".sqlite3":
		return "", fmt.Errorf("not an SQLite database (it does not start as one); is it an Uptime Kuma database at all?")
	}
	return "", ErrUnknownFormat
}

// Import reads the file at path as from (or as what Detect finds when
// from is empty) and maps it.
func Import(path string, from Source) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if from == "" {
		if from, err = Detect(path, data); err != nil {
			return nil, err
		}
	} else if len(bytes.TrimSpace(data)) == 0 && from != Kuma {
		return nil, ErrEmpty
	}
	var cfg *Config
	switch from {
	case Gatus:
		cfg, err = FromGatus(data)
	case Kuma:
		cfg, err = FromKuma(path)
	case UptimeRobot:
		cfg, err = FromUptimeRobot(data)
	default:
		return nil, fmt.Errorf("unknown source %q", from)
	}
	if err != nil {
		return nil, err
	}
	cfg.File = filepath.Base(path)
	return cfg, nil
}

// Config is the upbeat config an import produces, with what it could not
// carry over.
type Config struct {
	Source Source
	// Detail says more about the source, e.g. "schema v2".
	Detail string
	// File is the name of the file read, for the header comment.
	File        string
	Monitors    []*Monitor
	Alerts      []*Alert
	Maintenance []*Window
	// Env lists the environment variables the config refers to.
	Env []EnvVar
	// Notes say what was left out or changed, in the order found.
	Notes []Note
	// Found counts what the source held, for the summary.
	Found Counts
}

// Counts are numbers of things in a source or in a config.
type Counts struct{ Monitors, Alerts, Maintenance int }

// Monitor is one [[monitor]].
type Monitor struct {
	Name string
	URL  string
	// Comments go above the table: where it came from, what changed.
	Comments      []string
	Interval      time.Duration
	Timeout       time.Duration
	Retries       *int
	RetryInterval time.Duration
	ExpectStatus  []int
	ExpectBody    string
	ExpectJSON    []string
	ExpectAnswer  string
	MaxLatency    time.Duration
	CertWarnDays  *int
	Method        string
	Headers       []KV
	Body          string
	MaxRedirects  *int
	Insecure      bool
	Grace         time.Duration
	// How the request is made (http and https; client certificates and
	// ip_version also tcp and tls).
	BasicAuth       *BasicAuth
	OAuth2          *OAuth2
	Proxy           string
	ClientCert      string
	ClientKey       string
	IPVersion       int
	ExpectBodyRegex string
	// The services behind a site: databases, ws and smtp.
	Password    string
	Query       string
	ExpectValue string
	Send        string
	StartTLS    string
	Tags        []string
	Alerts      []string
	// Commented are keys written as comments after the others, for the
	// person to set once they can, e.g. certificate files not found here.
	Commented []Field
}

// BasicAuth is a monitor's basic_auth; Password is a ${VAR}.
type BasicAuth struct{ User, Password string }

// OAuth2 is a monitor's oauth2 client credentials; ClientSecret is a
// ${VAR}.
type OAuth2 struct {
	TokenURL, ClientID, ClientSecret string
	Scopes                           []string
	Params                           []KV
}

// KV is a key and a value, kept in order.
type KV struct{ Key, Value string }

// Alert is one [[alert]]. Fields holds the kind's own keys in the order
// they are written; a value is a string, an int or a []string.
type Alert struct {
	Name     string
	Kind     string
	Comments []string
	On       []string
	Fields   []Field
}

// Field is one key of an alert.
type Field struct {
	Key   string
	Value any
}

// Window is one [[maintenance]].
type Window struct {
	Name     string
	Comments []string
	Monitors []string
	Start    string // local time in Timezone, "2006-01-02T15:04:05"
	End      string
	Cron     string
	Weekdays []string
	At       string
	Duration time.Duration
	Timezone string
}

// EnvVar is a variable the config refers to.
type EnvVar struct {
	Name string
	// What says what to set it to.
	What string
}

// Note is something that was not carried over, or not exactly.
type Note struct {
	// Item names the monitor, notification or window, e.g. `monitor "api" (keyword)`.
	Item string
	// Skipped is true when the whole item was left out; otherwise only
	// the part Reason names was left out or changed.
	Skipped bool
	Reason  string
}

func (n Note) String() string { return n.Item + ": " + n.Reason }

// Skipped lists the notes of items left out whole.
func (c *Config) Skipped() []Note {
	var out []Note
	for _, n := range c.Notes {
		if n.Skipped {
			out = append(out, n)
		}
	}
	return out
}

// Partial lists the notes of items carried over in part.
func (c *Config) Partial() []Note {
	var out []Note
	for _, n := range c.Notes {
		if !n.Skipped {
			out = append(out, n)
		}
	}
	return out
}

// builder collects a Config: it keeps names unique and secrets out.
type builder struct {
	cfg      *Config
	monitors map[string]bool
	alerts   map[string]bool
	windows  map[string]bool
	env      map[string]bool
}

func newBuilder(src Source, detail string) *builder {
	return &builder{
		cfg:      &Config{Source: src, Detail: detail},
		monitors: map[string]bool{},
		alerts:   map[string]bool{},
		windows:  map[string]bool{},
		env:      map[string]bool{},
	}
}

// skip notes an item left out whole.
func (b *builder) skip(item, format string, args ...any) {
	b.cfg.Notes = append(b.cfg.Notes, Note{Item: item, Skipped: true, Reason: fmt.Sprintf(format, args...)})
}

// partial notes a part of an item left out or changed.
func (b *builder) partial(item, format string, args ...any) {
	b.cfg.Notes = append(b.cfg.Notes, Note{Item: item, Reason: fmt.Sprintf(format, args...)})
}

// addMonitor names m uniquely and adds it. The note for a renamed
// monitor goes in its comments.
func (b *builder) addMonitor(m *Monitor, fallback string) {
	m.Name = unique(cleanName(m.Name, fallback), b.monitors, "monitor", &m.Comments)
	b.cfg.Monitors = append(b.cfg.Monitors, m)
}

// alertName reserves a unique name for an alert; comments get a note
// when it had to be changed.
func (b *builder) alertName(name, fallback string, comments *[]string) string {
	return unique(cleanName(name, fallback), b.alerts, "alert", comments)
}

func (b *builder) addWindow(w *Window, fallback string) {
	w.Name = unique(cleanName(w.Name, fallback), b.windows, "window", &w.Comments)
	b.cfg.Maintenance = append(b.cfg.Maintenance, w)
}

// unique returns name, or name-2, name-3… when it is taken, and takes it.
func unique(name string, taken map[string]bool, what string, comments *[]string) string {
	if !taken[name] {
		taken[name] = true
		return name
	}
	for i := 2; ; i++ {
		n := fmt.Sprintf("%s-%d", name, i)
		if !taken[n] {
			taken[n] = true
			*comments = append(*comments, fmt.Sprintf("renamed: another %s is called %q", what, name))
			return n
		}
	}
}

// cleanName makes a source's name usable: no control characters (line
// breaks and tabs become spaces), no surrounding space, never empty.
func cleanName(name, fallback string) string {
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == unicode.ReplacementChar {
			return ' '
		}
		return r
	}, name)
	name = strings.Join(strings.Fields(name), " ")
	if name == "" {
		name = fallback
	}
	return name
}

// secret returns a ${VAR} reference for a secret and records the
// variable. base names what it belongs to (an alert or monitor name),
// suffix what it is (TOKEN, PASSWORD); what tells the person what to set
// it to. A value that is already a reference to a variable keeps it.
func (b *builder) secret(base, suffix, what, value string) string {
	if name, ok := envRef(value); ok {
		b.needEnv(name, what+" (already a variable in the source)")
		return "${" + name + "}"
	}
	name := envName(base, suffix)
	if b.env[name] {
		for i := 2; ; i++ {
			n := fmt.Sprintf("%s_%d", name, i)
			if !b.env[n] {
				name = n
				break
			}
		}
	}
	b.needEnv(name, what)
	return "${" + name + "}"
}

// needEnv records a variable the config refers to.
func (b *builder) needEnv(name, what string) {
	if b.env[name] {
		return
	}
	b.env[name] = true
	b.cfg.Env = append(b.cfg.Env, EnvVar{Name: name, What: what})
}

// envRef reports whether s is just a reference to a variable, ${NAME} or
// $NAME, and which.
func envRef(s string) (string, bool) {
	s = strings.TrimSpace(s)
	switch {
	case strings.HasPrefix(s, "${") && strings.HasSuffix(s, "}"):
		s = s[2 : len(s)-1]
	case strings.HasPrefix(s, "$"):
		s = s[1:]
	default:
		return "", false
	}
	return s, isEnvName(s)
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// envName makes a variable name from an item's name and a suffix:
// "Ops Slack" and "TOKEN" make OPS_SLACK_TOKEN.
func envName(base, suffix string) string {
	s := envPart(base)
	if s == "" || s[0] >= '0' && s[0] <= '9' {
		s = strings.TrimSuffix("UPBEAT_"+s, "_")
	}
	return s + "_" + suffix
}

// envPart is s in capitals, with every run of other characters than
// letters and digits made one underscore.
func envPart(s string) string {
	var b strings.Builder
	lastUnderscore := true
	for _, r := range strings.ToUpper(s) {
		if r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			lastUnderscore = false
		} else if !lastUnderscore {
			b.WriteByte('_')
			lastUnderscore = true
		}
	}
	return strings.TrimSuffix(b.String(), "_")
}
