package check

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	neturl "net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/gomodule/redigo/redis"

	"github.com/upbeat-monitor/upbeat/monitor"
)

func TestRedisURL(t *testing.T) {
	for _, tc := range []struct {
		url  string
		want redisTarget
	}{
		{"redis://127.0.0.1", redisTarget{addr: "127.0.0.1:6379"}},
		{"redis://alice:pw@127.0.0.1:7000/3", redisTarget{addr: "127.0.0.1:7000", user: "alice", password: "pw", db: 3}},
		{"rediss://:pw@[::1]/0", redisTarget{addr: "[::1]:6379", password: "pw"}},
		{"redis://127.0.0.1//2/", redisTarget{addr: "127.0.0.1:6379", db: 2}},
		{"redis://127.0.0.1/?db=4", redisTarget{addr: "127.0.0.1:6379", db: 4}},
		{"redis://127.0.0.1/1?db=5", redisTarget{addr: "127.0.0.1:6379", db: 5}}, // db= wins, as with go-redis
		{"redis://127.0.0.1/6?db=", redisTarget{addr: "127.0.0.1:6379", db: 6}},
		{"redis://127.0.0.1?client_name=upbeat&dial_timeout=3s&pool_size=1&protocol=3", redisTarget{addr: "127.0.0.1:6379", clientName: "upbeat"}},
		{"redis:///0", redisTarget{addr: "localhost:6379"}},
	} {
		u, err := neturl.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		got, err := redisTargetOf(u)
		if err != nil || got != tc.want {
			t.Errorf("%s: %+v, %v; want %+v", tc.url, got, err, tc.want)
		}
	}

	const secret = "s3cret"
	for _, tc := range []struct{ url, errHas string }{
		{"redis://:s3cret@127.0.0.1/abc", "the path is not a database number"},
		{"redis://:s3cret@127.0.0.1/-1", "the path is not a database number"},
		{"redis://:s3cret@127.0.0.1/s3cret", "the path is not a database number"},
		{"redis://:s3cret@127.0.0.1/1/2", "more than a database number"},
		{"redis://:s3cret@127.0.0.1?db=s3cret", "db= is not a database number"},
		{"redis://:s3cret@127.0.0.1?timeout=1&foo=s3cret", "unexpected option: foo, timeout"},
	} {
		u, err := neturl.Parse(tc.url)
		if err != nil {
			t.Fatal(err)
		}
		_, err = redisTargetOf(u)
		if err == nil || !strings.Contains(err.Error(), tc.errHas) {
			t.Errorf("%s: error %v, want %q", tc.url, err, tc.errHas)
			continue
		}
		if strings.Contains(err.Error(), secret) || strings.Contains(err.Error(), "127.0.0.1") {
			t.Errorf("%s: the error %q shows the URL or its password", tc.url, err)
		}
	}

	// The check says it as a config error, before it dials.
	m := svcMonitor("redis://:s3cret@127.0.0.1:1/abc", nil)
	r := run(t, New(Options{})[monitor.KindRedis], m, time.Second)
	if r.Class != ClassConfig || !strings.HasPrefix(r.Error, "redis url: ") || strings.Contains(r.Error, secret) {
		t.Errorf("got %s %q, want a config error without the password", r.Class, r.Error)
	}
}

func TestRedisValue(t *testing.T) {
	for _, tc := range []struct {
		reply any
		want  string
		have  bool
	}{
		{"PONG", "PONG", true},
		{[]byte("on call"), "on call", true},
		{int64(-42), "-42", true},
		{nil, "", false},
		{[]any{}, "", false},
		{[]any{[]byte("first"), []byte("second")}, "first", true},
		{[]any{nil, []byte("second")}, "", false},
		{[]any{redis.Error("ERR inside")}, "ERR inside", true},
	} {
		got, have := redisValue(tc.reply)
		if got != tc.want || have != tc.have {
			t.Errorf("redisValue(%#v) = %q, %v; want %q, %v", tc.reply, got, have, tc.want, tc.have)
		}
	}
}

// fakeRedis is a Redis server on loopback that answers each command with
// what answer returns (RESP, without the final CRLF), or not at all for
// "". It records the commands it was sent.
type fakeRedis struct {
	addr string
	mu   sync.Mutex
	got  [][]string
}

func newFakeRedis(t *testing.T, answer func(cmd []string) string) *fakeRedis {
	f := &fakeRedis{}
	f.addr = rawServer(t, func(c net.Conn) {
		r := bufio.NewReader(c)
		for {
			cmd, err := readRESPCommand(r)
			if err != nil {
				return
			}
			f.mu.Lock()
			f.got = append(f.got, cmd)
			f.mu.Unlock()
			if a := answer(cmd); a != "" {
				if _, err := io.WriteString(c, a+"\r\n"); err != nil {
					return
				}
			}
		}
	})
	return f
}

// commands are the commands the server was sent, one string each.
func (f *fakeRedis) commands() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var s []string
	for _, c := range f.got {
		s = append(s, strings.Join(c, " "))
	}
	return s
}

// readRESPCommand reads a command as clients send it: an array of bulk
// strings.
func readRESPCommand(r *bufio.Reader) ([]string, error) {
	n, err := readRESPLen(r, '*')
	if err != nil {
		return nil, err
	}
	cmd := make([]string, n)
	for i := range cmd {
		size, err := readRESPLen(r, '$')
		if err != nil {
			return nil, err
		}
		b := make([]byte, size+2)
		if _, err := io.ReadFull(r, b); err != nil {
			return nil, err
		}
		cmd[i] = string(b[:size])
	}
	return cmd, nil
}

func readRESPLen(r *bufio.Reader, kind byte) (int, error) {
	line, err := r.ReadString('\n')
	if err != nil {
		return 0, err
	}
	if line[0] != kind {
		return 0, fmt.Errorf("not a command: %q", line)
	}
	return strconv.Atoi(strings.TrimRight(line[1:], "\r\n"))
}

// A server from before HELLO (Redis 5) is logged in with AUTH, with the
// user name if the URL has one, and then switched to the URL's database.
func TestRedisLoginFallsBackToAuth(t *testing.T) {
	t.Parallel()
	const pw = "pw-for-auth"
	redis5 := func(cmd []string) string {
		switch cmd[0] {
		case "HELLO":
			return "-ERR unknown command 'HELLO'"
		case "AUTH":
			if cmd[len(cmd)-1] != pw {
				return "-ERR invalid password"
			}
			return "+OK"
		case "SELECT":
			return "+OK"
		case "PING":
			return "+PONG"
		}
		return "-ERR unknown command '" + cmd[0] + "'"
	}
	checker := New(Options{})[monitor.KindRedis]
	for _, tc := range []struct {
		name, path, password string
		class, errHas        string
		want                 []string
	}{
		{name: "password", path: "/2", password: pw,
			want: []string{"HELLO 2 AUTH default " + pw, "AUTH " + pw, "SELECT 2", "PING"}},
		{name: "user and password", path: "/0", password: pw,
			want: []string{"HELLO 2 AUTH alice " + pw, "AUTH alice " + pw, "PING"}},
		{name: "wrong password", path: "/0", password: "not-" + pw, class: ClassRedisAuth, errHas: "invalid password",
			want: []string{"HELLO 2 AUTH default not-" + pw, "AUTH not-" + pw}},
		{name: "no password", path: "/0",
			want: []string{"HELLO 2", "PING"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeRedis(t, redis5)
			user := ""
			if strings.HasPrefix(tc.name, "user") {
				user = "alice@"
			}
			m := svcMonitor("redis://"+user+f.addr+tc.path, func(m *monitor.Monitor) { m.Password = tc.password })
			r := run(t, checker, m, 5*time.Second)
			if r.Class != tc.class || !strings.Contains(r.Error, tc.errHas) {
				t.Errorf("got %s %q, want %q with %q", r.Class, r.Error, tc.class, tc.errHas)
			}
			if tc.class == "" && !hasAnswer(r.Answers, "value PONG") {
				t.Errorf("answers %q", r.Answers)
			}
			if got := f.commands(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("the server was sent %q, want %q", got, tc.want)
			}
		})
	}
}

// Redis 6.0 judges HELLO by the ACL of the user not yet logged in: where
// the default user may run little more than PING, HELLO is refused with
// NOPERM. The check then logs in with AUTH, as go-redis did, instead of
// reporting the server down.
func TestRedisLoginHelloNotPermitted(t *testing.T) {
	t.Parallel()
	const pw = "pw-for-auth"
	redis60 := func(cmd []string) string {
		switch cmd[0] {
		case "HELLO":
			return "-NOPERM this user has no permissions to run the 'hello' command or its subcommand"
		case "AUTH":
			if cmd[len(cmd)-1] != pw {
				return "-WRONGPASS invalid username-password pair"
			}
			return "+OK"
		case "PING":
			return "+PONG"
		}
		return "-NOPERM this user has no permissions to run the '" + cmd[0] + "' command or its subcommand"
	}
	checker := New(Options{})[monitor.KindRedis]
	for _, tc := range []struct {
		name, password string
		want           []string
	}{
		{name: "no password", want: []string{"HELLO 2", "PING"}},
		{name: "password", password: pw, want: []string{"HELLO 2 AUTH default " + pw, "AUTH " + pw, "PING"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeRedis(t, redis60)
			m := svcMonitor("redis://"+f.addr, func(m *monitor.Monitor) { m.Password = tc.password })
			r := run(t, checker, m, 5*time.Second)
			if r.Status != monitor.StatusUp || !hasAnswer(r.Answers, "value PONG") {
				t.Errorf("got %s %s %q, answers %q; want up with PONG", r.Status, r.Class, r.Error, r.Answers)
			}
			if got := f.commands(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("the server was sent %q, want %q", got, tc.want)
			}
		})
	}
}

// HELLO carries the login and the client's name; the monitor's password
// wins over the URL's, and the version comes from HELLO's answer.
func TestRedisLoginWithHello(t *testing.T) {
	t.Parallel()
	f := newFakeRedis(t, func(cmd []string) string {
		switch cmd[0] {
		case "HELLO":
			return "*6\r\n$6\r\nserver\r\n$5\r\nredis\r\n$7\r\nversion\r\n$6\r\n6.2.14\r\n$5\r\nproto\r\n:2"
		case "LLEN":
			return ":42"
		}
		return "-ERR unknown command"
	})
	m := svcMonitor("redis://alice:url-pw@"+f.addr+"/0?client_name=upbeat", func(m *monitor.Monitor) {
		m.Password = "setting-pw"
		m.Query = "LLEN queue"
	})
	r := run(t, New(Options{})[monitor.KindRedis], m, 5*time.Second)
	if r.Status != monitor.StatusUp || !reflect.DeepEqual(r.Answers, []string{"version 6.2.14", "value 42"}) {
		t.Errorf("got %s %q, answers %q", r.Status, r.Error, r.Answers)
	}
	want := []string{"HELLO 2 AUTH alice setting-pw SETNAME upbeat", "LLEN queue"}
	if got := f.commands(); !reflect.DeepEqual(got, want) {
		t.Errorf("the server was sent %q, want %q", got, want)
	}
}

// A check canceled while it waits for the server ends at once, as
// canceled, not at its deadline (an hour away on synctest's clock).
func TestRedisCanceled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		client, server := net.Pipe()
		checker := New(Options{Dialer: pipeDialer{client}})[monitor.KindRedis]
		ctx, cancel := context.WithTimeout(t.Context(), time.Hour)
		defer cancel()
		go func() {
			r := bufio.NewReader(server)
			if _, err := readRESPCommand(r); err == nil { // HELLO, left unanswered
				cancel()
			}
			_, _ = io.Copy(io.Discard, r)
			server.Close()
		}()
		start := time.Now()
		r := checker.Check(ctx, svcMonitor("redis://127.0.0.1:6379", nil))
		if r.Class != ClassCanceled || time.Since(start) >= time.Hour {
			t.Errorf("got %s %q after %v, want %s at once", r.Class, r.Error, time.Since(start), ClassCanceled)
		}
	})
}

// pipeDialer hands out one end of a net.Pipe.
type pipeDialer struct{ c net.Conn }

func (d pipeDialer) DialContext(context.Context, string, string) (net.Conn, error) { return d.c, nil }
