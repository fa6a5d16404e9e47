package monitor

import (
	"fmt"
	"net/url"
	"time"
	"unicode"
)

// Kind is the kind of check, decided by the scheme of a monitor's URL.
type Kind string

// The check kinds. The string values appear in JSON output and metrics.
const (
	KindHTTP   Kind = "http"
	KindTCP    Kind = "tcp"
	KindTLS    Kind = "tls"
	KindICMP   Kind = "icmp"
	KindDNS    Kind = "dns"
	KindDomain Kind = "domain"
	KindPush   Kind = "push"

	// The services behind a site.
	KindGRPC     Kind = "grpc"     // grpc://, grpcs://: the standard health protocol
	KindWS       Kind = "ws"       // ws://, wss://: the WebSocket handshake, a message and its reply
	KindPostgres Kind = "postgres" // postgres://, postgresql://
	KindMySQL    Kind = "mysql"    // mysql:// (MySQL and MariaDB)
	KindRedis    Kind = "redis"    // redis://, rediss://
	KindSMTP     Kind = "smtp"     // smtp:// (STARTTLS), smtps:// (TLS from the start)
)

// KindOf maps a URL scheme to a check kind. ok is false for an unsupported scheme.
func KindOf(scheme string) (k Kind, ok bool) {
	switch scheme {
	case "http", "https":
		return KindHTTP, true
	case "tcp":
		return KindTCP, true
	case "tls":
		return KindTLS, true
	case "icmp", "ping":
		return KindICMP, true
	case "dns":
		return KindDNS, true
	case "domain":
		return KindDomain, true
	case "push":
		return KindPush, true
	case "grpc", "grpcs":
		return KindGRPC, true
	case "ws", "wss":
		return KindWS, true
	case "postgres", "postgresql":
		return KindPostgres, true
	case "mysql":
		return KindMySQL, true
	case "redis", "rediss":
		return KindRedis, true
	case "smtp", "smtps":
		return KindSMTP, true
	}
	return "", false
}

// Status is a monitor's state. The zero value is StatusPending.
type Status uint8

// Statuses, ordered so that a larger value is not "worse": use Severity to sort.
const (
	StatusPending Status = iota
	StatusUp
	StatusDegraded
	StatusDown
	StatusMaintenance
	StatusPaused
)

var statusNames = [...]string{"pending", "up", "degraded", "down", "maintenance", "paused"}

func (s Status) String() string {
	if int(s) < len(statusNames) {
		return statusNames[s]
	}
	return fmt.Sprintf("status(%d)", uint8(s))
}

// Phrase says what a monitor in status s is, to follow "it is": "up",
// "in maintenance", "not checked yet".
func (s Status) Phrase() string {
	switch s {
	case StatusMaintenance:
		return "in maintenance"
	case StatusPending:
		return "not checked yet"
	}
	return s.String()
}

// ParseStatus is the inverse of String.
func ParseStatus(s string) (Status, error) {
	for i, n := range statusNames {
		if n == s {
			return Status(i), nil
		}
	}
	return 0, fmt.Errorf("unknown status %q", s)
}

// MarshalText makes a Status encode as its name in JSON and TOML.
func (s Status) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText parses a status name.
func (s *Status) UnmarshalText(b []byte) error {
	v, err := ParseStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Severity orders statuses for "worst first" sorting: down first, then
// degraded, pending, maintenance, paused, up.
func (s Status) Severity() int {
	switch s {
	case StatusDown:
		return 0
	case StatusDegraded:
		return 1
	case StatusPending:
		return 2
	case StatusMaintenance:
		return 3
	case StatusPaused:
		return 4
	default:
		return 5
	}
}

// Monitor is one configured check. Fields mirror the [[monitor]] keys of
// the config file; durations are already parsed and defaults applied.
type Monitor struct {
	Name          string
	URL           string
	Kind          Kind
	Interval      time.Duration
	Timeout       time.Duration
	Retries       int
	RetryInterval time.Duration
	ExpectStatus  []int    // empty: 2xx and 3xx are up
	ExpectBody    string   // substring of the body
	ExpectJSON    []string // jq expressions, each must be true
	ExpectAnswer  string   // dns: a value one answer must contain
	MaxLatency    time.Duration
	CertWarnDays  int
	RDAPServer    string
	Tags          []string
	Alerts        []string
	CAFile        string
	Insecure      bool
	MaxBody       int64 // bytes of body read at most
	MaxRedirects  int
	Method        string
	Headers       map[string]string
	Body          string
	Grace         time.Duration // push: allowed lateness beyond the interval

	// How an http(s) request is made (issue 10). Secrets in these fields
	// (passwords, client secrets, a proxy's credentials) are never put in
	// a Result, the API or a log line.
	HTTPVersion     string            // "", "1.1" or "2": "" negotiates h2 over TLS, as a browser does
	BasicAuth       *BasicAuth        // nil: none
	BearerTokenFile string            // read at every check, so a rotated token is used at once
	ClientCert      string            // PEM certificate file for mutual TLS
	ClientKey       string            // PEM key file for ClientCert
	OAuth2          *OAuth2           // nil: none
	Proxy           *url.URL          // nil: no proxy (the environment's proxy variables are not used)
	ExpectBodyRegex string            // a regular expression the body must match
	ExpectHeaders   map[string]string // header name → regular expression its value must match
	IPVersion       int               // 0 (either), 4 or 6
	Resolve         []string          // "host:port:address" pins, as curl --resolve

	// Services behind a site (grpc, ws, postgres, mysql, redis, smtp).
	Password    string   // postgres, mysql, redis: never shown anywhere (no wire shape carries it)
	Query       string   // postgres, mysql: SQL; redis: a command; empty: the kind's trivial one
	ExpectValue string   // postgres, mysql, redis: the first value of the answer must equal this
	MaxValue    *float64 // postgres, mysql, redis: the first value must be a number no larger (a lag bound)
	Send        string   // ws: a text message sent after the handshake; its reply is judged
	StartTLS    string   // smtp: "mandatory", "opportunistic" (empty: the default) or "none"

	// DependsOn names the monitors this one sits behind (issue 12): while
	// one of them is down, this monitor's failure joins that incident
	// instead of opening its own. Checked for unknown names and cycles
	// when the config is loaded.
	DependsOn []string
	// SLO is the objective: the share of checks that must not be down
	// over SLOWindow (0.999 for "99.9%"); 0 sets none.
	SLO       float64
	SLOWindow time.Duration

	// AllowPrivateRedirects lets a redirect lead from a public address to
	// a loopback, link-local or private one (http, domain); without it
	// such a redirect is refused, so that a target cannot make the checker
	// read an internal service.
	AllowPrivateRedirects bool

	// Parsed is URL parsed once when the config is loaded.
	Parsed *url.URL
}

// BasicAuth is the user and password sent with every request.
type BasicAuth struct {
	User     string
	Password string
}

// OAuth2 is the client-credentials grant: a token is fetched from
// TokenURL with the client's id and secret and sent as a bearer token.
type OAuth2 struct {
	TokenURL     string
	ClientID     string
	ClientSecret string
	Scopes       []string
	Params       map[string]string // extra form values for the token request (audience, resource, …)
}

// DaysLeft is the number of whole days from now until an expiry: 4 for
// 4 days and 23 hours, 0 within the last day, -3 when it passed 3 days
// and some hours ago. Every view and message that counts days uses it,
// so that the dashboard, `check`, alerts and exports agree; whether the
// time has passed is told by comparing the times, not by this number.
func DaysLeft(expiry, now time.Time) int {
	return int(expiry.Sub(now) / (24 * time.Hour)) // truncated toward zero
}

// Key turns a monitor name into a safe identifier for files, URLs and
// HTML ids: letters and digits of any script are kept (lower-cased), and
// everything else becomes "_", so "Shop API" is "shop_api" and names in
// other scripts stay apart ("Ⅰ" and "Ⅱ" are not both "___").
func Key(name string) string {
	b := make([]rune, 0, len(name))
	for _, c := range name {
		switch {
		case c == '-', c == '_', c == '.':
			b = append(b, c)
		case unicode.IsLetter(c) || unicode.IsNumber(c):
			b = append(b, unicode.ToLower(c))
		default:
			b = append(b, '_')
		}
	}
	return string(b)
}

// Phases are the parts of a check's latency. For the services behind a
// site (postgres, mysql, redis, smtp, grpc, ws), FirstByte is the
// protocol's own handshake (greeting, login, upgrade) and Transfer the
// round trip of the query, command or message.
type Phases struct {
	DNS       time.Duration
	Connect   time.Duration
	TLS       time.Duration
	FirstByte time.Duration
	Transfer  time.Duration
}

// Result is the outcome of one check of one monitor (after retries, the
// last attempt's outcome with Attempts counting all of them).
//
// Class is a short stable identifier of what went wrong (http_502,
// timeout, refused, dns_nxdomain, tls_expired, …) that the knowledge base
// explains; it is empty when the check succeeded. Error is a sanitized,
// human-readable message. Everything that came from the target is
// sanitized before it is put here.
type Result struct {
	Monitor    string
	Kind       Kind
	URL        string
	Time       time.Time // when the (last) attempt started
	Status     Status
	Code       int // HTTP status, DNS rcode; 0 where there is none
	Latency    time.Duration
	Phases     Phases
	Class      string
	Error      string
	Attempts   int
	RetryAfter time.Duration
	FinalURL   string
	BodySize   int64
	// Certificate or domain registration facts, when the check saw them.
	CertExpiry time.Time
	CertIssuer string
	CertDays   int // days left; valid when !CertExpiry.IsZero()
	Registrar  string
	// Answers holds DNS answers or other short facts worth showing.
	Answers []string
	Loss    float64 // icmp: fraction of packets lost

	// HTTPVersion is the protocol the last response came over: "1.0",
	// "1.1" or "2"; empty when none came.
	HTTPVersion string
	// Redirects counts the redirects followed.
	Redirects int
	// CertUnverified says that CertExpiry comes from certificates whose
	// chain failed verification: shown to the person, never exported as
	// an expiry metric (as blackbox_exporter exports none for them).
	CertUnverified bool
	// Detail is the low-level text behind Error (a Go or TLS library
	// message) for the detail view and JSON; never the one-line reason.
	Detail string

	// Remote is the address ("203.0.113.7:443") the last attempt
	// connected to, or tried to; empty when it got no address (a DNS
	// failure). Monitors that fail together and share it are reported in
	// one message naming it.
	Remote string
	// CertFingerprint is the SHA-256 of the leaf certificate the server
	// sent, in hex; empty when no certificate was seen.
	CertFingerprint string
}

// ClassStalled is the class of a result taken while upbeat itself was
// stalled (the process suspended, the machine asleep, the scheduler far
// behind): such a result says nothing about the target. It is recorded
// with StatusPaused, so that it counts neither for nor against uptime and
// opens no incident.
const ClassStalled = "upbeat_stalled"

// Stalled reports whether r was taken while upbeat itself was stalled.
func (r *Result) Stalled() bool { return r.Class == ClassStalled && r.Status == StatusPaused }

// A monitor that stops being watched gets a result that is no check,
// StatusPaused, whose Error says why: so that history ends an incident
// open at that moment, and a restart knows a pause from a removal.
const (
	StoppedPaused  = "paused"
	StoppedRemoved = "removed from the config"
)

// StoppedByPause reports whether r is the record of a pause (not of a
// check, a stall or a removal).
func (r *Result) StoppedByPause() bool {
	return r.Status == StatusPaused && r.Class == "" && r.Error == StoppedPaused
}

// StopRecord reports whether r is the record of a pause or a removal: no
// check, no sample of the target (its latency is nothing measured).
func (r *Result) StopRecord() bool {
	return r.Status == StatusPaused && r.Class == "" && (r.Error == StoppedPaused || r.Error == StoppedRemoved)
}

// Failed reports whether the result counts against uptime.
func (r *Result) Failed() bool { return r.Status == StatusDown }
