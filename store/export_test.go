package store

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// The export speaks the one JSON contract: each line is a wire.Result as
// the API and `check --json` write it (durations in milliseconds, a time
// that is not known left out), and the CSV has a column per field under
// wire.CSVHeader, an unknown time an empty cell.
func TestExportSpeaksTheWireContract(t *testing.T) {
	t.Parallel()
	c := &clock{now: t0}
	s := openStore(t, t.TempDir(), c, nil)
	defer s.Close()
	full := fullResult(t0)
	bare := monitor.Result{Monitor: "shop", Kind: monitor.KindHTTP, URL: full.URL, Time: t0.Add(time.Minute),
		Status: monitor.StatusUp, Code: 200, Attempts: 1} // no certificate seen
	s.Record(&full)
	s.Record(&bare)
	from, to := t0.Add(-time.Hour), t0.Add(time.Hour)

	var b bytes.Buffer
	if err := Export(context.Background(), &b, s, "shop", from, to, "json"); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if strings.Contains(out, "0001-01-01") || strings.Contains(out, `_s"`) {
		t.Errorf("zero time or seconds in the export:\n%s", out)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	var got wire.Result
	if err := json.Unmarshal([]byte(lines[0]), &got); err != nil {
		t.Fatal(err)
	}
	if want := wire.FromResult(&full); got.RetryAfterMS != 30000 || got.Phases == nil || *got.Phases != *want.Phases ||
		!got.CertExpiry.Equal(want.CertExpiry) || got.LatencyMS != 1234 || !got.Time.Equal(t0) {
		t.Errorf("json line %s, want the fields of %+v", lines[0], want)
	}
	if strings.Contains(lines[1], "cert_expiry") || strings.Contains(lines[1], "phases_ms") {
		t.Errorf("a result without certificate or phases: %s", lines[1])
	}

	b.Reset()
	if err := Export(context.Background(), &b, s, "shop", from, to, "csv"); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv: %v %v", rows, err)
	}
	if !slices.Equal(rows[0], wire.CSVHeader) {
		t.Errorf("csv header %q", rows[0])
	}
	col := func(row []string, name string) string { return row[slices.Index(wire.CSVHeader, name)] }
	if col(rows[1], "retry_after_ms") != "30000" || col(rows[1], "dns_ms") != "1" || col(rows[1], "cert_issuer") != "Test CA" ||
		col(rows[1], "cert_expiry") != full.CertExpiry.UTC().Format(time.RFC3339Nano) {
		t.Errorf("csv row of the full result: %q", rows[1])
	}
	if col(rows[2], "cert_expiry") != "" || col(rows[2], "cert_days") != "" || col(rows[2], "time") == "" {
		t.Errorf("csv row of a result without certificate: %q", rows[2])
	}
}
