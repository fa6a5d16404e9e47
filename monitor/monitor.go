package monitor

import (
	"fmt"
	"net/url"
	"time"
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

	// Parsed is URL parsed once when the config is loaded.
	Parsed *url.URL
}

// Key turns a monitor name into a safe identifier for files and URLs.
func Key(name string) string {
	b := make([]byte, 0, len(name))
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '-', c == '_', c == '.':
			b = append(b, c)
		case c >= 'A' && c <= 'Z':
			b = append(b, c+('a'-'A'))
		default:
			b = append(b, '_')
		}
	}
	return string(b)
}

// Phases are the parts of an HTTP check's latency.
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
}

// Failed reports whether the result counts against uptime.
func (r *Result) Failed() bool { return r.Status == StatusDown }
