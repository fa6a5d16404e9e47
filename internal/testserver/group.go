package testserver

import (
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"time"
)

// Group holds servers that the tests of one package share: the first test
// that needs a server starts it (see Once), the others reuse it, and
// TestMain stops them all by their PIDs after the last test:
//
//	var servers testserver.Group
//
//	func TestMain(m *testing.M) {
//		testmain.SkipRaceExitSleep()
//		code := m.Run()
//		servers.Close()
//		testmain.Exit(code)
//	}
//
// Its methods report errors instead of failing a test, because a server
// shared by many tests must not be bound to the first one's lifetime.
type Group struct {
	mu    sync.Mutex
	procs []*Process
	dirs  []string
	once  map[string]*onceEntry
}

type onceEntry struct {
	done chan struct{}
	v    any
	err  error
}

// Once runs start the first time name is asked for and hands every caller
// its value and error. Callers that come while it runs wait for it.
func (g *Group) Once(name string, start func() (any, error)) (any, error) {
	g.mu.Lock()
	if g.once == nil {
		g.once = map[string]*onceEntry{}
	}
	e, ok := g.once[name]
	if !ok {
		e = &onceEntry{done: make(chan struct{})}
		g.once[name] = e
	}
	g.mu.Unlock()
	if !ok {
		e.v, e.err = start()
		close(e.done)
	}
	<-e.done
	return e.v, e.err
}

// TempDir makes a directory that Close removes.
func (g *Group) TempDir(name string) (string, error) {
	dir, err := os.MkdirTemp("", "upbeat-"+name+"-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		return "", err
	}
	g.mu.Lock()
	g.dirs = append(g.dirs, dir)
	g.mu.Unlock()
	return dir, nil
}

// Start runs a server in the foreground in dir, as Start does, and keeps
// it until Close. o.Dir is ignored; o.User's account is given dir.
func (g *Group) Start(name, dir string, o Options, path string, args ...string) (*Process, error) {
	p := &Process{Name: name, Dir: dir, exited: make(chan struct{})}
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = (*lockedWriter)(p), (*lockedWriter)(p)
	// Pdeathsig: a test binary that dies (a panic skips TestMain's Close)
	// takes its servers with it instead of leaving them running.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
	if o.User != "" && os.Geteuid() == 0 {
		uid, gid, err := userIDs(o.User)
		if err != nil {
			return nil, err
		}
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: uid, Gid: gid}
		if err := GiveTo(dir, o.User); err != nil {
			return nil, err
		}
	}
	p.Cmd = cmd
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(p.exited)
	}()
	g.mu.Lock()
	g.procs = append(g.procs, p)
	g.mu.Unlock()
	return p, nil
}

// Close stops every server of the group by its PID (SIGTERM, then SIGKILL
// after 10 s) and removes the group's directories.
func (g *Group) Close() {
	g.mu.Lock()
	procs, dirs := g.procs, g.dirs
	g.procs, g.dirs = nil, nil
	g.mu.Unlock()
	for _, p := range procs {
		select {
		case <-p.exited:
			continue
		default:
		}
		_ = p.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.Signal(syscall.SIGKILL)
			<-p.exited
		}
	}
	for _, d := range dirs {
		_ = os.RemoveAll(d)
	}
}

// WaitTCPErr waits until addr accepts connections, as WaitTCP does, and
// returns an error (with the server's output) instead of failing a test.
func (p *Process) WaitTCPErr(addr string) error {
	return p.WaitForErr("a listener on "+addr, func() bool {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err != nil {
			return false
		}
		c.Close()
		return true
	})
}

// WaitForErr is WaitFor returning an error instead of failing a test.
func (p *Process) WaitForErr(what string, ready func() bool) error {
	deadline := time.Now().Add(30 * time.Second)
	wait := 5 * time.Millisecond
	for !ready() {
		select {
		case <-p.exited:
			p.mu.Lock()
			err := p.err
			p.mu.Unlock()
			return fmt.Errorf("%s exited before %s: %v\n%s", p.Name, what, err, p.Output())
		case <-time.After(wait):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s: no %s after 30 s\n%s", p.Name, what, p.Output())
		}
		wait = min(wait*2, 200*time.Millisecond)
	}
	return nil
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago,
// below the ephemeral range where it can (see port.go).
func FreePort() (int, error) { return freePort() }

// Find returns the path of the first candidate program that is installed,
// looked up as Need does, or "".
func Find(candidates ...string) string {
	for _, c := range candidates {
		if p := find(c); p != "" {
			return p
		}
	}
	return ""
}

// RunAs runs a command as the named account when the test runs as root
// (as Run does otherwise) and returns its combined output.
func RunAs(name, dir, path string, args ...string) (string, error) {
	cmd := exec.Command(path, args...)
	cmd.Dir = dir
	if os.Geteuid() == 0 && name != "" {
		uid, gid, err := userIDs(name)
		if err != nil {
			return "", err
		}
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		err = fmt.Errorf("%s: exit %d", filepath.Base(path), ee.ExitCode())
	}
	return string(out), err
}

// GiveTo hands path (a file or a directory tree) to the named account when
// the test runs as root, and makes the directories above it searchable.
func GiveTo(path, name string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, gid, err := userIDs(name)
	if err != nil {
		return err
	}
	err = filepath.WalkDir(path, func(p string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Lchown(p, int(uid), int(gid))
	})
	if err != nil {
		return fmt.Errorf("chown %s: %w", path, err)
	}
	for d := filepath.Dir(path); d != "/" && d != "."; d = filepath.Dir(d) {
		st, err := os.Stat(d)
		if err != nil {
			break
		}
		if st.Mode().Perm()&0o001 == 0 {
			_ = os.Chmod(d, st.Mode().Perm()|0o001)
		}
	}
	return nil
}

func userIDs(name string) (uid, gid uint32, err error) {
	u, err := user.Lookup(name)
	if err != nil {
		return 0, 0, fmt.Errorf("user %s: %w", name, err)
	}
	id, _ := strconv.Atoi(u.Uid)
	g, _ := strconv.Atoi(u.Gid)
	return uint32(id), uint32(g), nil
}
