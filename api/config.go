package api

// Config is the [api] table.
type Config struct {
	Listen        string   // TCP address besides the unix socket
	Socket        string   // unix socket path; default under XDG_RUNTIME_DIR
	Token         string   // bearer token for actions and reads
	ReadOnlyToken string   // read_only_token: may watch, may not act
	AllowedHosts  []string // allowed_hosts: Host header allow-list
}
