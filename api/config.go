package api

import "net"

// Config is the [api] table.
type Config struct {
	Listen        string   // TCP address besides the unix socket
	Socket        string   // unix socket path; default under XDG_RUNTIME_DIR
	Token         string   // bearer token for actions and reads
	ReadOnlyToken string   // read_only_token: may watch, may not act
	AllowedHosts  []string // allowed_hosts: Host header allow-list
	// ExternalURL is the base URL others reach this API at (external_url),
	// without a trailing slash: alerts link back to it. "": derived from
	// Listen when that is set (see BaseURL).
	ExternalURL string
}

// BaseURL is where this daemon's API is reached from elsewhere:
// ExternalURL, else http:// and Listen (a wildcard host becomes the
// machine's name), else "" (a unix socket only).
func (c Config) BaseURL(hostname func() (string, error)) string {
	if c.ExternalURL != "" {
		return c.ExternalURL
	}
	if c.Listen == "" {
		return ""
	}
	host, port, err := net.SplitHostPort(c.Listen)
	if err != nil {
		return ""
	}
	if host == "" || host == "0.0.0.0" || host == "::" {
		if hostname == nil {
			return ""
		}
		h, err := hostname()
		if err != nil || h == "" {
			return ""
		}
		host = h
	}
	return "http://" + net.JoinHostPort(host, port)
}
