package store

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"

	"github.com/upbeat-monitor/upbeat/engine"
)

// ErrFormat is returned for an output format other than table, csv or json.
var ErrFormat = errors.New("unknown format: want table, csv or json")

// ParseDuration parses a period such as "90d", "2w", "36h" or "1h30m":
// Go durations plus d (24 h) and w (7 d).
func ParseDuration(s string) (time.Duration, error) {
	unit := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		unit = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		unit = 7 * 24 * time.Hour
	}
	if unit != 0 {
		n, err := strconv.ParseFloat(strings.TrimSpace(s[:len(s)-1]), 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("bad period %q: want a number followed by d or w, or a duration like 36h", s)
		}
		return time.Duration(n * float64(unit)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("bad period %q: want a number followed by d or w, or a duration like 36h", s)
	}
	return d, nil
}

// exportRow is one result in the JSON export; field names follow
// `upbeat check --json`.
type exportRow struct {
	Time        time.Time `json:"time"`
	Monitor     string    `json:"monitor"`
	Kind        string    `json:"kind"`
	URL         string    `json:"url"`
	Status      string    `json:"status"`
	Code        int       `json:"code"`
	LatencyMS   float64   `json:"latency_ms"`
	DNSMS       float64   `json:"dns_ms,omitempty"`
	ConnectMS   float64   `json:"connect_ms,omitempty"`
	TLSMS       float64   `json:"tls_ms,omitempty"`
	FirstByteMS float64   `json:"first_byte_ms,omitempty"`
	TransferMS  float64   `json:"transfer_ms,omitempty"`
	Error       string    `json:"error"`
	Class       string    `json:"class"`
	Attempts    int       `json:"attempts"`
	FinalURL    string    `json:"final_url,omitempty"`
	BodySize    int64     `json:"body_size,omitempty"`
	CertExpiry  string    `json:"cert_expiry,omitempty"`
	CertIssuer  string    `json:"cert_issuer,omitempty"`
	CertDays    *int      `json:"cert_days,omitempty"`
	Registrar   string    `json:"registrar,omitempty"`
	Answers     []string  `json:"answers,omitempty"`
	Loss        float64   `json:"loss,omitempty"`
	RetryAfterS float64   `json:"retry_after_s,omitempty"`
	HTTPVersion string    `json:"http_version,omitempty"`
	Redirects   int       `json:"redirects,omitempty"`
	Detail      string    `json:"detail,omitempty"`
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func rowOf(r *monitor.Result) exportRow {
	row := exportRow{
		Time: r.Time.UTC(), Monitor: r.Monitor, Kind: string(r.Kind), URL: r.URL, Status: r.Status.String(),
		Code: r.Code, LatencyMS: ms(r.Latency), DNSMS: ms(r.Phases.DNS), ConnectMS: ms(r.Phases.Connect),
		TLSMS: ms(r.Phases.TLS), FirstByteMS: ms(r.Phases.FirstByte), TransferMS: ms(r.Phases.Transfer),
		Error: r.Error, Class: r.Class, Attempts: r.Attempts, FinalURL: r.FinalURL, BodySize: r.BodySize,
		CertIssuer: r.CertIssuer, Registrar: r.Registrar, Answers: r.Answers, Loss: r.Loss,
		RetryAfterS: r.RetryAfter.Seconds(), HTTPVersion: r.HTTPVersion, Redirects: r.Redirects, Detail: r.Detail,
	}
	if !r.CertExpiry.IsZero() {
		row.CertExpiry = r.CertExpiry.UTC().Format(time.RFC3339)
		days := r.CertDays
		row.CertDays = &days
	}
	return row
}

// csvCell keeps a cell from being read as a formula by a spreadsheet.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}

func fmtMS(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// ResultScanner streams a monitor's results; *history.DB is one.
type ResultScanner interface {
	// ScanResults calls fn with a monitor's results in [from, to),
	// oldest first (with limit > 0, only the newest limit of them),
	// and stops at fn's first error or when ctx is done.
	ScanResults(ctx context.Context, monitor string, from, to time.Time, limit int, fn func(*monitor.Result) error) error
}

// Export writes a monitor's results in [since, until) as a table, CSV or
// JSON (one object per line, fields as in `upbeat check --json`). CSV and
// JSON are written as the results are read, so a long period costs no
// memory; a table is aligned over all its rows, so it holds them.
func Export(ctx context.Context, w io.Writer, h ResultScanner, name string, since, until time.Time, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		return h.ScanResults(ctx, name, since, until, 0, func(r *monitor.Result) error {
			if err := enc.Encode(rowOf(r)); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			return nil
		})
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write([]string{"time", "monitor", "kind", "url", "status", "code", "latency_ms", "dns_ms", "connect_ms",
			"tls_ms", "first_byte_ms", "transfer_ms", "class", "error", "attempts", "final_url", "body_size",
			"cert_expiry", "cert_days", "registrar", "answers", "loss", "retry_after_s", "http_version", "detail"})
		err := h.ScanResults(ctx, name, since, until, 0, func(res *monitor.Result) error {
			r := rowOf(res)
			days := ""
			if r.CertDays != nil {
				days = strconv.Itoa(*r.CertDays)
			}
			err := cw.Write([]string{r.Time.Format(time.RFC3339Nano), csvCell(r.Monitor), r.Kind, csvCell(r.URL), r.Status,
				strconv.Itoa(r.Code), fmtMS(r.LatencyMS), fmtMS(r.DNSMS), fmtMS(r.ConnectMS), fmtMS(r.TLSMS),
				fmtMS(r.FirstByteMS), fmtMS(r.TransferMS), csvCell(r.Class), csvCell(r.Error), strconv.Itoa(r.Attempts),
				csvCell(r.FinalURL), strconv.FormatInt(r.BodySize, 10), r.CertExpiry, days, csvCell(r.Registrar),
				csvCell(strings.Join(r.Answers, " ")), strconv.FormatFloat(r.Loss, 'f', -1, 64),
				strconv.FormatFloat(r.RetryAfterS, 'f', -1, 64), r.HTTPVersion, csvCell(r.Detail)})
			if err != nil {
				return fmt.Errorf("export: %w", err)
			}
			return nil
		})
		if err != nil {
			return err
		}
		cw.Flush()
		if err := cw.Error(); err != nil {
			return fmt.Errorf("export: %w", err)
		}
		return nil
	case "table":
	default:
		return fmt.Errorf("%w: %q", ErrFormat, format)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tSTATUS\tCODE\tLATENCY\tATTEMPTS\tCLASS\tERROR")
	n := 0
	err := h.ScanResults(ctx, name, since, until, 0, func(r *monitor.Result) error {
		n++
		code := "-"
		if r.Code != 0 {
			code = strconv.Itoa(r.Code)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\t%s\n", r.Time.UTC().Format("2006-01-02 15:04:05"), r.Status, code,
			latency(r.Latency), r.Attempts, dash(engine.Sanitize(r.Class, 40)), dash(engine.Sanitize(r.Error, 120)))
		return nil
	})
	if err != nil {
		return err
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if n == 0 {
		_, err := fmt.Fprintf(w, "no results for %s between %s and %s\n", name,
			since.UTC().Format(time.RFC3339), until.UTC().Format(time.RFC3339))
		return err
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// latency is "-" for a result with no latency, else as everywhere else.
func latency(d time.Duration) string {
	if d <= 0 {
		return "-"
	}
	return humanize.Latency(d)
}
