// Package sshd serves the dashboard over SSH (`upbeat daemon --ssh :2222`)
// with charmbracelet/wish: no client install needed, one Bubble Tea
// program per session, with a lipgloss renderer made from that session's
// terminal (never from the daemon's own stdout, which under systemd is no
// terminal at all).
//
// Only keys listed in the authorized keys file get in. Every key is
// read-only unless its line carries the upbeat-actions option (or the word
// upbeat-actions in its comment); read-only is enforced on the source
// itself, so no model can act for a viewer.
package sshd

import (
	"bufio"
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/charmbracelet/wish"
	bm "github.com/charmbracelet/wish/bubbletea"
	"github.com/muesli/termenv"
	gossh "golang.org/x/crypto/ssh"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// ActionsOption marks an authorized key allowed to act (check now,
// pause, acknowledge, maintenance), as an option before the key type or
// as a word of the comment:
//
//	upbeat-actions ssh-ed25519 AAAA… alice@laptop
//	ssh-ed25519 AAAA… bob@desk upbeat-actions
const ActionsOption = "upbeat-actions"

// ErrReadOnly is returned by every action of a read-only session; it is
// a source.ErrForbidden.
var ErrReadOnly = source.Reason(source.ErrForbidden, "read-only session: this key may watch but not act")

// Options configure a Server.
type Options struct {
	// Addr to listen on, e.g. ":2222".
	Addr string
	// HostKeyPath is the server's private key; an ed25519 key is generated
	// there (mode 0600) when the file does not exist.
	HostKeyPath string
	// AuthorizedKeys is the file of keys allowed in, OpenSSH format. It
	// is read at every login, so edits need no restart.
	AuthorizedKeys string
	// Source is what every session's dashboard shows.
	Source source.Source
	// NewModel builds a session's dashboard: src is read-only wrapped for
	// read-only keys, r renders for the session's terminal. A model with a
	// Close method (tui.Model) is closed when its session ends.
	NewModel func(src source.Source, r *lipgloss.Renderer, readOnly bool) tea.Model
	// ProgramOptions are added to each session's program (default: the
	// alternate screen).
	ProgramOptions []tea.ProgramOption
	// IdleTimeout ends a session without input for this long (0: never;
	// a dashboard on a wall screen is idle by design).
	IdleTimeout time.Duration
	// Logger receives logins, refusals and session ends; nil: discarded.
	Logger *slog.Logger
}

// Server is the SSH dashboard server.
type Server struct {
	srv  *ssh.Server
	opts Options
	log  *slog.Logger
}

// New prepares the server: it loads (or generates) the host key and
// checks that the authorized keys file can be read.
func New(opts Options) (*Server, error) {
	if opts.Source == nil || opts.NewModel == nil {
		return nil, errors.New("sshd: Source and NewModel are required")
	}
	if opts.HostKeyPath == "" || opts.AuthorizedKeys == "" {
		return nil, errors.New("sshd: HostKeyPath and AuthorizedKeys are required")
	}
	if opts.ProgramOptions == nil {
		opts.ProgramOptions = []tea.ProgramOption{tea.WithAltScreen()}
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if _, err := readAuthorized(opts.AuthorizedKeys, opts.Logger); err != nil {
		return nil, err
	}
	if err := ensureHostKey(opts.HostKeyPath); err != nil {
		return nil, err
	}
	s := &Server{opts: opts, log: opts.Logger}
	sopts := []ssh.Option{
		wish.WithAddress(opts.Addr),
		ssh.HostKeyFile(opts.HostKeyPath),
		wish.WithPublicKeyAuth(s.allow),
		wish.WithMiddleware(
			bm.MiddlewareWithProgramHandler(s.program, termenv.Ascii),
			s.logSessions,
		),
	}
	if opts.IdleTimeout > 0 {
		sopts = append(sopts, wish.WithIdleTimeout(opts.IdleTimeout))
	}
	srv, err := wish.NewServer(sopts...)
	if err != nil {
		return nil, fmt.Errorf("sshd: %w", err)
	}
	s.srv = srv
	return s, nil
}

// ListenAndServe listens on Addr and serves until Shutdown or Close.
func (s *Server) ListenAndServe() error { return s.srv.ListenAndServe() }

// Serve serves on l until Shutdown or Close.
func (s *Server) Serve(l net.Listener) error { return s.srv.Serve(l) }

// Shutdown stops accepting and waits for sessions to end (or ctx).
func (s *Server) Shutdown(ctx context.Context) error { return s.srv.Shutdown(ctx) }

// Close stops the server and every session now.
func (s *Server) Close() error { return s.srv.Close() }

// key is one authorized key.
type key struct {
	pub     gossh.PublicKey
	actions bool
	comment string
}

// readAuthorized parses the authorized keys file. A line that does not
// parse is skipped (and logged) rather than locking everyone out.
func readAuthorized(path string, log *slog.Logger) ([]key, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("sshd authorized keys: %w", err)
	}
	var out []key
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		pub, comment, options, _, err := gossh.ParseAuthorizedKey([]byte(line))
		if err != nil {
			log.Warn("authorized keys: line skipped", "file", path, "line", n, "err", err)
			continue
		}
		act := slices.Contains(options, ActionsOption) || slices.Contains(strings.Fields(comment), ActionsOption)
		out = append(out, key{pub: pub, actions: act, comment: comment})
	}
	return out, sc.Err()
}

// lookup finds pub in the authorized keys file.
func (s *Server) lookup(pub ssh.PublicKey) (k key, ok bool) {
	if pub == nil {
		return key{}, false
	}
	keys, err := readAuthorized(s.opts.AuthorizedKeys, s.log)
	if err != nil {
		s.log.Error("authorized keys unreadable: refusing logins", "err", err)
		return key{}, false
	}
	for _, k := range keys {
		if ssh.KeysEqual(k.pub, pub) {
			return k, true
		}
	}
	return key{}, false
}

// allow is the public key handler: listed keys only.
func (s *Server) allow(ctx ssh.Context, pub ssh.PublicKey) bool {
	_, ok := s.lookup(pub)
	if !ok {
		s.log.Info("ssh key refused", "user", ctx.User(), "remote", ctx.RemoteAddr().String(),
			"key", gossh.FingerprintSHA256(pub))
	}
	return ok
}

// program builds a session's program. The permission comes from the key
// the session actually authenticated with (not from whatever keys were
// offered before it), looked up again now. The renderer is the session's
// own (see sessionTerm).
func (s *Server) program(sess ssh.Session) *tea.Program {
	k, ok := s.lookup(sess.PublicKey())
	if !ok {
		wish.Fatalln(sess, "key no longer authorized")
		return nil
	}
	if _, _, pty := sess.Pty(); !pty {
		wish.Fatalln(sess, "upbeat needs a terminal: connect with ssh -t")
		return nil
	}
	src := s.opts.Source
	if !k.actions {
		src = ReadOnly(src)
	} else {
		src = Signed(src, KeyName(k.comment, sess.User()))
	}
	r, in := sessionTerm(sess)
	m := s.opts.NewModel(src, r, !k.actions)
	if m == nil {
		return nil
	}
	if c, ok := m.(interface{ Close() }); ok { // closed when the session ends (logSessions)
		sess.Context().SetValue(closerKey{}, c)
	}
	opts := append([]tea.ProgramOption{tea.WithInput(in), tea.WithOutput(sess), tea.WithoutSignalHandler()},
		s.opts.ProgramOptions...)
	return tea.NewProgram(m, opts...)
}

type closerKey struct{}

// logSessions logs each session and closes its model when it ends.
func (s *Server) logSessions(next ssh.Handler) ssh.Handler {
	return func(sess ssh.Session) {
		start := time.Now()
		fp := ""
		if pk := sess.PublicKey(); pk != nil {
			fp = gossh.FingerprintSHA256(pk)
		}
		s.log.Info("ssh session", "user", sess.User(), "remote", sess.RemoteAddr().String(), "key", fp)
		next(sess)
		// a model that subscribed to the source lets go of it, or every
		// session that ever was would keep a subscription filling up
		if c, ok := sess.Context().Value(closerKey{}).(interface{ Close() }); ok {
			c.Close()
		}
		s.log.Info("ssh session ended", "user", sess.User(), "remote", sess.RemoteAddr().String(),
			"after", time.Since(start).Round(time.Second))
	}
}

// ensureHostKey generates an ed25519 host key at path if there is none.
func ensureHostKey(path string) error {
	if _, err := os.Stat(path); err == nil {
		return nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("sshd host key: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("sshd host key dir: %w", err)
	}
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return fmt.Errorf("sshd host key: %w", err)
	}
	block, err := gossh.MarshalPrivateKey(priv, "upbeat host key")
	if err != nil {
		return fmt.Errorf("sshd host key: %w", err)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("sshd host key: %w", err)
	}
	if _, err := f.Write(pem.EncodeToMemory(block)); err != nil {
		f.Close()
		os.Remove(path)
		return fmt.Errorf("sshd host key: %w", err)
	}
	return f.Close()
}

// ReadOnly wraps a source so that every action fails with ErrReadOnly;
// reading is unchanged.
func ReadOnly(src source.Source) source.Source {
	if m, ok := src.(source.Merged); ok { // keep what the dashboard learns of locations
		return readOnlyMerged{readOnly{src}, m}
	}
	return readOnly{src}
}

type readOnly struct{ source.Source }

type readOnlyMerged struct {
	readOnly
	m source.Merged
}

func (r readOnlyMerged) Locations() map[string][]source.LocationState { return r.m.Locations() }

func (readOnly) CheckNow(context.Context, string) error                { return ErrReadOnly }
func (readOnly) SetPaused(context.Context, string, bool) error         { return ErrReadOnly }
func (readOnly) Ack(context.Context, string) error                     { return ErrReadOnly }
func (readOnly) Maintain(context.Context, string, time.Duration) error { return ErrReadOnly }
func (readOnly) AddNote(context.Context, string, monitor.Note) error   { return ErrReadOnly }
