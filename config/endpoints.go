package config

import (
	"os"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/fleet"
)

// Endpoints is where a config's daemon answers ([api]) and which daemons
// its [fleet] lists: what a command needs to reach a running daemon.
type Endpoints struct {
	Path  string
	API   api.Config
	Fleet fleet.List
}

// LoadEndpointsWithEnv reads only [api] and [fleet] of the config file at path:
// the socket (relative to the file's directory, ~ expanded, the default
// socket when none is named), the listen address and the tokens. It
// parses the TOML but checks nothing else, so commands that run often
// (upbeat status) stay fast, and a mistake elsewhere in the file does not
// keep them from finding the daemon. The error is as Load's, limited to
// those two tables. ${NAME} is read through lookupEnv, as LoadWithEnv does.
func LoadEndpointsWithEnv(path string, lookupEnv func(string) (string, bool)) (*Endpoints, error) {
	data, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	l := newLoader(path, lookupEnv, os.ReadFile)
	tree, err := l.decode(data)
	if err != nil {
		return nil, err
	}
	ep := &Endpoints{Path: path, API: l.api(l.single(tree, "api")), Fleet: fleetList(l.single(tree, "fleet"))}
	if len(l.errs) > 0 {
		l.errs.sort()
		return nil, l.errs
	}
	return ep, nil
}
