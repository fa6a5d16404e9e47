//go:build linux && (amd64 || arm64)

// Package atonce answers `upbeat --version`, and `upbeat status` in its
// usual forms, in the first package init of the upbeat binary, and exits.
//
// Go initialises, among the packages whose imports are ready, the one
// whose import path sorts first (Go 1.21 and later). A package that
// imports even os waits for os's dependencies, and meanwhile every other
// package that is ready and sorts before them goes first: ~75 inits,
// several milliseconds, before quickversion could answer. This package
// imports nothing but packages that import nothing (bare, buildinfo,
// tomlscan), so Go runs it second, after a package of the crypto library's
// with nothing to do. It reads its arguments and environment from /proc
// and speaks to the kernel through system calls (syscall.Syscall6, by the
// linkname the syscall package keeps for that).
//
// What it is not sure to answer as the full command would, it leaves to
// quickstatus (and that to package main), within the same time budget
// (Left). Of `upbeat status` it answers:
//   - with at most one of --tmux, --prompt and --json, and --config;
//   - when no config is found: from the default sockets, as the full
//     command does, and with nothing when no daemon answers;
//   - when a config is found: from the socket its [api] table names, read
//     without a TOML parser (tomlscan.APISocket), and only when the
//     daemon there says it runs a config of the very same text (the
//     Upbeat-Config-Stamp header, a hash of it), which proves the text
//     parses: a config that does not would make the full command ask the
//     default sockets instead.
//
// It asks GET /api/v1/summary?format=…, so the daemon writes the line
// (statusline.Write) and this package only copies it out, when the
// daemon's version of the line (statusline.LineVersion) is its own. A
// daemon too old to know the format answers JSON, which quickstatus reads.
package atonce

import (
	"unsafe"

	"early.upbeat.invalid/bare"
	"early.upbeat.invalid/buildinfo"
	"early.upbeat.invalid/tomlscan"
)

// syscall6 is syscall.Syscall6; its errno is a syscall.Errno.
//
//go:linkname syscall6 syscall.Syscall6
func syscall6(trap, a1, a2, a3, a4, a5, a6 uintptr) (r1, r2, errno uintptr)

func init() {
	args, _ := procStrings("/proc/self/cmdline")
	if len(args) < 2 {
		return
	}
	switch args[1] {
	case "-version", "--version", "version":
		// As main's run answers them: whatever follows is ignored.
		writeOut("upbeat " + buildinfo.String() + "\n")
		exit(0)
	case "status":
		env, ok := procStrings("/proc/self/environ")
		if !ok {
			return // an environment too large to read here: the paths after this one read it
		}
		if out, ok := status(args[2:], env); ok {
			writeOut(out)
			exit(0)
		}
	}
}

// procStrings reads a file of NUL-terminated strings: the command line
// and the environment the process started with, as os.Args and
// os.Environ hold them before anyone changes them. false when it cannot
// be read whole (no /proc, or more than 1 MiB): the paths after this
// package answer then.
func procStrings(name string) ([]string, bool) {
	data, ok := readFile(name, 1<<20)
	if !ok {
		return nil, false
	}
	var out []string
	for start, i := 0, 0; i < len(data); i++ {
		if data[i] == 0 {
			out = append(out, string(data[start:i]))
			start = i + 1
		}
	}
	return out, true
}

// status is `upbeat status` with args (what follows "status"): what it
// prints, or false when it is not sure to answer as the full command.
func status(args, env []string) (string, bool) {
	format, explicit, ok := statusArgs(args)
	if !ok {
		return "", false
	}
	deadline = nanotime() + Timeout
	sockets, stamp, ok := localSockets(explicit, env)
	if !ok {
		return "", false
	}
	for _, sock := range sockets {
		out, a := ask(sock, format, stamp, deadline)
		switch a {
		case answered:
			return out, true
		case unsure:
			return "", false
		}
	}
	// No daemon answered. Without a config the full command prints
	// nothing too; with one, nothing here has checked its reading of it.
	return "", stamp == ""
}

// statusArgs reads the arguments this package answers, as the flag
// package takes them: at most one mode, a config file at most once.
func statusArgs(args []string) (format, config string, ok bool) {
	format = "plain"
	modes := 0
	for i := 0; i < len(args); i++ {
		switch a := args[i]; a {
		case "--tmux", "-tmux":
			format, modes = "tmux", modes+1
		case "--prompt", "-prompt":
			format, modes = "prompt", modes+1
		case "--json", "-json":
			format, modes = "json", modes+1
		case "--config", "-config":
			if i+1 == len(args) || config != "" || args[i+1] == "" {
				return "", "", false
			}
			i++
			config = args[i]
		default:
			var v string
			switch {
			case bare.HasPrefix(a, "--config="):
				v = a[len("--config="):]
			case bare.HasPrefix(a, "-config="):
				v = a[len("-config="):]
			default:
				return "", "", false
			}
			if config != "" || v == "" {
				return "", "", false
			}
			config = v
		}
	}
	return format, config, modes <= 1
}

// localSockets are the sockets status asks, as statusline's quick path
// finds them, and the stamp of the config they come from ("" when no
// config was found); false when the config cannot be read here.
func localSockets(explicit string, env []string) (sockets []string, stamp string, ok bool) {
	home := bare.Getenv(env, "HOME")
	def := defaultSocket(env)
	defaults := []string{def, systemSocket}
	file := explicit
	if file == "" {
		var found bool
		if file, found = findConfig(env, home); !found {
			return nil, "", false
		}
	}
	if file == "" {
		return defaults, "", true
	}
	p, stamp, ok := configSocket(file)
	switch {
	case !ok:
		return nil, "", false
	case p == "":
		p = def
	case bare.Index(p, "$") >= 0:
		return nil, "", false // ${VAR}: the full command's to expand
	default:
		p = resolve(p, bare.Dir(file), home)
	}
	if p == def {
		return defaults, stamp, true
	}
	return []string{p}, stamp, true
}

// systemSocket is paths.SystemSocket.
const systemSocket = "/run/upbeat/upbeat.sock"

// defaultSocket is paths.DefaultSocket.
func defaultSocket(env []string) string {
	if dir := bare.Getenv(env, "XDG_RUNTIME_DIR"); bare.HasPrefix(dir, "/") {
		return bare.Join(dir, "upbeat.sock")
	}
	tmp := bare.Getenv(env, "TMPDIR")
	if tmp == "" {
		tmp = "/tmp"
	}
	uid, _, _ := syscall6(sysGetuid, 0, 0, 0, 0, 0, 0)
	return bare.Join(bare.Join(tmp, "upbeat-"+bare.Itoa(int(uid))), "upbeat.sock")
}

// findConfig is paths.FindConfig: the first of ./upbeat.toml and the XDG
// config that is a regular file, "" for none; false when one could not be
// looked at.
func findConfig(env []string, home string) (string, bool) {
	candidates := []string{"upbeat.toml"}
	dir := bare.Getenv(env, "XDG_CONFIG_HOME")
	switch {
	case bare.HasPrefix(dir, "/"):
	case home != "":
		dir = bare.Join(home, ".config")
	default:
		dir = ""
	}
	if dir != "" {
		candidates = append(candidates, bare.Join(bare.Join(dir, "upbeat"), "config.toml"))
	}
	for _, p := range candidates {
		var st stat
		switch errno := st.at(p); {
		case errno == 0 && st.regular():
			return p, true
		case errno != 0 && errno != enoent:
			return "", false
		}
	}
	return "", true
}

// resolve is paths.Resolve for a path that is not "".
func resolve(p, dir, home string) string {
	switch {
	case (p == "~" || bare.HasPrefix(p, "~/")) && home != "":
		return bare.Join(home, p[1:])
	case bare.HasPrefix(p, "/"):
		return bare.Clean(p)
	}
	return bare.Join(dir, p)
}

// configSocket reads the [api] socket of the config in file ("" when it
// sets none), and the stamp of its text, or reports false: for a file
// that is not a regular one (a pipe can be read only once, and the full
// command must read it), too large or too deeply nested, or whose socket
// tomlscan.APISocket does not read.
func configSocket(file string) (socket, stamp string, ok bool) {
	data, ok := readFile(file, tomlscan.MaxSize)
	if !ok {
		return "", "", false
	}
	if line, _ := tomlscan.Nesting(data, tomlscan.MaxDepth, tomlscan.MaxNesting); line > 0 {
		return "", "", false
	}
	switch p, what := tomlscan.APISocket(data); what {
	case tomlscan.NoSocket:
		return "", bare.Stamp(data), true
	case tomlscan.SocketSet:
		if p == "" {
			return "", "", false
		}
		return p, bare.Stamp(data), true
	}
	return "", "", false
}

// readFile reads the regular file name whole, when it holds at most max
// bytes; false for anything else. It looks before it opens, and does not
// wait on the open: opening a FIFO waits for a writer.
func readFile(name string, max int) ([]byte, bool) {
	var st stat
	if st.at(name) != 0 || !st.regular() || st.size() < 0 || st.size() > max {
		return nil, false
	}
	fd, errno := open(name, oRdonly|oNonblock|oCloexec)
	if errno != 0 {
		return nil, false
	}
	defer closeFD(fd)
	if st.fd(fd) != 0 || !st.regular() || st.size() < 0 || st.size() > max {
		return nil, false
	}
	data := make([]byte, 0, st.size()+1)
	if st.size() == 0 {
		data = make([]byte, 0, 8<<10) // a file of /proc says no size: read it in a few calls
	}
	for len(data) <= max {
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
		n, errno := read(fd, data[len(data):cap(data)])
		if errno == eintr {
			continue
		}
		if errno != 0 {
			return nil, false
		}
		if n == 0 {
			return data, true
		}
		data = data[:len(data)+n]
	}
	return nil, false
}

// answer is what came of asking one socket.
type answer int

const (
	answered   answer = iota
	unanswered        // nobody there, too slow, or an error status: ask the next socket
	unsure            // a reply the full command must read
)

// ask asks the daemon on sock for its summary written in format; when
// stamp is not "", the daemon must be running a config of that stamp.
func ask(sock, format, stamp string, deadline int64) (string, answer) {
	if nanotime() >= deadline || sock == "" || len(sock) > maxSocket {
		return "", unanswered
	}
	if sock[0] == '@' {
		return "", unsure // Linux's abstract namespace: left to the full command
	}
	fd, errno := dial(sock)
	if errno != 0 {
		return "", unanswered
	}
	defer closeFD(fd)
	req := "GET /api/v1/summary?format=" + format + " HTTP/1.0\r\nHost: upbeat\r\n\r\n"
	for req != "" {
		if setTimeout(fd, soSndtimeo, deadline) != 0 {
			return "", unanswered
		}
		n, errno := write(fd, req)
		if errno == eintr {
			continue
		}
		if errno != 0 {
			return "", unanswered
		}
		req = req[n:]
	}
	rp, a := readReply(fd, deadline)
	if a != answered {
		return "", a
	}
	return rp.printed(format, stamp)
}

// reply is an HTTP/1.x reply as read.
type reply struct {
	status  string            // "200"
	headers map[string]string // by lower-case name
	body    string
	length  int // Content-Length, or -1
}

// readReply reads a reply to the end of the connection, or to the end of
// the body its head gives the length of. Nothing read before the deadline
// or the end is no answer; a reply that is read but not whole, too large,
// or not HTTP as this package reads it is the full command's to judge.
func readReply(fd int, deadline int64) (*reply, answer) {
	buf := make([]byte, 0, 16<<10)
	var rp *reply
	for rp == nil || rp.length < 0 || len(buf) < rp.length {
		if len(buf) == cap(buf) {
			if len(buf) >= MaxReply {
				return nil, unsure
			}
			buf = append(buf, 0)[:len(buf)]
		}
		if setTimeout(fd, soRcvtimeo, deadline) != 0 {
			return nil, unanswered
		}
		n, errno := read(fd, buf[len(buf):cap(buf)])
		switch {
		case errno == eintr:
			continue
		case errno != 0 && rp == nil && len(buf) == 0:
			return nil, unanswered // the deadline passed (EAGAIN) with nothing said
		case errno != 0:
			return nil, unsure // the deadline passed in the middle of a reply
		case n == 0 && rp == nil && len(buf) == 0:
			return nil, unanswered // closed without a word
		case n == 0 && (rp == nil || rp.length >= 0):
			return nil, unsure // cut short
		case n == 0:
			rp.body = string(buf)
			return rp, answered
		}
		buf = buf[:len(buf)+n]
		if rp == nil {
			if i := bare.Index(string(buf), "\r\n\r\n"); i >= 0 {
				if rp = parseHead(string(buf[:i])); rp == nil {
					return nil, unsure
				}
				buf = append([]byte(nil), buf[i+4:]...)
			}
		}
	}
	rp.body = string(buf[:rp.length])
	return rp, answered
}

// parseHead reads a reply's status line and headers; nil for a head
// this package does not read as Go's HTTP client would: a status line
// other than "HTTP/1.0 NNN …" or "HTTP/1.1 NNN …", a line that is not a
// header, one of the headers it reads given twice, a length that is not a
// number.
func parseHead(head string) *reply {
	rp := &reply{length: -1, headers: map[string]string{}}
	line, rest := cutLine(head)
	if !bare.HasPrefix(line, "HTTP/1.0 ") && !bare.HasPrefix(line, "HTTP/1.1 ") || len(line) < 12 ||
		len(line) > 12 && line[12] != ' ' || !digits(line[9:12]) {
		return nil
	}
	rp.status = line[9:12]
	for rest != "" {
		line, rest = cutLine(rest)
		i := bare.Index(line, ":")
		if i <= 0 {
			return nil
		}
		name := lower(bare.Trim(line[:i]))
		switch name {
		case "content-length", "transfer-encoding", "content-encoding", "upbeat-format", "upbeat-config-stamp":
			if _, twice := rp.headers[name]; twice {
				return nil
			}
		}
		rp.headers[name] = bare.Trim(line[i+1:])
	}
	if v, ok := rp.headers["content-length"]; ok {
		n, ok := bare.Atoi(v)
		if !ok {
			return nil
		}
		rp.length = n
	}
	return rp
}

func digits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// printed is what the full command would print of the reply: the body
// of a 200 that is the summary written in format, in this version of the
// line, by the daemon of a config stamped stamp when that is not "".
func (rp *reply) printed(format, stamp string) (string, answer) {
	switch {
	case rp.headers["transfer-encoding"] != "" || rp.headers["content-encoding"] != "":
		return "", unsure
	case rp.status < "200" || rp.status[0] == '3':
		return "", unsure
	case rp.status != "200":
		return "", unanswered
	case rp.headers["upbeat-format"] != format+"; v="+bare.Itoa(LineVersion):
		return "", unsure // a daemon that wrote JSON, or another version of the line
	case stamp != "" && rp.headers["upbeat-config-stamp"] != stamp:
		return "", unsure
	case len(rp.body) > MaxReply/2:
		return "", unsure
	}
	return rp.body, answered
}

func cutLine(s string) (line, rest string) {
	if i := bare.Index(s, "\r\n"); i >= 0 {
		return s[:i], s[i+2:]
	}
	return s, ""
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// System calls, on Linux for amd64 and arm64; the numbers are in
// sys_linux_*.go.

const (
	atFDCWD    = -100
	oRdonly    = 0
	oNonblock  = 0o4000
	oCloexec   = 0o2000000
	afUnix     = 1
	sockStream = 1
	fGetfl     = 3
	fSetfl     = 4
	solSocket  = 1
	soRcvtimeo = 20
	soSndtimeo = 21
	sIFMT      = 0o170000
	sIFREG     = 0o100000
	enoent     = 2
	eintr      = 4
	eagain     = 11
	epipe      = 32
	sigpipe    = 13
	sigUnblock = 1
	pollout    = 4   // struct pollfd's events, the low half of its second int32 (little-endian)
	maxSocket  = 107 // sun_path, less its closing NUL
)

func exit(code int) {
	for {
		syscall6(sysExitGroup, uintptr(code), 0, 0, 0, 0, 0)
	}
}

// writeOut writes s to the standard output as os.Stdout would: waiting
// on an output that cannot take it yet, and dying of SIGPIPE when nobody
// reads it any more, as a Go program writing to a closed pipe on its
// standard output does.
func writeOut(s string) {
	for s != "" {
		n, errno := write(1, s)
		switch errno {
		case 0:
			s = s[n:]
		case eintr:
		case eagain: // a non-blocking output: wait until it takes more
			pfd := [2]int32{1, pollout}
			syscall6(sysPpoll, uintptr(unsafe.Pointer(&pfd)), 1, 0, 0, 0, 0)
		case epipe: // as the runtime's dieFromSignal
			var dfl [4]uint64 // struct sigaction with SIG_DFL, no flags, no mask
			syscall6(sysRtSigaction, sigpipe, uintptr(unsafe.Pointer(&dfl)), 0, 8, 0, 0)
			set := uint64(1) << (sigpipe - 1)
			syscall6(sysRtSigprocmask, sigUnblock, uintptr(unsafe.Pointer(&set)), 0, 8, 0, 0)
			pid, _, _ := syscall6(sysGetpid, 0, 0, 0, 0, 0, 0)
			syscall6(sysKill, pid, sigpipe, 0, 0, 0, 0)
			exit(2) // SIGPIPE would not kill: exit as the runtime does then
		default:
			return
		}
	}
}

func write(fd int, s string) (int, uintptr) {
	n, _, errno := syscall6(sysWrite, uintptr(fd), uintptr(unsafe.Pointer(unsafe.StringData(s))), uintptr(len(s)), 0, 0, 0)
	return int(n), errno
}

func read(fd int, b []byte) (int, uintptr) {
	if len(b) == 0 {
		return 0, 0
	}
	n, _, errno := syscall6(sysRead, uintptr(fd), uintptr(unsafe.Pointer(&b[0])), uintptr(len(b)), 0, 0, 0)
	return int(n), errno
}

func open(name string, flags int) (int, uintptr) {
	p := cstring(name)
	fd, _, errno := syscall6(sysOpenat, uintptr(atFDCWD&(1<<64-1)), uintptr(unsafe.Pointer(&p[0])), uintptr(flags), 0, 0, 0)
	return int(fd), errno
}

func closeFD(fd int) { syscall6(sysClose, uintptr(fd), 0, 0, 0, 0, 0) }

func cstring(s string) []byte {
	b := make([]byte, len(s)+1)
	copy(b, s)
	return b
}

// dial connects to the unix socket sock without waiting (a daemon too
// busy to accept is one that does not answer), then makes the socket
// blocking, its waits bounded by setTimeout.
func dial(sock string) (int, uintptr) {
	r, _, errno := syscall6(sysSocket, afUnix, sockStream|oCloexec|oNonblock, 0, 0, 0, 0)
	if errno != 0 {
		return -1, errno
	}
	fd := int(r)
	var sa [2 + maxSocket + 1]byte
	sa[0] = afUnix // sa_family, little-endian on both architectures
	copy(sa[2:], sock)
	if _, _, errno = syscall6(sysConnect, uintptr(fd), uintptr(unsafe.Pointer(&sa[0])), uintptr(2+len(sock)+1), 0, 0, 0); errno == 0 {
		var flags uintptr
		if flags, _, errno = syscall6(sysFcntl, uintptr(fd), fGetfl, 0, 0, 0, 0); errno == 0 {
			_, _, errno = syscall6(sysFcntl, uintptr(fd), fSetfl, flags&^oNonblock, 0, 0, 0)
		}
	}
	if errno != 0 {
		closeFD(fd)
		return -1, errno
	}
	return fd, 0
}

// setTimeout bounds the socket's next reads or writes (opt) by the
// deadline; EAGAIN once it has passed.
func setTimeout(fd, opt int, deadline int64) uintptr {
	left := deadline - nanotime()
	if left <= 0 {
		return eagain
	}
	tv := [2]int64{left / 1e9, left % 1e9 / 1e3} // struct timeval
	if tv[0] == 0 && tv[1] == 0 {
		tv[1] = 1 // zero would mean no timeout
	}
	_, _, errno := syscall6(sysSetsockopt, uintptr(fd), solSocket, uintptr(opt), uintptr(unsafe.Pointer(&tv)), unsafe.Sizeof(tv), 0)
	return errno
}

// stat is a struct stat, read at the offsets sys_linux_*.go give.
type stat [statSize / 8]uint64

func (st *stat) at(name string) uintptr {
	p := cstring(name)
	_, _, errno := syscall6(sysNewfstatat, uintptr(atFDCWD&(1<<64-1)), uintptr(unsafe.Pointer(&p[0])), uintptr(unsafe.Pointer(st)), 0, 0, 0)
	return errno
}

func (st *stat) fd(fd int) uintptr {
	empty := []byte{0}
	const atEmptyPath = 0x1000
	_, _, errno := syscall6(sysNewfstatat, uintptr(fd), uintptr(unsafe.Pointer(&empty[0])), uintptr(unsafe.Pointer(st)), atEmptyPath, 0, 0)
	return errno
}

func (st *stat) word(off int) uint64 { return st[off/8] }

func (st *stat) regular() bool {
	mode := uint32(st.word(statMode&^7) >> (8 * (statMode & 7)))
	return mode&sIFMT == sIFREG
}

func (st *stat) size() int { return int(int64(st.word(statBytes))) }
