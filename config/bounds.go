package config

import (
	"fmt"
	"time"
)

// Bounds on values that would break monitoring rather than tune it: an
// interval of a nanosecond keeps a core busy for one monitor, a billion
// retries never declare anything down, and a 100 GiB max_body lets one
// target take the memory every other check needs. The accessors of table
// (positive, nonNegative, atLeast, size) apply a key's bound after its own
// checks, so each key is bounded wherever it is read. config.toml.example
// and the README list the bounds.
const (
	MinInterval      = time.Second
	MinTimeout       = 10 * time.Millisecond
	MaxRetries       = 10
	MinRetryInterval = 100 * time.Millisecond
	MaxMaxBody       = 64 << 20 // bytes
	MaxMaxRedirects  = 30
	MaxConcurrency   = 4096
	MinRenotify      = time.Minute
	MaxCertWarnDays  = 365
	MaxRecoverAfter  = 100
)

// unit is what a bounded value counts, for messages.
type unit int

const (
	unitCount unit = iota
	unitDuration
	unitBytes
)

// limit is the range a key's value must be in: at least min and at most
// max (0: no such end), or zero when zeroOK.
type limit struct {
	unit     unit
	min, max int64
	zeroOK   bool   // 0 means "off" and is allowed besides the range
	why      string // the reason, for the message
}

// limits holds the bounds by key; the keys are the same in [settings] and
// [[monitor]].
var limits = map[string]limit{
	"interval":       {unit: unitDuration, min: int64(MinInterval), why: "checking more often only burns CPU and hammers the target"},
	"timeout":        {unit: unitDuration, min: int64(MinTimeout), why: "no answer over a network comes sooner"},
	"retries":        {max: MaxRetries, why: "more retries only hold back the alert"},
	"retry_interval": {unit: unitDuration, min: int64(MinRetryInterval), why: "a retry sooner than that is no second opinion"},
	"max_body":       {unit: unitBytes, max: MaxMaxBody, why: "a check needs no more, and the body is held in memory while it is judged"},
	"max_redirects":  {max: MaxMaxRedirects, why: "browsers give up after about 20"},
	"concurrency":    {max: MaxConcurrency, why: "each running check holds a connection and a file descriptor"},
	"renotify":       {unit: unitDuration, min: int64(MinRenotify), zeroOK: true, why: `reminders more often are noise ("0s" sends none)`},
	"cert_warn_days": {max: MaxCertWarnDays, why: "certificates are issued for a year or less"},
	"recover_after":  {max: MaxRecoverAfter, why: "more would keep an incident open long after the monitor came back"},
}

// bounded reports whether v, read from key, is within the key's bounds,
// and reports the mistake when it is not.
func (t *table) bounded(key string, v int64) bool {
	lim, ok := limits[key]
	if !ok || v == 0 && lim.zeroOK {
		return true
	}
	switch {
	case lim.min > 0 && v < lim.min:
		t.errorf(key, "must be at least %s, not %s; %s", lim.format(lim.min), t.written(key), lim.why)
		return false
	case lim.max > 0 && v > lim.max:
		t.errorf(key, "must be at most %s, not %s; %s", lim.format(lim.max), t.written(key), lim.why)
		return false
	}
	return true
}

// written is key's value as the file has it, for a message.
func (t *table) written(key string) string {
	switch v := t.data[key].(type) {
	case string:
		return fmt.Sprintf("%q", v)
	default:
		return fmt.Sprint(v)
	}
}

func (lim limit) format(v int64) string {
	switch lim.unit {
	case unitDuration:
		return formatDuration(time.Duration(v))
	case unitBytes:
		return formatSize(v)
	}
	return fmt.Sprint(v)
}

// formatSize prints a byte count the way the config takes it: "64MiB".
func formatSize(n int64) string {
	for _, u := range []struct {
		name string
		mult int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.mult && n%u.mult == 0 {
			return fmt.Sprintf("%d%s", n/u.mult, u.name)
		}
	}
	return fmt.Sprintf("%d bytes", n)
}
