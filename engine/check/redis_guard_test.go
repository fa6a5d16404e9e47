package check

import (
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// A reply that announces more than max_body, more elements or deeper
// arrays than upbeat reads, or that is not RESP at all, is refused
// before redigo allocates what it announces: "$100000000000000000"
// panicked in make, "*100000000000" was a fatal out-of-memory. A reply
// within the limits still goes through.
func TestRedisHostileReply(t *testing.T) {
	t.Parallel()
	checker := New(Options{})[monitor.KindRedis]
	for _, tc := range []struct {
		name, hello string
		maxBody     int64
		class       string
		errHas      string
	}{
		{name: "bulk of 1e17 bytes", hello: "$100000000000000000", class: ClassRedisBadReply, errHas: "larger than max_body (1048576 bytes)"},
		{name: "length past int64", hello: "$100000000000000000000", class: ClassRedisBadReply, errHas: "larger than max_body"},
		{name: "bulk of MaxInt64 bytes", hello: "$9223372036854775807", class: ClassRedisBadReply, errHas: "larger than max_body"},
		{name: "array of MaxInt64 elements, nested", hello: "*2\r\n*9223372036854775807", class: ClassRedisBadReply, errHas: "elements"},
		{name: "array of 1e11 elements", hello: "*100000000000", class: ClassRedisBadReply, errHas: "more than 1048576 elements"},
		{name: "arrays of 1e6 elements, nested", hello: "*1000000\r\n*1000000", class: ClassRedisBadReply, errHas: "elements"},
		{name: "arrays 100 deep", hello: strings.Repeat("*1\r\n", 100) + ":1", class: ClassRedisBadReply, errHas: "32 deep"},
		{name: "bulk just over max_body", hello: "$1024\r\n" + strings.Repeat("x", 1024), maxBody: 1024,
			class: ClassRedisBadReply, errHas: "larger than max_body (1024 bytes)"},
		{name: "a status line longer than max_body", hello: "+" + strings.Repeat("x", 2000), maxBody: 1024,
			class: ClassRedisBadReply, errHas: "larger than max_body"},
		{name: "bulk not ended by CRLF", hello: "$2\r\nabcd", class: ClassRedisBadReply, errHas: `not Redis's protocol (RESP): "cd"`},
		{name: "bulk followed by a long line", hello: "$2\r\nab" + strings.Repeat("y", 40), class: ClassRedisBadReply, errHas: `"yyyy`},
		{name: "bulk within max_body", hello: "$1000\r\n" + strings.Repeat("x", 1000), maxBody: 1024},
		{name: "nested arrays within the limits", hello: "*2\r\n*2\r\n$1\r\na\r\n*0\r\n*-1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFakeRedis(t, func(cmd []string) string {
				if cmd[0] == "HELLO" {
					return tc.hello
				}
				return "+PONG"
			})
			m := svcMonitor("redis://"+f.addr, func(m *monitor.Monitor) { m.MaxBody = tc.maxBody })
			r := run(t, checker, m, 2*time.Second)
			if tc.class == "" {
				if r.Status != monitor.StatusUp || !hasAnswer(r.Answers, "value PONG") {
					t.Errorf("got %s %s %q, answers %q; want up with PONG", r.Status, r.Class, r.Error, r.Answers)
				}
				return
			}
			if r.Status != monitor.StatusDown || r.Class != tc.class || !strings.Contains(r.Error, tc.errHas) {
				t.Errorf("got %s %s %q, want down %s with %q", r.Status, r.Class, r.Error, tc.class, tc.errHas)
			}
		})
	}
}

// A bulk string of 2 GB announced, and never sent, costs the check
// nothing near 2 GB: redigo allocated it whole before reading a byte.
func TestRedisAnnouncedBulkNotAllocated(t *testing.T) {
	f := newFakeRedis(t, func([]string) string { return "$2000000000" })
	checker := New(Options{})[monitor.KindRedis]
	m := svcMonitor("redis://"+f.addr, nil)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	r := run(t, checker, m, 300*time.Millisecond)
	runtime.ReadMemStats(&after)
	if r.Class != ClassRedisBadReply {
		t.Errorf("got %s %q, want %s", r.Class, r.Error, ClassRedisBadReply)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 64<<20 {
		t.Errorf("the check allocated %d MB for a reply announcing 2000 MB", got>>20)
	}
}

// A port where something else answers, an HTTP server here, is told in
// plain words, quoting what it said, not as redigo's "unexpected response
// line (possible server error or unsupported concurrent read by
// application)", which reads as a bug of upbeat's.
func TestRedisNotRedis(t *testing.T) {
	t.Parallel()
	f := newFakeRedis(t, func([]string) string {
		return "HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"
	})
	r := run(t, New(Options{})[monitor.KindRedis], svcMonitor("redis://"+f.addr, nil), 2*time.Second)
	want := `the server's answer is not Redis's protocol (RESP): "HTTP/1.1 400 Bad Request"`
	if r.Status != monitor.StatusDown || r.Class != ClassRedisBadReply || r.Error != want {
		t.Errorf("got %s %s %q, want down %s %q", r.Status, r.Class, r.Error, ClassRedisBadReply, want)
	}
}
