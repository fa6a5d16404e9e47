package config

import (
	"errors"
	"os"

	"github.com/BurntSushi/toml"
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

// SocketWithEnv reads only the [api] socket of the config file at path, as
// the daemon reads it (${NAME} through lookupEnv, ~ and a path relative to
// the file's directory; the default socket when none is set), for a
// command that only asks the local daemon (upbeat status): a mistake
// elsewhere in the file, [api] included (a token from a variable only the
// daemon's environment has), does not keep it from finding the daemon.
func SocketWithEnv(path string, lookupEnv func(string) (string, bool)) (string, error) {
	data, err := readConfig(path)
	if err != nil {
		return "", err
	}
	l := newLoader(path, lookupEnv, os.ReadFile)
	tree, err := l.decode(data)
	if err != nil {
		return "", err
	}
	socket := DefaultSocket()
	if p, ok := l.single(tree, "api").filePath("socket"); ok {
		socket = p
	}
	if len(l.errs) > 0 {
		l.errs.sort()
		return "", l.errs
	}
	return socket, nil
}

// DecodeLenient decodes the config file at path into v with the TOML
// library, after the size and nesting checks every reader of a config
// applies, and checks nothing else: for a command that needs one key of a
// config that may not load as a whole. Its errors name the file.
func DecodeLenient(path string, v any) error {
	data, err := readConfig(path)
	if err != nil {
		return err
	}
	if e := prescan(path, data); e != nil {
		return Errors{e}
	}
	if _, err := toml.Decode(string(data), v); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Errors{{File: path, Line: pe.Position.Line, Msg: "not valid TOML: " + pe.Message}}
		}
		return Errors{{File: path, Msg: err.Error()}}
	}
	return nil
}
