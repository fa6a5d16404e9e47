// Package kb is upbeat's knowledge base: for every status code and failure
// class, what it is called, what it means, what usually causes it and the
// first thing to do. The text is the project's own.
package kb

// Entry explains one status code or failure class.
type Entry struct {
	Class     string   // the class it explains: "http_502", "timeout", "tls_expired", …
	Code      int      // the HTTP status code, 0 for a network class
	Name      string   // "Bad Gateway"
	Summary   string   // one line, shown beside the error: "the proxy got no valid answer from upstream"
	Meaning   string   // a short paragraph
	Causes    []string // the most common causes, most likely first
	FirstStep string   // the first thing to check or do
	Family    string   // "5xx server error", "cloudflare", "network", "tls", "dns", "assertion", …
}

// Lookup finds the entry for a class ("http_502", "timeout") or a bare code
// ("502"). ok is false when nothing is known; callers then fall back to
// the family of the code (see ForCode).
func Lookup(key string) (e Entry, ok bool) {
	return lookup(key)
}
