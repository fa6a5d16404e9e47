package check

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/upbeat-monitor/upbeat/engine"
)

// respGuard stands between redigo and the connection. redigo allocates
// the length a reply announces, a bulk string's ($N) or an array's (*N),
// before it reads a byte of it: "$100000000000000000" panics, a few GB
// is a fatal out-of-memory, and neither is a thing a monitor may let the
// target it watches do to it. The guard follows the replies (RESP2) as
// their bytes pass and fails the read, before redigo sees the length,
// when a reply would be larger than max_body, announces too many
// elements or nests too deep, or is not RESP at all.
type respGuard struct {
	net.Conn
	limit    int64   // bytes of one reply, framing included: max_body
	kind     byte    // the type byte of the line being read; 0 at an element's start
	line     []byte  // what follows the type byte of a $ or * line (its length)
	bulk     int64   // bytes of a bulk string still to pass
	open     []int64 // elements still due in each open array, innermost last
	size     int64   // bytes of the reply so far
	elements int64   // elements the reply's arrays announced
	err      error   // the first refusal, for every later read
}

const (
	respMaxElements = 1 << 20 // elements announced in one reply: 16 MiB of redigo's slices
	respMaxDepth    = 32      // arrays inside one another (Redis's deepest reply has a few)
	respMaxLength   = 32      // bytes of a length line kept: int64 has 19 digits, a longer number is too large
	respBulkEnd     = '\r'    // kind: the CRLF after a bulk string's bytes
)

// redisReplyError is a reply the guard refused.
type redisReplyError struct{ msg string }

func (e *redisReplyError) Error() string { return e.msg }

func newRESPGuard(conn net.Conn, limit int64) *respGuard {
	return &respGuard{Conn: conn, limit: limit}
}

func (g *respGuard) Read(b []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.Conn.Read(b)
	if g.err = g.scan(b[:n]); g.err != nil {
		return 0, g.err // none of this chunk reaches redigo
	}
	return n, err
}

// scan follows b, the next bytes from the server.
func (g *respGuard) scan(b []byte) error {
	for len(b) > 0 {
		if g.bulk > 0 { // a bulk string's bytes: their number is all that matters
			k := min(g.bulk, int64(len(b)))
			g.bulk -= k
			g.size += k
			b = b[k:]
			if g.bulk == 0 {
				g.kind = respBulkEnd
			}
			continue
		}
		c := b[0]
		b = b[1:]
		if g.size++; g.size > g.limit {
			return g.tooLarge()
		}
		switch {
		case g.kind == 0:
			if strings.IndexByte("+-:$*", c) < 0 {
				return notRESP(append([]byte{c}, b[:min(len(b), 200)]...))
			}
			g.kind = c
		case c == '\n':
			if err := g.endLine(); err != nil {
				return err
			}
		case g.kind == '$' || g.kind == '*' || g.kind == respBulkEnd:
			if len(g.line) > respMaxLength && g.kind == respBulkEnd {
				return notRESP(g.line)
			}
			if len(g.line) > respMaxLength {
				return notRESP(append([]byte{g.kind}, g.line...))
			}
			g.line = append(g.line, c)
		}
	}
	return nil
}

// endLine judges a line that just ended: a length, or the end of a
// simple string, error, integer or bulk string.
func (g *respGuard) endLine() error {
	kind, text := g.kind, string(bytes.TrimSuffix(g.line, []byte("\r")))
	g.kind, g.line = 0, g.line[:0]
	switch kind {
	case '$', '*':
	case respBulkEnd:
		if text != "" {
			return notRESP([]byte(text))
		}
		g.endElement()
		return nil
	default:
		g.endElement()
		return nil
	}
	n, err := strconv.ParseInt(text, 10, 64)
	switch {
	case errors.Is(err, strconv.ErrRange):
		return g.tooLarge()
	case err != nil:
		return notRESP(append([]byte{kind}, text...))
	case n < 0: // $-1, *-1: nil
		g.endElement()
	case kind == '$':
		if n > g.limit-g.size-2 { // not g.size+n+2: n may be near MaxInt64
			return g.tooLarge()
		}
		g.bulk = n
		if n == 0 {
			g.kind = respBulkEnd
		}
	case n == 0:
		g.endElement()
	default:
		if g.elements += min(n, respMaxElements+1); g.elements > respMaxElements { // min: no overflow
			return &redisReplyError{fmt.Sprintf("the server's reply announces more than %d elements; upbeat reads no more", respMaxElements)}
		}
		if len(g.open) == respMaxDepth {
			return &redisReplyError{fmt.Sprintf("the server's reply nests arrays more than %d deep; upbeat reads no deeper", respMaxDepth)}
		}
		g.open = append(g.open, n)
	}
	return nil
}

// endElement counts an element done, and the arrays it completes; when
// none is open, the reply is whole and the next one starts afresh.
func (g *respGuard) endElement() {
	for len(g.open) > 0 {
		last := len(g.open) - 1
		if g.open[last]--; g.open[last] > 0 {
			return
		}
		g.open = g.open[:last]
	}
	g.size, g.elements = 0, 0
}

func (g *respGuard) tooLarge() error {
	return &redisReplyError{fmt.Sprintf("the server's reply is larger than max_body (%d bytes); upbeat reads no more of it", g.limit)}
}

// notRESP is the refusal of an answer that is not Redis's protocol,
// quoting the start of its line: an HTTP server's status line, an SSH
// banner, ….
func notRESP(b []byte) error {
	if i := bytes.IndexAny(b, "\r\n"); i >= 0 {
		b = b[:i]
	}
	shown := engine.Sanitize(string(b[:min(len(b), 200)]), 60)
	return &redisReplyError{fmt.Sprintf("the server's answer is not Redis's protocol (RESP): %q", shown)}
}
