package statusline

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path"
	"strings"
	"syscall"
	"time"

	"github.com/BurntSushi/toml"

	"early.upbeat.invalid/tomlscan"
)

// Quick runs `upbeat status` with args (what follows "status") when it is
// sure to answer as the full command would, and reports whether it did:
// with at most --tmux, --prompt or --json and --config, on the daemon of
// the config's [api] socket, else of the default sockets. Like the full
// command without --verbose it prints nothing and exits 0 when no daemon
// answers.
func Quick(args []string, stdout io.Writer) (code int, done bool) {
	q, ok := quickArgs(args)
	if !ok {
		return 0, false
	}
	sockets, ok := localSockets(q.config)
	if !ok {
		return 0, false
	}
	deadline := time.Now().Add(Timeout)
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
// the system one. It reports false for a config it cannot read as the
// full loader would.
func localSockets(explicit string) ([]string, bool) {
	defaults := []string{DefaultSocket(), SystemSocket}
	file, ok := explicit, true
	if file == "" {
		file, ok = findConfig()
	}
	switch {
	case !ok:
		return nil, false
	case file == "":
		return defaults, true
	}
	socket, ok := configSocket(file)
	switch {
	case !ok:
		return nil, false
	case socket == "" || socket == DefaultSocket():
		return defaults, true
	}
	return []string{socket}, true
}

// findConfig is config.Find's choice among ConfigCandidates: the first
// that is a file, "" when there is none, false when one cannot be looked
// at.
func findConfig() (string, bool) {
	for _, p := range ConfigCandidates() {
		fi, err := os.Stat(p)
		switch {
		case err == nil && !fi.IsDir():
			return p, true
		case err != nil && !errors.Is(err, os.ErrNotExist):
			return "", false
		}
	}
	return "", true
}

// configSocket reads the [api] socket of the config at file ("" when it
// sets none), as config's loader reads it: a path from the home directory
// when it starts with ~/, else from the config's directory.
func configSocket(file string) (string, bool) {
	data, err := readAtMost(file, tomlscan.MaxSize)
	if err != nil {
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
		return "", true
	}
	api, ok := v.(map[string]any)
	if !ok {
		return "", false
	}
	v, ok = api["socket"]
	if !ok {
		return "", true
	}
	p, ok := v.(string)
	if !ok || p == "" || strings.Contains(p, "$") {
		return "", false
	}
	switch home := Home(); {
	case (p == "~" || strings.HasPrefix(p, "~/")) && home != "":
		return path.Join(home, p[1:]), true
	case isAbs(p):
		return path.Clean(p), true
	}
	return path.Join(path.Dir(file), p), true
}

// readAtMost reads file, or fails when it holds more than max bytes.
func readAtMost(file string, max int64) ([]byte, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, max+1))
	if err == nil && int64(len(data)) > max {
		err = errors.New("too large")
	}
	return data, err
}

// answer is what came of asking one socket.
type answer int

const (
	answered   answer = iota
	unanswered        // nobody there, too slow, or not a summary: ask the next socket
	unsure            // an answer this package does not read: leave it to the full command
)

// summaryOn asks the daemon on the unix socket sock for its summary, with
// HTTP/1.0 so that the answer ends where the connection does.
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
	resp, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return Summary{}, unanswered
	}
	return readSummary(resp)
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

// readSummary reads an HTTP/1.x response whose body ends with the
// connection.
func readSummary(resp []byte) (Summary, answer) {
	head, body, ok := bytes.Cut(resp, []byte("\r\n\r\n"))
	if !ok {
		return Summary{}, unanswered // cut short
	}
	lines := strings.Split(string(head), "\r\n")
	status := strings.Fields(lines[0])
	if len(status) < 2 || !strings.HasPrefix(status[0], "HTTP/1.") {
		return Summary{}, unsure
	}
	for _, h := range lines[1:] {
		name, _, _ := strings.Cut(h, ":")
		if strings.EqualFold(strings.TrimSpace(name), "Transfer-Encoding") ||
			strings.EqualFold(strings.TrimSpace(name), "Content-Encoding") {
			return Summary{}, unsure
		}
	}
	if status[1] != "200" {
		return Summary{}, unanswered
	}
	var s Summary
	if err := json.NewDecoder(bytes.NewReader(body)).Decode(&s); err != nil {
		return Summary{}, unanswered
	}
	return s, answered
}
