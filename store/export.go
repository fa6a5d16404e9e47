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

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/internal/humanize"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"

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

// Export writes a monitor's results in [since, until) as a table, CSV or
// JSON: one wire.Result per line (the shape of `upbeat check --json` and
// of the API), or CSV under wire.CSVHeader. CSV and JSON are written as
// the results are read, so a long period costs no memory; a table is
// aligned over all its rows, so it holds them.
func Export(ctx context.Context, w io.Writer, h source.ResultScanner, name string, since, until time.Time, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		return h.ScanResults(ctx, name, since, until, 0, func(r *monitor.Result) error {
			if err := enc.Encode(wire.FromResult(r)); err != nil {
				return fmt.Errorf("export: %w", err)
			}
			return nil
		})
	case "csv":
		cw := csv.NewWriter(w)
		cw.Write(wire.CSVHeader)
		err := h.ScanResults(ctx, name, since, until, 0, func(r *monitor.Result) error {
			if err := cw.Write(wire.FromResult(r).CSVRecord()); err != nil {
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
