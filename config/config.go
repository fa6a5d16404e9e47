// Package config loads upbeat's TOML configuration into a Config.
//
// Every default is applied, every duration parsed, every ${VAR} expanded,
// and every mistake in the file reported at once, each with its file, line
// and key (see Error and Errors), so that nothing starts on a half-right
// configuration.
//
// Durations are Go durations plus days: "30s", "5m", "1h30m", "30d".
// Strings may name environment variables as ${NAME}; nothing else is
// special, so a "$" in a password stays as it is. A secret may instead be
// read from a file with the key's _file variant (password_file, token_file,
// secret_file). Relative file names are taken from the config file's
// directory, and "~/" is the home directory.
//
// Timeouts: a monitor's timeout is its own timeout if it sets one (which
// must not be longer than its interval), else the [settings] timeout
// shortened to the monitor's interval when that is shorter. The same holds
// between the timeout and the interval of [settings].
package config

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"

	"early.upbeat.invalid/bare"
	"early.upbeat.invalid/paths"
	"github.com/BurntSushi/toml"

	"github.com/upbeat-monitor/upbeat/api"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/engine/alert"
	"github.com/upbeat-monitor/upbeat/engine/alert/maint"
	"github.com/upbeat-monitor/upbeat/engine/check/settings"
	"github.com/upbeat-monitor/upbeat/fleet"
	"github.com/upbeat-monitor/upbeat/history"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/statuspage"
)

// Config is a whole configuration file: what the engine needs (settings
// and monitors) and what the packages around it need, each in that
// package's own type (alert channels with their secrets, maintenance
// windows, the API).
type Config struct {
	engine.Config
	Alerts      []*alert.Config
	Maintenance []*maint.Config
	StatusPages []*statuspage.Config
	API         api.Config
	Peers       fleet.Peers // [settings] peers, peer_token, peer_timeout, quorum
	Fleet       fleet.List  // [fleet]
}

// ErrNoConfig is returned by Find when no config file was named and none
// exists in the places looked at.
var ErrNoConfig = errors.New("no config file")

// MissingError is Find's error when the config file named (--config)
// does not exist: not ErrNoConfig, which lets a command go on without a
// config, since a file named and missing is a mistake to report.
type MissingError struct {
	Path string
	Err  error // from os.Stat; wraps fs.ErrNotExist
}

func (e *MissingError) Error() string { return "no config file at " + e.Path }
func (e *MissingError) Unwrap() error { return e.Err }

// Defaults for the [settings] keys and for monitors that set nothing.
// A default that the package using the setting must know too is defined
// there, once: concurrency (engine.DefaultConcurrency), retention and
// rollup_retention (history.DefaultRetention, history.DefaultRollupRetention),
// max_body (settings.DefaultMaxBody), an alert's on (alert.DefaultOn).
const (
	DefaultInterval        = 60 * time.Second
	DefaultTimeout         = 10 * time.Second
	DefaultRetries         = 1
	DefaultRetryInterval   = 5 * time.Second
	DefaultCertWarnDays    = 14
	DefaultMaxRedirects    = 10
	DefaultRecoverAfter    = 1
	DefaultMethod          = "GET"
	DefaultSMTPPort        = 587
	DefaultStartTLS        = "mandatory"
	DefaultTelegramBaseURL = "https://api.telegram.org"
	DefaultTimezone        = "UTC"
)

// Load reads and checks the config file at path. When the file has
// mistakes, the error is an Errors listing all of them. A file larger than
// MaxConfigSize is refused without being read whole.
func Load(path string) (*Config, error) {
	return LoadWithEnv(path, os.LookupEnv)
}

// LoadWithEnv is Load with ${NAME} in the file read through lookupEnv
// rather than from the process's environment: a command passes the
// environment it was given.
func LoadWithEnv(path string, lookupEnv func(string) (string, bool)) (*Config, error) {
	data, err := readConfig(path)
	if err != nil {
		return nil, err
	}
	cfg, err := parse(path, data, lookupEnv, os.ReadFile)
	if cfg != nil {
		cfg.Stamp = bare.Stamp(data) // what `upbeat status` compares with the config it finds
	}
	return cfg, err
}

// readConfig reads the config file at path, refusing one larger than
// MaxConfigSize: a regular file by its size, before anything is read;
// anything else (a pipe, a device) once it has given a byte too many.
func readConfig(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	defer f.Close()
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() && fi.Size() > MaxConfigSize {
		return nil, Errors{tooLarge(path, fi.Size())}
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxConfigSize+1))
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	if len(data) > MaxConfigSize {
		return nil, Errors{tooLarge(path, int64(len(data)))}
	}
	return data, nil
}

// Validate checks the config file at path, as `upbeat validate` does; the
// error is as Load's.
func Validate(path string) error {
	_, err := Load(path)
	return err
}

// Parse checks config text. name is used in error messages and as
// Config.Path, and relative file names in the config are taken from its
// directory. When the text has mistakes, the error is an Errors listing
// all of them.
func Parse(name string, data []byte) (*Config, error) {
	return parse(name, data, os.LookupEnv, os.ReadFile)
}

func parse(name string, data []byte, lookup func(string) (string, bool), readFile func(string) ([]byte, error)) (*Config, error) {
	return newLoader(name, lookup, readFile).load(data)
}

func newLoader(name string, lookup func(string) (string, bool), readFile func(string) ([]byte, error)) *loader {
	return &loader{
		file:     name,
		dir:      filepath.Dir(name),
		home:     paths.Home(),
		lookup:   lookup,
		readFile: readFile,
		read:     map[string]bool{},
	}
}

// load parses the text and checks every table. Text too large or too
// deeply nested is refused before it reaches the parser (see prescan).
func (l *loader) load(data []byte) (*Config, error) {
	tree, err := l.decode(data)
	if err != nil {
		return nil, err
	}
	cfg := l.config(tree)
	if len(l.errs) > 0 {
		l.errs.sort()
		return nil, l.errs
	}
	cfg.Path = l.file
	return cfg, nil
}

// decode parses the text into a tree and indexes its lines, after
// prescan has measured it.
func (l *loader) decode(data []byte) (map[string]any, error) {
	if e := prescan(l.file, data); e != nil {
		return nil, Errors{e}
	}
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return nil, Errors{{File: l.file, Line: pe.Position.Line, Msg: "not valid TOML: " + pe.Message}}
		}
		return nil, Errors{{File: l.file, Msg: "not valid TOML: " + err.Error()}}
	}
	l.lines = indexLines(string(data))
	return tree, nil
}

// Default is the configuration with every default and no monitors.
func Default() *Config {
	return &Config{Config: engine.Config{Settings: defaultSettings()}, API: api.Config{Socket: DefaultSocket()}}
}

func defaultSettings() engine.Settings {
	return engine.Settings{
		HistoryDir:      DefaultHistoryDir(),
		HistoryAccess:   HistoryOwner,
		Retention:       history.DefaultRetention,
		RollupRetention: history.DefaultRollupRetention,
		Concurrency:     engine.DefaultConcurrency,
		Interval:        DefaultInterval,
		Timeout:         DefaultTimeout,
		Retries:         DefaultRetries,
		RetryInterval:   DefaultRetryInterval,
		CertWarnDays:    DefaultCertWarnDays,
		MaxBody:         settings.DefaultMaxBody,
		RecoverAfter:    DefaultRecoverAfter,
		SLOWindow:       monitor.DefaultSLOWindow,
		StallThreshold:  engine.DefaultStallThreshold,
		WarRoomInterval: engine.DefaultWarRoomInterval,
		WarRoomDuration: engine.DefaultWarRoomDuration,
	}
}

// Find returns the config file to use: explicit (from --config) when it is
// given, which must then exist (a *MissingError when it does not); else
// the first of ./upbeat.toml and $XDG_CONFIG_HOME/upbeat/config.toml
// (~/.config/upbeat/config.toml) that is a regular file
// (paths.FindConfig). It returns ErrNoConfig when none was given and none
// exists.
func Find(explicit string) (string, error) {
	if explicit != "" {
		if _, err := os.Stat(explicit); errors.Is(err, fs.ErrNotExist) {
			return "", &MissingError{Path: explicit, Err: err}
		} else if err != nil {
			return "", fmt.Errorf("config file: %w", err)
		}
		return explicit, nil
	}
	p, err := paths.FindConfig()
	switch {
	case err != nil:
		return "", fmt.Errorf("config file: %w", err)
	case p != "":
		return p, nil
	}
	return "", ErrNoConfig
}

// DefaultHistoryDir is where history is kept when history_dir is not set:
// $XDG_DATA_HOME/upbeat, else ~/.local/share/upbeat; without a home
// directory, a per-user directory under os.TempDir().
func DefaultHistoryDir() string {
	if dir := paths.XDGDir("XDG_DATA_HOME", filepath.Join(".local", "share")); dir != "" {
		return filepath.Join(dir, "upbeat")
	}
	return filepath.Join(paths.UserDir(), "history")
}

// DefaultSocket is the daemon's unix socket when api.socket is not set
// (paths.DefaultSocket).
func DefaultSocket() string { return paths.DefaultSocket() }
