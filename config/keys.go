package config

import (
	"slices"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The keys each table knows. They are the only keys accepted (anything
// else is reported as unknown, with the closest of these suggested), and a
// test checks that config.toml.example documents every one of them.
var (
	settingsKeys = []string{
		"history_dir", "history_access", "location", "retention", "rollup_retention", "concurrency",
		"interval", "timeout", "retries", "retry_interval", "cert_warn_days", "max_body",
		"connectivity_check", "recover_after",
		"shard", "peers", "peer_token", "peer_token_file", "peer_timeout", "quorum",
	}
	monitorKeys = slices.Concat([]string{
		"name", "url", "interval", "timeout", "retries", "retry_interval",
		"expect_status", "expect_body", "expect_json", "expect_answer", "max_latency",
		"cert_warn_days", "rdap_server", "tags", "alerts", "ca_file", "insecure",
		"max_body", "max_redirects", "method", "headers", "body", "grace",
		"allow_private_redirects",
	}, serviceKeys) // services.go
	alertKeys = []string{
		"name", "kind", "default", "on", "renotify",
		"url", "secret", "secret_file", "headers",
		"token", "token_file", "chat_id", "base_url",
		"smtp_host", "smtp_port", "username", "password", "password_file", "from", "to", "starttls",
		"urls", "resend", "labels",
	}
	maintenanceKeys = []string{
		"name", "monitors", "tags", "start", "end",
		"cron", "weekdays", "at", "duration", "timezone",
	}
	statusPageKeys = []string{
		"path", "title", "description", "public", "monitors", "tags", "group",
	}
	apiKeys = []string{
		"listen", "socket", "token", "token_file", "read_only_token", "read_only_token_file", "allowed_hosts",
		"external_url",
	}

	fleetKeys = []string{"daemons", "token", "token_file"}

	// tableKeys maps each table to its keys; "" is the top level.
	tableKeys = map[string][]string{
		"":            {"settings", "monitor", "alert", "maintenance", "status_page", "api", "fleet"},
		"fleet":       fleetKeys,
		"settings":    settingsKeys,
		"monitor":     monitorKeys,
		"alert":       alertKeys,
		"maintenance": maintenanceKeys,
		"status_page": statusPageKeys,
		"api":         apiKeys,
	}

	// arrayTables are the tables written [[name]]; the others are [name].
	arrayTables = map[string]bool{"monitor": true, "alert": true, "maintenance": true, "status_page": true}
)

// monitorKeyKinds lists, for each monitor key that only some kinds of check
// use, the kinds that use it. Setting one on another kind is a mistake.
var monitorKeyKinds = withServiceKinds(map[string][]monitor.Kind{ // services.go adds its kinds
	"expect_status":  {monitor.KindHTTP},
	"expect_body":    {monitor.KindHTTP},
	"expect_json":    {monitor.KindHTTP},
	"max_body":       {monitor.KindHTTP},
	"max_redirects":  {monitor.KindHTTP},
	"method":         {monitor.KindHTTP},
	"headers":        {monitor.KindHTTP},
	"body":           {monitor.KindHTTP},
	"expect_answer":  {monitor.KindDNS},
	"rdap_server":    {monitor.KindDomain},
	"grace":          {monitor.KindPush},
	"ca_file":        {monitor.KindHTTP, monitor.KindTLS},
	"insecure":       {monitor.KindHTTP, monitor.KindTLS},
	"cert_warn_days": {monitor.KindHTTP, monitor.KindTLS, monitor.KindDomain},

	// Issue 14: the redirects of http checks and of RDAP lookups; every
	// kind that speaks TLS adds itself (services.go), for the issuer's
	// certificate fetched from the URL a server's certificate names.
	"allow_private_redirects": {monitor.KindHTTP, monitor.KindDomain},
})

// alertKindKeys lists the keys each alert kind uses besides name, kind,
// default, on and renotify, and, first, those it requires.
var alertKindKeys = map[string]struct{ required, optional []string }{
	"desktop":  {},
	"terminal": {},
	"webhook":  {[]string{"url"}, []string{"secret", "secret_file", "headers"}},
	"telegram": {[]string{"token", "chat_id"}, []string{"token_file", "base_url"}},
	"email": {[]string{"smtp_host", "from", "to"},
		[]string{"smtp_port", "username", "password", "password_file", "starttls"}},
	"url":          {[]string{"url"}, nil},
	"alertmanager": {[]string{"urls"}, []string{"headers", "resend", "labels"}},
}

// alertKinds in the order the documentation gives them.
var alertKinds = []string{"desktop", "terminal", "webhook", "telegram", "email", "url", "alertmanager"}

// tableOf returns the table that knows key, if exactly one does.
func tableOf(key string) string {
	found := ""
	for name, keys := range tableKeys {
		if name == "" {
			continue
		}
		for _, k := range keys {
			if k == key {
				if found != "" {
					return ""
				}
				found = name
			}
		}
	}
	return found
}

// tableHeader writes a table's name as it appears in the file.
func tableHeader(name string) string {
	switch {
	case name == "":
		return "the top level"
	case arrayTables[name]:
		return "[[" + name + "]]"
	}
	return "[" + name + "]"
}
