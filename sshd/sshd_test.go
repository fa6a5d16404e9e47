package sshd

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"go.uber.org/goleak"
	gossh "golang.org/x/crypto/ssh"

	"github.com/upbeat-monitor/upbeat/internal/testmain"
	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// fakeSource records actions and models closed.
type fakeSource struct {
	mu     sync.Mutex
	checks []string
	notes  []monitor.Note
	closed chan struct{} // a model was closed
}

func (f *fakeSource) Snapshot() []monitor.State                             { return nil }
func (f *fakeSource) AppendSnapshot(dst []monitor.State) []monitor.State    { return dst }
func (f *fakeSource) Subscribe() *source.Subscription                       { return source.NewSubscription(0, nil) }
func (f *fakeSource) SetPaused(context.Context, string, bool) error         { return nil }
func (f *fakeSource) Ack(context.Context, string) error                     { return nil }
func (f *fakeSource) Query() source.Querier                                 { return nil }
func (f *fakeSource) Info() source.Info                                     { return source.Info{Location: "jump-1"} }
func (f *fakeSource) Maintain(context.Context, string, time.Duration) error { return nil }
func (f *fakeSource) WarRoom(context.Context, string, time.Duration) error  { return nil }
func (f *fakeSource) AddNote(_ context.Context, _ string, n monitor.Note) error {
	f.mu.Lock()
	f.notes = append(f.notes, n)
	f.mu.Unlock()
	return nil
}
func (f *fakeSource) CheckNow(_ context.Context, name string) error {
	f.mu.Lock()
	f.checks = append(f.checks, name)
	f.mu.Unlock()
	return nil
}

// testModel is a trivial dashboard: it says who it is and tries an
// action on "c".
type testModel struct {
	src      source.Source
	r        *lipgloss.Renderer
	readOnly bool
	msg      string
	closed   chan struct{}
}

func (m testModel) Init() tea.Cmd { return nil }

// Close is called by the server when the session ends.
func (m testModel) Close() { m.closed <- struct{}{} }

func (m testModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyMsg); ok {
		switch k.String() {
		case "c":
			if err := m.src.CheckNow(context.Background(), "shop"); err != nil {
				m.msg = "action refused"
			} else {
				m.msg = "action done"
			}
		case "y": // as the dashboard's y does: OSC 52 to the renderer's output
			io.WriteString(m.r.Output(), "\x1b]52;c;aGk=\x07")
			m.msg = "copied"
		case "n":
			if err := m.src.AddNote(context.Background(), "shop", monitor.Note{Text: "pool restarted", Author: "claimed"}); err != nil {
				m.msg = "note refused"
			} else {
				m.msg = "note done"
			}
		case "q":
			return m, tea.Quit
		}
	}
	return m, nil
}

func (m testModel) View() string {
	return m.r.NewStyle().Bold(true).Render(fmt.Sprintf("upbeat at %s read-only=%v dark=%v", m.src.Info().Location, m.readOnly, m.r.HasDarkBackground())) +
		"\n" + m.msg + "\n"
}

func newKey(t *testing.T) (gossh.Signer, string) {
	t.Helper()
	_, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	s, err := gossh.NewSignerFromKey(priv)
	if err != nil {
		t.Fatal(err)
	}
	return s, strings.TrimSpace(string(gossh.MarshalAuthorizedKey(s.PublicKey())))
}

type fixture struct {
	addr     string
	hostKey  gossh.PublicKey
	src      *fakeSource
	viewer   gossh.Signer
	operator gossh.Signer
	stranger gossh.Signer
}

func start(t *testing.T) *fixture {
	t.Helper()
	dir := t.TempDir()
	f := &fixture{src: &fakeSource{closed: make(chan struct{}, 8)}}
	var vLine, oLine string
	f.viewer, vLine = newKey(t)
	f.operator, oLine = newKey(t)
	f.stranger, _ = newKey(t)
	ak := filepath.Join(dir, "authorized_keys")
	content := "# who may look\n" + vLine + " viewer@desk\nnot a key line\n" + ActionsOption + " " + oLine + " oncall@laptop\n"
	if err := os.WriteFile(ak, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	hk := filepath.Join(dir, "data", "ssh_host_ed25519_key")
	srv, err := New(Options{
		HostKeyPath: hk, AuthorizedKeys: ak, Source: f.src,
		NewModel: func(src source.Source, r *lipgloss.Renderer, ro bool) tea.Model {
			return testModel{src: src, r: r, readOnly: ro, closed: f.src.closed}
		},
		ProgramOptions: []tea.ProgramOption{}, // no alternate screen: keeps the output easy to read
	})
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(hk)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("host key not generated with 0600: %v %v", fi, err)
	}
	pemBytes, _ := os.ReadFile(hk)
	hs, err := gossh.ParsePrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	f.hostKey = hs.PublicKey()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f.addr = l.Addr().String()
	done := make(chan struct{})
	go func() { srv.Serve(l); close(done) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			srv.Close()
		}
		<-done
	})
	return f
}

func (f *fixture) dial(s gossh.Signer) (*gossh.Client, error) {
	return gossh.Dial("tcp", f.addr, &gossh.ClientConfig{
		User: "oncall", Auth: []gossh.AuthMethod{gossh.PublicKeys(s)},
		HostKeyCallback: gossh.FixedHostKey(f.hostKey), Timeout: 10 * time.Second,
	})
}

// term is the client side of a session: it collects the screen output
// and answers the terminal queries a real terminal would answer.
type term struct {
	mu     sync.Mutex
	out    bytes.Buffer
	more   chan struct{}
	stdin  io.Writer
	sess   *gossh.Session
	closed chan struct{}
}

// Terminal answers to the background colour query.
const (
	darkTerm  = "\x1b]11;rgb:1e1e/1e1e/1e1e\x1b\\\x1b[?62;c"
	lightTerm = "\x1b]11;rgb:ffff/ffff/f0f0\x07\x1b[?1;2c"
	mute      = "" // a terminal that answers nothing
)

func (f *fixture) open(t *testing.T, s gossh.Signer, answer string) *term {
	t.Helper()
	c, err := f.dial(s)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	sess, err := c.NewSession()
	if err != nil {
		t.Fatal(err)
	}
	if err := sess.RequestPty("xterm-256color", 24, 80, gossh.TerminalModes{}); err != nil {
		t.Fatal(err)
	}
	tm := &term{more: make(chan struct{}, 1), sess: sess, closed: make(chan struct{})}
	tm.stdin, _ = sess.StdinPipe()
	stdout, _ := sess.StdoutPipe()
	if err := sess.Shell(); err != nil {
		t.Fatal(err)
	}
	go func() {
		defer close(tm.closed)
		buf := make([]byte, 4096)
		answered := answer == mute
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				tm.mu.Lock()
				tm.out.Write(buf[:n])
				ask := !answered && bytes.Contains(tm.out.Bytes(), []byte("\x1b]11;?"))
				tm.mu.Unlock()
				if ask { // background colour, then primary device attributes
					answered = true
					tm.stdin.Write([]byte(answer))
				}
				select {
				case tm.more <- struct{}{}:
				default:
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return tm
}

// waitFor waits (10s at most) until the output holds s.
func (tm *term) waitFor(t *testing.T, s string) {
	t.Helper()
	deadline := time.NewTimer(10 * time.Second)
	defer deadline.Stop()
	for {
		tm.mu.Lock()
		ok := strings.Contains(tm.out.String(), s)
		tm.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-tm.more:
		case <-tm.closed:
			tm.mu.Lock()
			ok := strings.Contains(tm.out.String(), s)
			tm.mu.Unlock()
			if !ok {
				t.Fatalf("session ended without %q; output %q", s, tm.out.String())
			}
			return
		case <-deadline.C:
			tm.mu.Lock()
			defer tm.mu.Unlock()
			t.Fatalf("no %q in output %q", s, tm.out.String())
		}
	}
}

func TestSSHViewerIsReadOnly(t *testing.T) {
	f := start(t)
	began := time.Now()
	tm := f.open(t, f.viewer, darkTerm)
	tm.waitFor(t, "upbeat at jump-1 read-only=true dark=true")
	t.Logf("first frame %s after connecting", time.Since(began).Round(time.Millisecond))
	tm.stdin.Write([]byte("c"))
	tm.waitFor(t, "action refused")
	f.src.mu.Lock()
	n := len(f.src.checks)
	f.src.mu.Unlock()
	if n != 0 {
		t.Errorf("a read-only session reached the source: %d checks", n)
	}
	tm.stdin.Write([]byte("q"))
	<-tm.closed
	select {
	case <-f.src.closed:
	case <-time.After(10 * time.Second):
		t.Error("the session's model was not closed")
	}
}

func TestSSHOperatorMayAct(t *testing.T) {
	f := start(t)
	tm := f.open(t, f.operator, lightTerm)
	tm.waitFor(t, "read-only=false dark=false")
	tm.stdin.Write([]byte("c"))
	tm.waitFor(t, "action done")
	f.src.mu.Lock()
	defer f.src.mu.Unlock()
	if len(f.src.checks) != 1 || f.src.checks[0] != "shop" {
		t.Errorf("checks = %v", f.src.checks)
	}
}

// What the dashboard writes to its renderer's output (the OSC 52 of y,
// wired so in cmd_daemon.go) reaches the SSH client's terminal.
func TestSSHClipboardReachesTheClient(t *testing.T) {
	f := start(t)
	tm := f.open(t, f.viewer, darkTerm)
	tm.waitFor(t, "read-only=true")
	tm.stdin.Write([]byte("y"))
	tm.waitFor(t, "\x1b]52;c;aGk=\x07")
}

// A note typed over SSH is signed with the key's name from the
// authorized keys file, whatever the dashboard claims; a read-only key
// may not write one.
func TestSSHNotesSignedWithTheKeyName(t *testing.T) {
	f := start(t)
	tm := f.open(t, f.operator, lightTerm)
	tm.waitFor(t, "read-only=false")
	tm.stdin.Write([]byte("n"))
	tm.waitFor(t, "note done")
	ro := f.open(t, f.viewer, lightTerm)
	ro.waitFor(t, "read-only=true")
	ro.stdin.Write([]byte("n"))
	ro.waitFor(t, "note refused")
	f.src.mu.Lock()
	defer f.src.mu.Unlock()
	if len(f.src.notes) != 1 || f.src.notes[0].Author != "oncall@laptop" || f.src.notes[0].Text != "pool restarted" {
		t.Errorf("notes = %+v, want one signed oncall@laptop", f.src.notes)
	}
}

func TestKeyName(t *testing.T) {
	for _, c := range []struct{ comment, user, want string }{
		{"alice@laptop", "ops", "alice@laptop"},
		{ActionsOption + " bob@desk", "ops", "bob@desk"},
		{ActionsOption, "ops", "ops"},
		{"", "ops", "ops"},
	} {
		if got := KeyName(c.comment, c.user); got != c.want {
			t.Errorf("KeyName(%q, %q) = %q, want %q", c.comment, c.user, got, c.want)
		}
	}
}

// A terminal that never answers the colour query still gets its
// dashboard (after QueryTimeout), and a key typed meanwhile is not lost.
func TestSSHTerminalThatNeverAnswers(t *testing.T) {
	f := start(t)
	began := time.Now()
	tm := f.open(t, f.operator, mute)
	tm.stdin.Write([]byte("c"))
	tm.waitFor(t, "read-only=false dark=true")
	t.Logf("first frame %s after connecting to a mute terminal", time.Since(began).Round(time.Millisecond))
	tm.waitFor(t, "action done")
}

func TestSSHUnknownKeyRefused(t *testing.T) {
	f := start(t)
	c, err := f.dial(f.stranger)
	if err == nil {
		c.Close()
		t.Fatal("an unknown key got in")
	}
	if !strings.Contains(err.Error(), "unable to authenticate") {
		t.Errorf("err = %v", err)
	}
}

func TestReadOnlyWrapper(t *testing.T) {
	src := &fakeSource{}
	ro := ReadOnly(src)
	ctx := context.Background()
	for _, err := range []error{ro.CheckNow(ctx, "a"), ro.SetPaused(ctx, "a", true), ro.Ack(ctx, "a"), ro.Maintain(ctx, "a", time.Minute), ro.WarRoom(ctx, "a", 0)} {
		if !errors.Is(err, ErrReadOnly) || !errors.Is(err, source.ErrForbidden) {
			t.Errorf("action through ReadOnly: %v", err)
		}
	}
	if ro.Info().Location != "jump-1" {
		t.Error("reading through ReadOnly changed")
	}
	if len(src.checks) != 0 {
		t.Error("ReadOnly passed an action on")
	}
}

func TestNewRefusesMissingAuthorizedKeys(t *testing.T) {
	dir := t.TempDir()
	_, err := New(Options{HostKeyPath: filepath.Join(dir, "hk"), AuthorizedKeys: filepath.Join(dir, "none"),
		Source: &fakeSource{}, NewModel: func(source.Source, *lipgloss.Renderer, bool) tea.Model { return nil }})
	if err == nil {
		t.Error("started without an authorized keys file")
	}
}

func TestMain(m *testing.M) {
	testmain.SkipRaceExitSleep()
	goleak.VerifyTestMain(m, goleak.Cleanup(testmain.Exit))
}

func TestIsDark(t *testing.T) {
	for _, tc := range []struct {
		r, g, b string
		want    bool
	}{{"0000", "0000", "0000", true}, {"ffff", "ffff", "ffff", false}, {"1e", "1e", "1e", true}, {"f", "f", "e", false}} {
		if got := isDark(tc.r, tc.g, tc.b); got != tc.want {
			t.Errorf("isDark(%s/%s/%s) = %v", tc.r, tc.g, tc.b, got)
		}
	}
}
