package importer

import (
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// This file maps how a source makes its requests (authentication,
// proxies, client certificates) to upbeat's request keys, the same way
// for every source. Each helper takes the monitor, the report's item and
// the source's values, keeps secrets as ${VAR}s, and notes what it cannot
// carry over.

// httpURL sets m.URL from raw, an http(s) URL. A user and password in it
// become basic_auth, so that the password is a variable apart from the
// URL, and secret query parameters become variables. A URL made of the
// source's variables is kept as it is.
func (b *builder) httpURL(m *Monitor, item, raw string) error {
	raw = strings.TrimSpace(raw)
	var user, password string
	if u, err := url.Parse(raw); err == nil && u.User != nil && !strings.Contains(raw, "${") {
		if pw, ok := u.User.Password(); ok && !strings.Contains(u.User.Username(), ":") {
			user, password = u.User.Username(), pw
			u.User = nil
			raw = u.String()
		}
	}
	s, err := b.secretURL(cleanName(m.Name, "monitor"), item, raw, "URL")
	if err != nil {
		return err
	}
	m.URL = s
	if user != "" || password != "" {
		b.basicAuth(m, item, user, password)
	}
	return nil
}

// basicAuth sets m's basic_auth, with the password as a variable.
func (b *builder) basicAuth(m *Monitor, item, user, password string) {
	if user == "" || strings.Contains(user, ":") {
		b.partial(item, "its basic auth user %q cannot be sent (basic auth needs a user without a colon); left out", cleanText(user))
		return
	}
	name := cleanName(m.Name, "monitor")
	pw := ""
	if password != "" {
		pw = b.secret(name, "PASSWORD", fmt.Sprintf("monitor %q: the basic auth password of %s", name, user), password)
	}
	m.BasicAuth = &BasicAuth{User: user, Password: pw}
}

// oauth2 sets m's oauth2 client credentials, with the client secret as a
// variable.
func (b *builder) oauth2(m *Monitor, item, tokenURL, clientID, clientSecret string, scopes []string, params []KV) {
	if tokenURL == "" || clientID == "" || clientSecret == "" {
		b.partial(item, "its OAuth2 client credentials lack a token URL, a client id or a client secret; left out")
		return
	}
	name := cleanName(m.Name, "monitor")
	u, err := b.secretURL(name, item, tokenURL, "OAuth2 token URL")
	if err != nil {
		b.partial(item, "OAuth2 is left out: %v", err)
		return
	}
	if !strings.HasPrefix(u, "https://") && !strings.HasPrefix(u, "http://") && !strings.HasPrefix(u, "${") {
		b.partial(item, "OAuth2 is left out: its token URL is not http or https")
		return
	}
	m.OAuth2 = &OAuth2{
		TokenURL:     u,
		ClientID:     clientID,
		ClientSecret: b.secret(name, "CLIENT_SECRET", fmt.Sprintf("monitor %q: the OAuth2 client secret of %s", name, clientID), clientSecret),
		Scopes:       scopes,
		Params:       params,
	}
}

// proxyURL returns a proxy URL upbeat takes (http, https or socks5), its
// password a variable named after base, or why it cannot.
func (b *builder) proxyURL(base, item, raw string) (string, error) {
	raw = strings.TrimSpace(raw)
	if name, ok := envRef(raw); ok {
		b.needEnv(name, item+": the proxy URL (already a variable in the source)")
		return "${" + name + "}", nil
	}
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok {
		return "", fmt.Errorf("the proxy %q is not a URL", cleanText(redactUserinfo(raw)))
	}
	switch strings.ToLower(scheme) {
	case "http", "https", "socks5":
	case "socks5h":
		// Go's SOCKS5 client leaves name resolution to the proxy, which
		// is what socks5h asks for.
		raw = "socks5://" + rest
	default:
		return "", fmt.Errorf("the proxy speaks %s; upbeat's proxies are http, https or socks5", scheme)
	}
	return b.secretURL(base, item, raw, "proxy URL")
}

// redactUserinfo cuts the user info out of a URL-like string, for a
// message.
func redactUserinfo(raw string) string {
	if i := strings.Index(raw, "://"); i >= 0 {
		if at := strings.LastIndex(raw[i+3:], "@"); at >= 0 {
			return raw[:i+3] + "…@" + raw[i+3+at+1:]
		}
	}
	return raw
}

// clientCert sets m's client certificate files when both can be read
// here; otherwise it writes them as comments for the person to set
// where the files are, since the loader refuses files it cannot read. A
// relative path is made absolute from the working directory, where the
// source's program took it from.
func (b *builder) clientCert(m *Monitor, item, cert, key string) {
	if cert == "" || key == "" {
		b.partial(item, "its client certificate needs both a certificate and a key file; left out")
		return
	}
	abs := func(p string) string {
		if a, err := filepath.Abs(p); err == nil && !strings.Contains(p, "${") {
			return a
		}
		return p
	}
	cert, key = abs(cert), abs(key)
	if readable(cert) && readable(key) {
		m.ClientCert, m.ClientKey = cert, key
		return
	}
	m.Commented = append(m.Commented, Field{"client_cert", cert}, Field{"client_key", key})
	b.partial(item, "its client certificate files %s and %s cannot be read here; client_cert and client_key are written as comments: uncomment them where the files are", cert, key)
}

func readable(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	f.Close()
	return true
}
