package config

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/textdist"
)

// parseDuration is time.ParseDuration that also knows days: "30d", "1d12h".
func parseDuration(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a duration; write a number and a unit, e.g. \"30s\", \"5m\", \"2h\", \"30d\"", s)
	rest := s
	neg := false
	if rest != "" && (rest[0] == '-' || rest[0] == '+') {
		neg = rest[0] == '-'
		rest = rest[1:]
	}
	if rest == "" {
		return 0, bad
	}
	var total float64 // nanoseconds; a float so that overflow can be seen
	for rest != "" {
		i := 0
		for i < len(rest) && (rest[i] >= '0' && rest[i] <= '9' || rest[i] == '.') {
			i++
		}
		j := i
		for j < len(rest) && !(rest[j] >= '0' && rest[j] <= '9' || rest[j] == '.') {
			j++
		}
		num, unit := rest[:i], rest[i:j]
		if num == "" || unit == "" {
			return 0, bad
		}
		if unit == "d" {
			f, err := strconv.ParseFloat(num, 64)
			if err != nil {
				return 0, bad
			}
			total += f * float64(24*time.Hour)
		} else {
			d, err := time.ParseDuration(num + unit)
			if err != nil {
				return 0, bad
			}
			total += float64(d)
		}
		rest = rest[j:]
	}
	if total > math.MaxInt64 {
		return 0, fmt.Errorf("%q is too long a duration", s)
	}
	if neg {
		total = -total
	}
	return time.Duration(total), nil
}

// formatDuration prints d the way a person would write it in the config.
func formatDuration(d time.Duration) string {
	if d >= 24*time.Hour && d%(24*time.Hour) == 0 {
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	if strings.HasSuffix(s, "m0s") {
		s = strings.TrimSuffix(s, "0s")
	}
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	return s
}

// sizeUnits are the units max_body accepts, longest first.
var sizeUnits = []struct {
	name string
	mult int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1e3}, {"mb", 1e6}, {"gb", 1e9},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30},
	{"b", 1},
}

// parseSize reads a byte count: 1048576, "512KiB", "1MiB", "10MB".
func parseSize(s string) (int64, error) {
	bad := fmt.Errorf("%q is not a size; write bytes or a number with a unit, e.g. \"512KiB\", \"1MiB\"", s)
	t := strings.ToLower(strings.TrimSpace(s))
	mult := int64(1)
	for _, u := range sizeUnits {
		if strings.HasSuffix(t, u.name) {
			t, mult = strings.TrimSpace(strings.TrimSuffix(t, u.name)), u.mult
			break
		}
	}
	n, err := strconv.ParseFloat(t, 64)
	if err != nil || n < 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, bad
	}
	if n*float64(mult) > math.MaxInt64/2 {
		return 0, fmt.Errorf("%q is too large", s)
	}
	return int64(n * float64(mult)), nil
}

// expand replaces each ${NAME} in s by the environment variable NAME, and
// lists the names that are not set. Nothing else is special: a lone "$",
// "$NAME", or "${" without a valid name and a closing brace stay as written.
// The values put in are not expanded again.
func expand(s string, lookup func(string) (string, bool)) (string, []string) {
	if !strings.Contains(s, "${") {
		return s, nil
	}
	var b strings.Builder
	var missing []string
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			b.WriteString(s)
			return b.String(), missing
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 || !isEnvName(s[i+2:i+2+end]) {
			b.WriteString(s[:i+2])
			s = s[i+2:]
			continue
		}
		name := s[i+2 : i+2+end]
		b.WriteString(s[:i])
		if v, ok := lookup(name); ok {
			b.WriteString(v)
		} else {
			missing = append(missing, name)
		}
		s = s[i+2+end+1:]
	}
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || i > 0 && c >= '0' && c <= '9') {
			return false
		}
	}
	return true
}

// closest returns the candidate nearest to s, if one is near enough to be
// a likely misspelling.
func closest(s string, candidates []string) (string, bool) {
	best, bestDist := "", math.MaxInt
	for _, c := range candidates {
		if d := textdist.Distance(strings.ToLower(s), strings.ToLower(c)); d < bestDist {
			best, bestDist = c, d
		}
	}
	limit := max(2, len(s)/3)
	if len(s) <= 4 {
		limit = 1 // short words are all near each other
	}
	return best, best != "" && bestDist <= limit
}

// typeName names the TOML type of a decoded value, for error messages.
func typeName(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case int64:
		return "an integer"
	case float64:
		return "a number"
	case bool:
		return "true or false"
	case time.Time:
		return "a date"
	case []any, []map[string]any:
		return "a list"
	case map[string]any:
		return "a table"
	}
	return fmt.Sprintf("%T", v)
}

// oneOf lists choices for a message: "a, b or c".
func oneOf(choices []string) string { return join(choices, " or ") }

// allOf lists things for a message: "a, b and c".
func allOf(things []string) string { return join(things, " and ") }

func join(list []string, last string) string {
	switch len(list) {
	case 0:
		return ""
	case 1:
		return list[0]
	}
	return strings.Join(list[:len(list)-1], ", ") + last + list[len(list)-1]
}
