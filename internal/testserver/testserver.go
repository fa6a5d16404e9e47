// Package testserver starts real servers from their Debian packages for
// integration tests: on loopback, in a temporary directory, stopped by
// their PID when the test ends.
//
// A test that needs a server calls Need first. Where the server is not
// installed the test is skipped with the name of the package to install;
// under CI=true (where .ci/run installs every package) it fails instead,
// so that a missing server can never pass unnoticed.
package testserver

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Need returns the path of the first of the candidate programs that is
// installed (a bare name is looked up in PATH and in /usr/sbin, /usr/bin
// and /usr/lib/postgresql/*/bin). When none is, it skips the test naming
// the Debian package pkg, or fails it under CI=true.
func Need(t testing.TB, pkg string, candidates ...string) string {
	t.Helper()
	for _, c := range candidates {
		if p := find(c); p != "" {
			return p
		}
	}
	msg := fmt.Sprintf("%v not installed: apt-get install %s", candidates, pkg)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg + " (CI=true: .ci/run must install it)")
	}
	t.Skip(msg)
	return ""
}

func find(name string) string {
	if filepath.IsAbs(name) {
		if st, err := os.Stat(name); err == nil && !st.IsDir() {
			return name
		}
		return ""
	}
	if p, err := exec.LookPath(name); err == nil {
		return p
	}
	dirs := []string{"/usr/sbin", "/usr/bin", "/sbin"}
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin"); len(m) > 0 {
		dirs = append(dirs, m[len(m)-1])
	}
	for _, d := range dirs {
		p := filepath.Join(d, name)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// Port returns a TCP port on 127.0.0.1 that was free a moment ago, below
// the ephemeral range where it can (see port.go).
func Port(t testing.TB) int {
	t.Helper()
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// Addr is 127.0.0.1:port.
func Addr(port int) string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(port)) }

// Process is a server a test started.
type Process struct {
	Name string
	Dir  string // the server's temporary directory
	Cmd  *exec.Cmd

	mu     sync.Mutex
	out    bytes.Buffer
	exited chan struct{}
	err    error
}

// Options adjust Start.
type Options struct {
	// Dir is the directory the server runs in; "" makes a new one under
	// t.TempDir().
	Dir string
	// User runs the server as this unprivileged account ("nobody") when
	// the test runs as root: some servers refuse to run as root. The
	// server's directory is handed to it.
	User string
	// StopSignal ends the server (default SIGTERM); SIGKILL follows after
	// 10 s.
	StopSignal syscall.Signal
}

// Start runs a server in the foreground (it must not detach) and stops it
// by its PID when the test ends. Its output is kept for failure messages.
func Start(t testing.TB, name string, o Options, path string, args ...string) *Process {
	t.Helper()
	dir := o.Dir
	if dir == "" {
		dir = t.TempDir()
	}
	p := &Process{Name: name, Dir: dir, exited: make(chan struct{})}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = (*lockedWriter)(p), (*lockedWriter)(p)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if o.User != "" && os.Geteuid() == 0 {
		uid, gid := lookupUser(t, o.User)
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uid, Gid: gid}
		chownAll(t, dir, int(uid), int(gid))
	}
	p.Cmd = cmd
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", name, err)
	}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.exited)
	}()
	sig := o.StopSignal
	if sig == 0 {
		sig = syscall.SIGTERM
	}
	t.Cleanup(func() { p.stop(t, sig) })
	return p
}

// PID is the server's process id.
func (p *Process) PID() int { return p.Cmd.Process.Pid }

// Output is what the server printed so far.
func (p *Process) Output() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Exited is closed when the server's process has ended.
func (p *Process) Exited() <-chan struct{} { return p.exited }

// WaitTCP waits until addr accepts connections, failing the test (with
// the server's output) if the server exits first or 30 s pass.
func (p *Process) WaitTCP(t testing.TB, addr string) {
	t.Helper()
	p.WaitFor(t, "a listener on "+addr, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

// WaitFor polls ready until it is true, failing the test (with the
// server's output) if the server exits first or 30 s pass. Servers say
// they are ready in no way a test can wait on, so this polls, backing off
// from 5 ms.
func (p *Process) WaitFor(t testing.TB, what string, ready func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	wait := 5 * time.Millisecond
	for !ready() {
		select {
		case <-p.exited:
			t.Fatalf("%s exited before %s: %v\n%s", p.Name, what, p.err, p.Output())
		case <-time.After(wait):
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no %s after 30 s\n%s", p.Name, what, p.Output())
		}
		wait = min(wait*2, 200*time.Millisecond)
	}
}

// Signal sends sig to the server's process group.
func (p *Process) Signal(sig syscall.Signal) error {
	return syscall.Kill(-p.PID(), sig)
}

// Stop ends the server now and waits for it.
func (p *Process) Stop(t testing.TB) { p.stop(t, syscall.SIGTERM) }

func (p *Process) stop(t testing.TB, sig syscall.Signal) {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.Signal(sig)
	select {
	case <-p.exited:
	case <-time.After(10 * time.Second):
		_ = p.Signal(syscall.SIGKILL)
		<-p.exited
		t.Logf("%s (pid %d) ignored %v for 10 s and was killed", p.Name, p.PID(), sig)
	}
}

type lockedWriter Process

func (w *lockedWriter) Write(b []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.out.Len() > 1<<20 {
		return len(b), nil // enough to say what went wrong
	}
	return w.out.Write(b)
}

// Run runs a command (a client tool such as promtool or initdb) and
// returns its combined output; the test fails if it does not exit 0.
func Run(t testing.TB, dir string, path string, args ...string) string {
	t.Helper()
	out, err := RunErr(dir, path, args...)
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", filepath.Base(path), args, err, out)
	}
	return out
}

// RunErr is Run that returns the error instead of failing.
func RunErr(dir string, path string, args ...string) (string, error) {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = fmt.Errorf("exit %d", ee.ExitCode())
	}
	return string(out), err
}
