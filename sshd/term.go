package sshd

import (
	"bytes"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/ssh"
	"github.com/muesli/termenv"
)

// QueryTimeout is how long a session waits for the terminal to say its
// background colour before assuming a dark one.
const QueryTimeout = 500 * time.Millisecond

// Wish's MakeRenderer asks the terminal for its background colour and
// reads the answer straight from the session: where the terminal never
// answers, the read cannot be cancelled and the session shows nothing
// until a key is pressed (and that key is lost). Here the session's
// input goes through a relay instead: the query's answers are taken out
// of it, anything else (keys typed meanwhile) is passed on to the
// program, and the wait is bounded by QueryTimeout.

// The answers' patterns, compiled when a session first needs them (not
// at start-up: most commands never serve SSH).
var (
	oscBG = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`\x1b\]11;rgb:([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})/([0-9a-fA-F]{1,4})(?:\x07|\x1b\\)`)
	})
	da1 = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`\x1b\[\?[0-9;]*c`) })
)

// sessionTerm returns the renderer for sess's terminal and the input the
// program must read instead of sess; the relay ends with the session. The
// background query is only made on a pty with a real TERM; elsewhere the
// renderer has no colours.
func sessionTerm(sess ssh.Session) (*lipgloss.Renderer, io.Reader) {
	pty, _, ok := sess.Pty()
	if !ok || pty.Term == "" || pty.Term == "dumb" {
		return lipgloss.NewRenderer(sess, termenv.WithProfile(termenv.Ascii)), sess
	}
	env := sshEnviron(append(sess.Environ(), "TERM="+pty.Term))
	r := lipgloss.NewRenderer(sess, termenv.WithEnvironment(env), termenv.WithUnsafe(), termenv.WithColorCache(true))
	in, dark := relay(sess, sess, QueryTimeout)
	go func() {
		<-sess.Context().Done()
		in.Close()
	}()
	r.SetHasDarkBackground(dark) // set either way, so lipgloss never asks again
	return r, in
}

// relay writes the background query to out, reads in until the answer
// (or the timeout), and returns a reader of everything else in the input.
func relay(in io.Reader, out io.Writer, timeout time.Duration) (*io.PipeReader, bool) {
	pr, pw := io.Pipe()
	// OSC 11 asks for the background; DA1, which every terminal answers,
	// marks the end of the answers.
	if _, err := io.WriteString(out, "\x1b]11;?\x07\x1b[c"); err != nil {
		pw.CloseWithError(err)
		return pr, true
	}
	result := make(chan bool, 1)
	var (
		mu      sync.Mutex // orders writes to pw between the reader and the timer
		pending bytes.Buffer
		decided bool
	)
	// decide ends the wait; called with mu held.
	decide := func(dark bool) {
		decided = true
		result <- dark
		if rest := removeAnswers(pending.Bytes()); len(rest) > 0 {
			pw.Write(rest)
		}
		pending.Reset()
	}
	timer := time.AfterFunc(timeout, func() {
		mu.Lock()
		defer mu.Unlock()
		if !decided {
			decide(true)
		}
	})
	go func() {
		defer timer.Stop()
		buf := make([]byte, 4096)
		for {
			n, err := in.Read(buf)
			mu.Lock()
			switch {
			case n > 0 && decided:
				if _, werr := pw.Write(buf[:n]); werr != nil {
					mu.Unlock()
					return
				}
			case n > 0:
				pending.Write(buf[:n])
				b := pending.Bytes()
				if loc := da1().FindIndex(b); loc != nil {
					dark := true
					if m := oscBG().FindSubmatch(b[:loc[0]]); m != nil {
						dark = isDark(string(m[1]), string(m[2]), string(m[3]))
					}
					decide(dark)
				}
			}
			if err != nil {
				if !decided {
					decide(true)
				}
				pw.CloseWithError(err)
				mu.Unlock()
				return
			}
			mu.Unlock()
		}
	}()
	return pr, <-result
}

func removeAnswers(b []byte) []byte {
	b = oscBG().ReplaceAll(b, nil)
	return da1().ReplaceAll(b, nil)
}

// isDark tells whether an rgb:R/G/B colour (1 to 4 hex digits each) is
// dark, by its relative luminance.
func isDark(r, g, b string) bool {
	f := func(h string) float64 {
		v, _ := strconv.ParseUint(h, 16, 32)
		return float64(v) / float64(uint64(1)<<(4*len(h))-1)
	}
	return 0.2126*f(r)+0.7152*f(g)+0.0722*f(b) < 0.5
}

// sshEnviron gives termenv the session's environment.
type sshEnviron []string

// Environ implements termenv.Environ.
func (e sshEnviron) Environ() []string { return e }

// Getenv implements termenv.Environ.
func (e sshEnviron) Getenv(k string) string {
	for _, v := range e {
		if rest, ok := strings.CutPrefix(v, k+"="); ok {
			return rest
		}
	}
	return ""
}
