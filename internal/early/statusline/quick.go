package statusline

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"early.upbeat.invalid/atonce"
	"early.upbeat.invalid/paths"
	"early.upbeat.invalid/tomlscan"
)

// Quick runs `upbeat status` with args (what follows "status") when it is
// sure to answer as the full command would, and reports whether it did:
// with at most --tmux, --prompt or --json and --config, on the daemon of
// the config's [api] socket, else of the default sockets. Like the full
// command without --verbose it prints nothing and exits 0 when no daemon
// answers.
func Quick(args []string, stdout io.Writer) (code int, done bool) {
	return QuickBy(args, stdout, GiveUpBy())
}

// GiveUpBy is when `upbeat status` must give up and print nothing: the
// time atonce, which may have started on it before, left (atonce.Left),
// else Timeout from now.
func GiveUpBy() time.Time {
	if left, ok := atonce.Left(); ok {
		return time.Now().Add(time.Duration(left))
	}
	return time.Now().Add(Timeout)
}

// QuickBy is Quick giving up at deadline.
func QuickBy(args []string, stdout io.Writer, deadline time.Time) (code int, done bool) {
	q, ok := quickArgs(args)
	if !ok {
		return 0, false
	}
	sockets, ok := localSockets(q.config)
	if !ok {
		return 0, false
	}
	for _, sock := range sockets {
		s, answer := summaryOn(sock, deadline)
		switch answer {
		case answered:
			Write(stdout, s, q.mode)
			return 0, true
		case unsure:
			return 0, false
		}
	}
	return 0, true
}

// quick is what Quick was asked.
type quick struct {
	mode   Mode
	config string // --config, or ""
}

// quickArgs reads the arguments Quick answers: at most one of the three
// modes, and a config file, each at most once, as the flag package takes
// them.
func quickArgs(args []string) (quick, bool) {
	var q quick
	modes := 0
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "--tmux", "-tmux":
			q.mode, modes = Tmux, modes+1
		case "--prompt", "-prompt":
			q.mode, modes = Prompt, modes+1
		case "--json", "-json":
			q.mode, modes = JSON, modes+1
		case "--config", "-config":
			if i+1 == len(args) || q.config != "" || args[i+1] == "" {
				return q, false
			}
			i++
			q.config = args[i]
		default:
			v, ok := strings.CutPrefix(a, "--config=")
			if !ok {
				v, ok = strings.CutPrefix(a, "-config=")
			}
			if !ok || q.config != "" || v == "" {
				return q, false
			}
			q.config = v
		}
	}
	return q, modes <= 1
}

// localSockets are the sockets status asks when no address is named: the
// [api] socket of the config (explicit, else the one found in the usual
// places) if it sets another than the default, else the default one and
// the system one. It reports false for a config it cannot read as
// config.SocketWithEnv would.
func localSockets(explicit string) ([]string, bool) {
	defaults := []string{paths.DefaultSocket(), paths.SystemSocket}
	file := explicit
	if file == "" {
		var err error
		if file, err = paths.FindConfig(); err != nil {
			return nil, false
		}
	}
	if file == "" {
		return defaults, true
	}
	socket, ok := configSocket(file)
	switch {
	case !ok:
		return nil, false
	case socket == paths.DefaultSocket():
		return defaults, true
	}
	return []string{socket}, true
}

// configSocket reads the [api] socket of the config in file (the default
// socket when it sets none), as config.SocketWithEnv does, or reports
// false: for a file that is not a regular one (a pipe can be read only
// once, and the full command must read it), too large or too deeply
// nested, not TOML, or whose socket is not a plain path.
func configSocket(file string) (string, bool) {
	regular := func(fi os.FileInfo, err error) bool {
		return err == nil && fi.Mode().IsRegular() && fi.Size() <= tomlscan.MaxSize
	}
	// Looked at before it is opened: opening a FIFO waits for a writer,
	// and would take what it writes from the full command. Not blocking
	// on the open, in case it became one in between.
	if !regular(os.Stat(file)) {
		return "", false
	}
	f, err := os.OpenFile(file, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return "", false
	}
	defer f.Close()
	if !regular(f.Stat()) {
		return "", false
	}
	data, err := io.ReadAll(io.LimitReader(f, tomlscan.MaxSize+1))
	if err != nil || len(data) > tomlscan.MaxSize {
		return "", false
	}
	if line, _ := tomlscan.Nesting(data, tomlscan.MaxDepth, tomlscan.MaxNesting); line > 0 {
		return "", false
	}
	var tree map[string]any
	if _, err := toml.Decode(string(data), &tree); err != nil {
		return "", false
	}
	v, ok := tree["api"]
	if !ok {
		return paths.DefaultSocket(), true
	}
	api, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	v, ok = api["socket"]
	if !ok {
		return paths.DefaultSocket(), true
	}
	p, ok := v.(string)
	if !ok || p == "" || strings.Contains(p, "$") {
		return "", false
	}
	return paths.Resolve(p, path.Dir(file), paths.Home()), true
}

// answer is what came of asking one socket.
type answer int

const (
	answered   answer = iota
	unanswered        // nobody there, too slow, or no summary: ask the next socket
	unsure            // a reply this package does not read: leave it to the full command
)

// maxHead bounds what is read of a reply's status line and headers.
const maxHead = 64 << 10

// summaryOn asks the daemon on the unix socket sock for its summary. The
// request is HTTP/1.0, so the reply ends with the connection if it does
// not say its length first.
func summaryOn(sock string, deadline time.Time) (Summary, answer) {
	if !time.Now().Before(deadline) {
		return Summary{}, unanswered
	}
	f, err := dialUnix(sock)
	if err != nil {
		return Summary{}, unanswered
	}
	defer f.Close()
	if f.SetDeadline(deadline) != nil {
		return Summary{}, unsure
	}
	if _, err := io.WriteString(f, "GET /api/v1/summary HTTP/1.0\r\nHost: upbeat\r\n\r\n"); err != nil {
		return Summary{}, unanswered
	}
	r, err := readReply(f)
	if err != nil {
		return Summary{}, unanswered
	}
	return r.summary()
}

// dialUnix connects to a unix socket without waiting: a daemon too busy
// to accept is one that does not answer.
func dialUnix(sock string) (*os.File, error) {
	fd, err := syscall.Socket(syscall.AF_UNIX, syscall.SOCK_STREAM, 0)
	if err != nil {
		return nil, err
	}
	syscall.CloseOnExec(fd)
	err = syscall.SetNonblock(fd, true)
	if err == nil {
		err = syscall.Connect(fd, &syscall.SockaddrUnix{Name: sock})
	}
	if err != nil {
		syscall.Close(fd)
		return nil, err
	}
	// A non-blocking descriptor joins Go's poller, so deadlines hold.
	return os.NewFile(uintptr(fd), sock), nil
}

// reply is an HTTP/1.x reply as read.
type reply struct {
	status  string   // "200"
	headers []string // "Name: value"
	body    []byte
	length  int // Content-Length, or -1
}

// readReply reads a reply: its head, then its body up to the length the
// head gives, else to the end of the connection, and no more of the body
// than the full command reads (MaxSummary, and the rest unread).
func readReply(r io.Reader) (*reply, error) {
	buf := make([]byte, 0, 16<<10)
	var rp *reply
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if rp == nil {
			head, body, ok := bytes.Cut(buf, []byte("\r\n\r\n"))
			switch {
			case ok:
				rp = parseHead(string(head))
				buf = append([]byte(nil), body...)
			case len(buf) > maxHead:
				return nil, errors.New("no end to the reply's head")
			}
		}
		if rp != nil && (rp.length >= 0 && len(buf) >= rp.length || len(buf) > MaxSummary) {
			break
		}
		if err == io.EOF && rp != nil {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	if rp.length >= 0 && len(buf) > rp.length {
		buf = buf[:rp.length]
	}
	rp.body = buf
	return rp, nil
}

// parseHead reads a reply's status line and headers.
func parseHead(head string) *reply {
	lines := strings.Split(head, "\r\n")
	rp := &reply{length: -1, headers: lines[1:]}
	if f := strings.Fields(lines[0]); len(f) >= 2 && strings.HasPrefix(f[0], "HTTP/1.") {
		rp.status = f[1]
	}
	for _, h := range rp.headers {
		name, value, _ := strings.Cut(h, ":")
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			if n, err := strconv.Atoi(strings.TrimSpace(value)); err == nil && n >= 0 {
				rp.length = n
			}
		}
	}
	return rp
}

// summary reads the reply as the full command would: a summary from a
// 200 of plain JSON, its first value (what follows, or a body cut short
// after it, does not matter); nothing from an error status or a value cut
// short; anything else (an encoded body, an interim or redirecting status) is
// the full command's to read.
func (rp *reply) summary() (Summary, answer) {
	for _, h := range rp.headers {
		name, _, _ := strings.Cut(h, ":")
		switch name = strings.TrimSpace(name); {
		case strings.EqualFold(name, "Transfer-Encoding"), strings.EqualFold(name, "Content-Encoding"):
			return Summary{}, unsure
		}
	}
	switch {
	case rp.status == "" || rp.status < "200" || rp.status[0] == '3':
		return Summary{}, unsure
	case rp.status != "200":
		return Summary{}, unanswered
	}
	body := rp.body
	if len(body) > MaxSummary {
		body = body[:MaxSummary]
	}
	var s Summary
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&s); err != nil {
		return Summary{}, unanswered
	}
	return s, answered
}
