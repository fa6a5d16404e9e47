package wire

import (
	"strconv"
	"strings"
	"time"
)

// CSVHeader names the columns of `upbeat history --format csv`: the
// fields of Result, the phases flattened (dns_ms, …). Columns are only
// ever added at the end, so that scripts that count them keep working.
var CSVHeader = []string{"time", "monitor", "kind", "url", "status", "code", "latency_ms", "dns_ms", "connect_ms",
	"tls_ms", "first_byte_ms", "transfer_ms", "class", "error", "attempts", "final_url", "body_size",
	"cert_expiry", "cert_days", "registrar", "answers", "loss", "retry_after_ms", "http_version", "detail",
	"cert_issuer", "redirects", "cert_unverified"}

// CSVRecord is r as a row under CSVHeader. A time that is not known is an
// empty cell; text a spreadsheet would take for a formula is quoted.
func (r *Result) CSVRecord() []string {
	var p Phases
	if r.Phases != nil {
		p = *r.Phases
	}
	days := ""
	if r.CertDays != nil {
		days = strconv.Itoa(*r.CertDays)
	}
	return []string{csvTime(r.Time), csvCell(r.Monitor), string(r.Kind), csvCell(r.URL), r.Status.String(),
		strconv.Itoa(r.Code), csvFloat(r.LatencyMS), csvFloat(p.DNS), csvFloat(p.Connect), csvFloat(p.TLS),
		csvFloat(p.FirstByte), csvFloat(p.Transfer), csvCell(r.Class), csvCell(r.Error), strconv.Itoa(r.Attempts),
		csvCell(r.FinalURL), strconv.FormatInt(r.BodySize, 10), csvTime(r.CertExpiry), days, csvCell(r.Registrar),
		csvCell(strings.Join(r.Answers, " ")), csvFloat(r.Loss), csvFloat(r.RetryAfterMS), csvCell(r.HTTPVersion),
		csvCell(r.Detail), csvCell(r.CertIssuer), strconv.Itoa(r.Redirects), strconv.FormatBool(r.CertUnverified)}
}

func csvFloat(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func csvTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// csvCell keeps a cell from being read as a formula by a spreadsheet.
func csvCell(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
