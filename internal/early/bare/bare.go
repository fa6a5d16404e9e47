// Package bare has what the first package init of the upbeat binary
// (atonce) needs of the standard library, written again without imports:
// a package that imports nothing is initialised before all others but
// the runtime's own, and every standard package it could import would
// bring its dependencies' inits ahead of it (see atonce).
package bare

// Getenv is os.Getenv over env ("KEY=value" entries, the first of a key
// counting, as the syscall package reads the environment).
func Getenv(env []string, key string) string {
	for _, kv := range env {
		if len(kv) > len(key) && kv[len(key)] == '=' && kv[:len(key)] == key {
			return kv[len(key)+1:]
		}
	}
	return ""
}

// Itoa is strconv.Itoa.
func Itoa(n int) string {
	if n < 0 {
		return "-" + Utoa(-uint64(n))
	}
	return Utoa(uint64(n))
}

// Utoa is strconv.FormatUint in base 10.
func Utoa(u uint64) string {
	var b [20]byte
	i := len(b) - 1
	for ; u >= 10; u /= 10 {
		b[i] = byte('0' + u%10)
		i--
	}
	b[i] = byte('0' + u)
	return string(b[i:])
}

// Atoi is strconv.Atoi for a plain run of decimal digits: false for
// anything else, a sign or a number past 1<<62 included.
func Atoi(s string) (int, bool) {
	if s == "" || len(s) > 18 {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

// Clean is path.Clean: the shortest path naming the same file as p by
// purely lexical processing.
func Clean(p string) string {
	if p == "" {
		return "."
	}
	rooted := p[0] == '/'
	var parts []string
	dotdot := 0 // leading ".." of a relative path, which stay
	for i := 0; i < len(p); {
		j := i
		for j < len(p) && p[j] != '/' {
			j++
		}
		switch part := p[i:j]; part {
		case "", ".":
		case "..":
			switch {
			case len(parts) > dotdot:
				parts = parts[:len(parts)-1]
			case !rooted:
				parts = append(parts, "..")
				dotdot++
			}
		default:
			parts = append(parts, part)
		}
		i = j + 1
	}
	out := ""
	if rooted {
		out = "/"
	}
	for i, part := range parts {
		if i > 0 {
			out += "/"
		}
		out += part
	}
	if out == "" {
		return "."
	}
	return out
}

// Join is path.Join of two elements.
func Join(a, b string) string {
	switch {
	case a == "" && b == "":
		return ""
	case a == "":
		return Clean(b)
	case b == "":
		return Clean(a)
	}
	return Clean(a + "/" + b)
}

// Dir is path.Dir.
func Dir(p string) string {
	i := len(p) - 1
	for i >= 0 && p[i] != '/' {
		i--
	}
	return Clean(p[:i+1])
}

// HasPrefix is strings.HasPrefix.
func HasPrefix(s, prefix string) bool {
	return len(s) >= len(prefix) && s[:len(prefix)] == prefix
}

// Index is strings.Index.
func Index(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// Trim is strings.TrimSpace for spaces and tabs.
func Trim(s string) string {
	for s != "" && (s[0] == ' ' || s[0] == '\t') {
		s = s[1:]
	}
	for s != "" && (s[len(s)-1] == ' ' || s[len(s)-1] == '\t') {
		s = s[:len(s)-1]
	}
	return s
}

// Stamp names a config's text: its 64-bit FNV-1a hash in hexadecimal.
// The daemon says the stamp of the config it runs (Upbeat-Config-Stamp),
// and `upbeat status`'s first path (atonce) takes a config it found with
// the same stamp as one that parses, for the daemon could load it.
func Stamp(text []byte) string {
	h := uint64(14695981039346656037)
	for _, c := range text {
		h ^= uint64(c)
		h *= 1099511628211
	}
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := len(b) - 1; i >= 0; i-- {
		b[i] = digits[h&15]
		h >>= 4
	}
	return string(b[:])
}
