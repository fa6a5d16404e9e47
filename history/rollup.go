package history

import (
	"encoding/binary"
	"fmt"
	"sort"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Rollup sums a monitor's results over an hour or a day.
type Rollup struct {
	Monitor  string
	Start    time.Time     // start of the period (UTC)
	Period   time.Duration // time.Hour or 24*time.Hour
	Checks   uint64        // results recorded
	Failures uint64        // results that were down
	Degraded uint64        // results that were degraded
	Excluded uint64        // results in maintenance or paused: neither up nor down
	// LatencySum is the sum of all latencies, for the mean.
	LatencySum time.Duration
	Codes      []CodeCount  // by code, ascending; code 0 is not counted
	Classes    []ClassCount // by class, ascending; empty classes are not counted
	Latency    Histogram
	// FailuresByHour counts failures by hour of day (UTC).
	FailuresByHour [24]uint64
}

// CodeCount counts the results with one status code.
type CodeCount struct {
	Code     int
	Checks   uint64
	Failures uint64
}

// ClassCount counts the results with one failure class.
type ClassCount struct {
	Class    string
	Checks   uint64
	Failures uint64
}

// Uptime returns the share of counted results that were not down. ok is
// false when no result counts.
func (r *Rollup) Uptime() (ratio float64, ok bool) {
	return uptimeOf(r.Checks, r.Failures, r.Excluded)
}

func uptimeOf(checks, failures, excluded uint64) (float64, bool) {
	if checks <= excluded {
		return 0, false
	}
	n := checks - excluded
	return float64(n-failures) / float64(n), true
}

// P50, P95 and P99 are latency quantiles from the histogram.
func (r *Rollup) P50() time.Duration { return r.Latency.Quantile(0.50) }

// P95 is the 95th percentile latency.
func (r *Rollup) P95() time.Duration { return r.Latency.Quantile(0.95) }

// P99 is the 99th percentile latency.
func (r *Rollup) P99() time.Duration { return r.Latency.Quantile(0.99) }

// Mean is the mean latency.
func (r *Rollup) Mean() time.Duration {
	if r.Checks == 0 {
		return 0
	}
	return r.LatencySum / time.Duration(r.Checks)
}

func (r *Rollup) add(rec *monitor.Result) {
	r.Checks++
	failed := rec.Status == monitor.StatusDown
	switch {
	case failed:
		r.Failures++
		r.FailuresByHour[rec.Time.UTC().Hour()]++
	case rec.Status == monitor.StatusDegraded:
		r.Degraded++
	case excluded(rec.Status):
		r.Excluded++
	}
	f := uint64(0)
	if failed {
		f = 1
	}
	if rec.Code != 0 {
		r.addCode(CodeCount{rec.Code, 1, f})
	}
	if rec.Class != "" {
		r.addClass(ClassCount{clipTo(rec.Class, maxClass), 1, f})
	}
	r.LatencySum += rec.Latency
	r.Latency.Add(rec.Latency)
}

func (r *Rollup) addCode(c CodeCount) {
	i := sort.Search(len(r.Codes), func(i int) bool { return r.Codes[i].Code >= c.Code })
	if i < len(r.Codes) && r.Codes[i].Code == c.Code {
		r.Codes[i].Checks += c.Checks
		r.Codes[i].Failures += c.Failures
		return
	}
	r.Codes = append(r.Codes, CodeCount{})
	copy(r.Codes[i+1:], r.Codes[i:])
	r.Codes[i] = c
}

// maxClasses bounds the classes a rollup counts one by one; the rest are
// counted as otherClass.
const (
	maxClasses = 64
	otherClass = "other"
)

func (r *Rollup) addClass(c ClassCount) {
	i := sort.Search(len(r.Classes), func(i int) bool { return r.Classes[i].Class >= c.Class })
	if (i == len(r.Classes) || r.Classes[i].Class != c.Class) && len(r.Classes) >= maxClasses && c.Class != otherClass {
		c.Class = otherClass
		i = sort.Search(len(r.Classes), func(i int) bool { return r.Classes[i].Class >= c.Class })
	}
	if i < len(r.Classes) && r.Classes[i].Class == c.Class {
		r.Classes[i].Checks += c.Checks
		r.Classes[i].Failures += c.Failures
		return
	}
	r.Classes = append(r.Classes, ClassCount{})
	copy(r.Classes[i+1:], r.Classes[i:])
	r.Classes[i] = c
}

// Merge adds o's counts to r; Start and Period are left as they are.
func (r *Rollup) Merge(o *Rollup) {
	r.Checks += o.Checks
	r.Failures += o.Failures
	r.Degraded += o.Degraded
	r.Excluded += o.Excluded
	r.LatencySum += o.LatencySum
	for _, c := range o.Codes {
		r.addCode(c)
	}
	for _, c := range o.Classes {
		r.addClass(c)
	}
	r.Latency.Merge(&o.Latency)
	for i, n := range o.FailuresByHour {
		r.FailuresByHour[i] += n
	}
}

// Record types in rollup files (one record per frame).
const (
	recRollup     = 0x10
	recTransition = 0x11
)

// rollupMagic starts every rollup file (hourly, daily and transitions).
const rollupMagic = "UPBHRLP1"

func (r *Rollup) appendTo(dst []byte) []byte {
	dst = append(dst, recRollup)
	dst = appendStr(dst, r.Monitor)
	dst = binary.AppendVarint(dst, r.Start.Unix())
	dst = binary.AppendUvarint(dst, uint64(r.Period/time.Second))
	// Checks, failures and excluded come first: uptime reads only these.
	dst = binary.AppendUvarint(dst, r.Checks)
	dst = binary.AppendUvarint(dst, r.Failures)
	dst = binary.AppendUvarint(dst, r.Excluded)
	dst = binary.AppendUvarint(dst, r.Degraded)
	dst = binary.AppendVarint(dst, usec(r.LatencySum))
	dst = binary.AppendUvarint(dst, uint64(len(r.Codes)))
	for _, c := range r.Codes {
		dst = binary.AppendVarint(dst, int64(c.Code))
		dst = binary.AppendUvarint(dst, c.Checks)
		dst = binary.AppendUvarint(dst, c.Failures)
	}
	dst = binary.AppendUvarint(dst, uint64(len(r.Classes)))
	for _, c := range r.Classes {
		dst = appendStr(dst, c.Class)
		dst = binary.AppendUvarint(dst, c.Checks)
		dst = binary.AppendUvarint(dst, c.Failures)
	}
	dst = r.Latency.appendTo(dst)
	n := 0
	for _, v := range r.FailuresByHour {
		if v != 0 {
			n++
		}
	}
	dst = binary.AppendUvarint(dst, uint64(n))
	for h, v := range r.FailuresByHour {
		if v != 0 {
			dst = append(dst, byte(h))
			dst = binary.AppendUvarint(dst, v)
		}
	}
	return dst
}

// periodSum is the part of a rollup that uptime needs.
type periodSum struct {
	start                      int64 // unix seconds
	checks, failures, excluded uint64
}

// decodeRollupHead reads the monitor and the counts of a rollup payload
// (type byte included) and leaves d at the rest.
func decodeRollupHead(d *buf) (name []byte, s periodSum, period uint64) {
	if d.byte1("type") != recRollup {
		d.fail("rollup type")
		return nil, s, 0
	}
	name = d.bytes(d.uvarint("monitor"), "monitor")
	s.start = d.varint("start")
	period = d.uvarint("period")
	s.checks = d.uvarint("checks")
	s.failures = d.uvarint("failures")
	s.excluded = d.uvarint("excluded")
	return name, s, period
}

// decodeRollup decodes a whole rollup payload.
func decodeRollup(p []byte) (*Rollup, error) {
	d := &buf{b: p}
	name, s, period := decodeRollupHead(d)
	if period > 366*24*3600 {
		d.fail("period")
	}
	r := &Rollup{
		Monitor:  string(name),
		Start:    time.Unix(s.start, 0).UTC(),
		Period:   time.Duration(period) * time.Second,
		Checks:   s.checks,
		Failures: s.failures,
		Excluded: s.excluded,
	}
	r.Degraded = d.uvarint("degraded")
	r.LatencySum = time.Duration(d.varint("latency sum")) * time.Microsecond
	n := d.uvarint("codes")
	if n > uint64(len(d.b)) {
		d.fail("code count")
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		r.Codes = append(r.Codes, CodeCount{int(d.varint("code")), d.uvarint("code checks"), d.uvarint("code failures")})
	}
	n = d.uvarint("classes")
	if n > uint64(len(d.b)) {
		d.fail("class count")
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		r.Classes = append(r.Classes, ClassCount{d.str("class"), d.uvarint("class checks"), d.uvarint("class failures")})
	}
	r.Latency.decode(d)
	n = d.uvarint("hours")
	if n > 24 {
		d.fail("hour count")
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		h := d.byte1("hour")
		v := d.uvarint("hour failures")
		if h >= 24 {
			d.fail("hour")
			break
		}
		r.FailuresByHour[h] = v
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("rollup length")
	}
	if d.err != nil {
		return nil, d.err
	}
	return r, nil
}

// Transition is one change of a monitor's status.
type Transition struct {
	Monitor string
	Time    time.Time // the first result in the new status
	From    monitor.Status
	To      monitor.Status
	Since   time.Time // when From began
	Code    int       // of the result that made the change
	Class   string
	// Codes and Classes seen while From lasted, when From is down: what
	// the incident this transition ends was made of.
	Codes   []int
	Classes []string
}

// maxIncidentKinds bounds the codes and classes kept per incident.
const maxIncidentKinds = 16

func (t *Transition) appendTo(dst []byte) []byte {
	dst = append(dst, recTransition)
	dst = appendStr(dst, t.Monitor)
	ms := t.Time.UnixMilli()
	dst = binary.AppendVarint(dst, ms)
	dst = append(dst, byte(t.From), byte(t.To))
	dst = binary.AppendVarint(dst, ms-t.Since.UnixMilli())
	dst = binary.AppendVarint(dst, int64(t.Code))
	dst = appendStr(dst, t.Class)
	dst = binary.AppendUvarint(dst, uint64(len(t.Codes)))
	for _, c := range t.Codes {
		dst = binary.AppendVarint(dst, int64(c))
	}
	dst = binary.AppendUvarint(dst, uint64(len(t.Classes)))
	for _, c := range t.Classes {
		dst = appendStr(dst, c)
	}
	return dst
}

func decodeTransition(p []byte) (*Transition, error) {
	d := &buf{b: p}
	if d.byte1("type") != recTransition {
		return nil, fmt.Errorf("%w: not a transition", ErrCorrupt)
	}
	t := &Transition{Monitor: d.str("monitor")}
	ms := d.varint("time")
	t.Time = time.UnixMilli(ms).UTC()
	t.From = monitor.Status(d.byte1("from"))
	t.To = monitor.Status(d.byte1("to"))
	t.Since = time.UnixMilli(ms - d.varint("since")).UTC()
	t.Code = int(d.varint("code"))
	t.Class = d.str("class")
	n := d.uvarint("codes")
	if n > maxIncidentKinds {
		d.fail("code count")
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		t.Codes = append(t.Codes, int(d.varint("code")))
	}
	n = d.uvarint("classes")
	if n > maxIncidentKinds {
		d.fail("class count")
	}
	for i := uint64(0); i < n && d.err == nil; i++ {
		t.Classes = append(t.Classes, d.str("class"))
	}
	if d.err == nil && len(d.b) != 0 {
		d.fail("transition length")
	}
	if d.err != nil {
		return nil, d.err
	}
	return t, nil
}
