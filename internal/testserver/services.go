package testserver

import (
	"errors"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/internal/testcert"
)

// The servers behind a site, each started in a Group's temporary directory
// on a loopback port: PostgreSQL, MariaDB, Redis and Postfix. Each speaks
// TLS with a certificate for 127.0.0.1 signed by a CA made for the group
// (CAFile trusts it), and has a password or account to log in with.

// ErrNeedsRoot is returned for a server that cannot be started by an
// unprivileged user (Postfix's master runs as root and hands each
// connection to a process of the postfix account).
var ErrNeedsRoot = errors.New("needs root")

// TLSFiles are PEM files of a CA and of a certificate for 127.0.0.1,
// localhost and ::1 that it signed.
type TLSFiles struct {
	CAFile, CertFile, KeyFile string
}

// TLS makes the group's certificates once.
func (g *Group) TLS() (*TLSFiles, error) {
	v, err := g.Once("tls", func() (any, error) {
		dir, err := g.TempDir("tls")
		if err != nil {
			return nil, err
		}
		caPEM, _, ca := testcert.Generate(testcert.Options{IsCA: true, CommonName: "upbeat test CA"})
		certPEM, keyPEM, _ := testcert.Generate(testcert.Options{Parent: &ca})
		f := &TLSFiles{
			CAFile:   filepath.Join(dir, "ca.pem"),
			CertFile: filepath.Join(dir, "cert.pem"),
			KeyFile:  filepath.Join(dir, "key.pem"),
		}
		for name, b := range map[string][]byte{f.CAFile: caPEM, f.CertFile: certPEM, f.KeyFile: keyPEM} {
			if err := os.WriteFile(name, b, 0o644); err != nil {
				return nil, err
			}
		}
		return f, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(*TLSFiles), nil
}

// copyInto copies the certificate and key into dir with the modes
// servers insist on (a private key readable by its owner only).
func (f *TLSFiles) copyInto(dir string) (cert, key string, err error) {
	cert, key = filepath.Join(dir, "server.crt"), filepath.Join(dir, "server.key")
	for src, dst := range map[string]string{f.CertFile: cert, f.KeyFile: key} {
		b, err := os.ReadFile(src)
		if err != nil {
			return "", "", err
		}
		if err := os.WriteFile(dst, b, 0o600); err != nil {
			return "", "", err
		}
	}
	return cert, key, nil
}

// Postgres is a running PostgreSQL server. User postgres logs in with
// Password from 127.0.0.1 (scram-sha-256), over TLS or not, except to
// the database TLSOnlyDB, which pg_hba.conf refuses without TLS.
type Postgres struct {
	Addr      string
	Password  string
	TLSOnlyDB string
	TLS       *TLSFiles
	Proc      *Process
}

// StartPostgres runs initdb and postgres (as nobody when run as root:
// PostgreSQL refuses to run as root).
func StartPostgres(g *Group) (*Postgres, error) {
	initdb, postgres := Find("initdb"), Find("postgres")
	if initdb == "" || postgres == "" {
		return nil, errors.New("initdb or postgres not installed: apt-get install postgresql")
	}
	files, err := g.TLS()
	if err != nil {
		return nil, err
	}
	dir, err := g.TempDir("postgres")
	if err != nil {
		return nil, err
	}
	pg := &Postgres{Password: "pg-secret-8d1f", TLSOnlyDB: "tlsonly", TLS: files}
	pwfile := filepath.Join(dir, "pwfile")
	if err := os.WriteFile(pwfile, []byte(pg.Password+"\n"), 0o600); err != nil {
		return nil, err
	}
	if err := GiveTo(dir, "nobody"); err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	options := []string{"-U", "postgres", "--auth=scram-sha-256", "-E", "UTF8", "--no-sync", "--locale=C"}
	err = fromTemplate("postgres", templateKey([]string{initdb, postgres}, append(options, "password="+pg.Password)...), data,
		func(data string) error {
			if out, err := RunAs("nobody", dir, initdb, append([]string{"-D", data, "--pwfile=" + pwfile}, options...)...); err != nil {
				return fmt.Errorf("initdb: %v\n%s", err, out)
			}
			return nil
		})
	if err != nil {
		return nil, err
	}
	if err := GiveTo(data, "nobody"); err != nil {
		return nil, err
	}
	hba := "hostnossl " + pg.TLSOnlyDB + " all 127.0.0.1/32 reject\n" +
		"host all all 127.0.0.1/32 scram-sha-256\n"
	if err := os.WriteFile(filepath.Join(data, "pg_hba.conf"), []byte(hba), 0o600); err != nil {
		return nil, err
	}
	if _, _, err := files.copyInto(data); err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	pg.Addr = Addr(port)
	p, err := g.Start("postgres", dir, Options{User: "nobody"}, postgres, "-D", data,
		"-h", "127.0.0.1", "-p", strconv.Itoa(port), "-k", dir,
		"-c", "ssl=on", "-c", "ssl_cert_file=server.crt", "-c", "ssl_key_file=server.key",
		"-c", "fsync=off", "-c", "shared_buffers=16MB", "-c", "max_connections=30")
	if err != nil {
		return nil, err
	}
	pg.Proc = p
	if err := p.WaitForErr("ready for connections", func() bool {
		return strings.Contains(p.Output(), "ready to accept connections")
	}); err != nil {
		return nil, err
	}
	return pg, nil
}

// MariaDB is a running MariaDB server that takes only TLS connections
// (require_secure_transport). User upbeat logs in with Password from
// 127.0.0.1 and owns the database shop.
type MariaDB struct {
	Addr     string
	User     string
	Password string
	TLS      *TLSFiles
	Proc     *Process
}

// StartMariaDB runs mariadb-install-db and mariadbd (as nobody when run
// as root: mariadbd refuses to run as root).
func StartMariaDB(g *Group) (*MariaDB, error) {
	install, server := Find("mariadb-install-db", "mysql_install_db"), Find("mariadbd", "mysqld")
	if install == "" || server == "" {
		return nil, errors.New("mariadb-install-db or mariadbd not installed: apt-get install mariadb-server")
	}
	files, err := g.TLS()
	if err != nil {
		return nil, err
	}
	dir, err := g.TempDir("mariadb")
	if err != nil {
		return nil, err
	}
	db := &MariaDB{User: "upbeat", Password: "my-secret-5c2e", TLS: files}
	data := filepath.Join(dir, "data")
	root := os.Geteuid() == 0
	// Its own temporary directory, for the install and the server: at
	// start a server clears what it takes for its leftovers there, which
	// in the shared /tmp are the files of another MariaDB starting at the
	// same moment ("Unknown table 'mysql.tmp_user_sys'").
	tmp := filepath.Join(dir, "tmp")
	if err := os.Mkdir(tmp, 0o700); err != nil {
		return nil, err
	}
	if err := GiveTo(tmp, "nobody"); err != nil {
		return nil, err
	}
	options := []string{"--auth-root-authentication-method=normal", "--skip-test-db", "--skip-name-resolve"}
	if root {
		options = append(options, "--user=nobody")
	}
	args := append([]string{"--no-defaults", "--datadir=" + data, "--tmpdir=" + tmp}, options...)
	err = fromTemplate("mariadb", templateKey([]string{install, server}, options...), data, func(string) error {
		if out, err := RunAs("", dir, install, args...); err != nil {
			return fmt.Errorf("mariadb-install-db: %v\n%s", err, out)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	cert, key, err := files.copyInto(dir)
	if err != nil {
		return nil, err
	}
	initSQL := filepath.Join(dir, "init.sql")
	sql := fmt.Sprintf("CREATE DATABASE IF NOT EXISTS shop;\n"+
		"CREATE USER IF NOT EXISTS '%s'@'127.0.0.1' IDENTIFIED BY '%s';\n"+
		"GRANT ALL ON shop.* TO '%s'@'127.0.0.1';\n", db.User, db.Password, db.User)
	if err := os.WriteFile(initSQL, []byte(sql), 0o600); err != nil {
		return nil, err
	}
	if err := GiveTo(dir, "nobody"); err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	db.Addr = Addr(port)
	sargs := []string{"--no-defaults", "--datadir=" + data, "--port=" + strconv.Itoa(port),
		"--bind-address=127.0.0.1", "--socket=" + filepath.Join(dir, "sock"), "--pid-file=" + filepath.Join(dir, "pid"),
		"--skip-name-resolve", "--skip-log-bin", "--innodb-buffer-pool-size=16M", "--init-file=" + initSQL,
		"--tmpdir=" + tmp,
		"--ssl-cert=" + cert, "--ssl-key=" + key, "--require-secure-transport=ON"}
	// Started as nobody rather than with --user: a process that changes
	// its own user loses the signal that stops it with the test binary.
	p, err := g.Start("mariadb", dir, Options{User: "nobody"}, server, sargs...)
	if err != nil {
		return nil, err
	}
	db.Proc = p
	if err := p.WaitForErr("ready for connections", func() bool {
		return strings.Contains(p.Output(), "ready for connections")
	}); err != nil {
		return nil, err
	}
	return db, nil
}

// Redis is a running redis-server with a password (requirepass), on a
// plain port (Addr) and a TLS port (TLSAddr).
type Redis struct {
	Addr, TLSAddr string
	Password      string
	TLS           *TLSFiles
	Proc          *Process
}

// StartRedis runs redis-server as nobody.
func StartRedis(g *Group) (*Redis, error) {
	bin := Find("redis-server")
	if bin == "" {
		return nil, errors.New("redis-server not installed: apt-get install redis-server")
	}
	files, err := g.TLS()
	if err != nil {
		return nil, err
	}
	dir, err := g.TempDir("redis")
	if err != nil {
		return nil, err
	}
	cert, key, err := files.copyInto(dir)
	if err != nil {
		return nil, err
	}
	port, err := FreePort()
	if err != nil {
		return nil, err
	}
	tlsPort, err := FreePort()
	if err != nil {
		return nil, err
	}
	r := &Redis{Addr: Addr(port), TLSAddr: Addr(tlsPort), Password: "redis-secret-7a3b", TLS: files}
	p, err := g.Start("redis", dir, Options{User: "nobody"}, bin,
		"--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir,
		"--requirepass", r.Password,
		"--tls-port", strconv.Itoa(tlsPort), "--tls-cert-file", cert, "--tls-key-file", key,
		"--tls-ca-cert-file", files.CAFile, "--tls-auth-clients", "no")
	if err != nil {
		return nil, err
	}
	r.Proc = p
	if err := p.WaitTCPErr(r.Addr); err != nil {
		return nil, err
	}
	if err := p.WaitTCPErr(r.TLSAddr); err != nil {
		return nil, err
	}
	return r, nil
}

// Postfix is a running Postfix with three SMTP listeners: TLSAddr offers
// STARTTLS, PlainAddr offers none, RejectAddr greets every client with
// 554.
type Postfix struct {
	TLSAddr, PlainAddr, RejectAddr string
	TLS                            *TLSFiles
	Proc                           *Process
}

// makePostfixQueue makes the queue's directories with the owners and
// modes that "postfix check" gives them (Debian's postfix-files), which
// is all the master needs of that command: the command itself runs
// postconf a dozen times and costs a second of CPU per start.
func makePostfixQueue(queue string) error {
	postfix, _, err := userIDs("postfix")
	if err != nil {
		return err
	}
	g, err := user.LookupGroup("postdrop")
	if err != nil {
		return fmt.Errorf("group postdrop: %w", err)
	}
	postdrop, _ := strconv.Atoi(g.Gid)
	for _, d := range []struct {
		name     string
		uid, gid int
		mode     os.FileMode
	}{
		{"active", int(postfix), 0, 0o700}, {"bounce", int(postfix), 0, 0o700}, {"corrupt", int(postfix), 0, 0o700},
		{"defer", int(postfix), 0, 0o700}, {"deferred", int(postfix), 0, 0o700}, {"flush", int(postfix), 0, 0o700},
		{"hold", int(postfix), 0, 0o700}, {"incoming", int(postfix), 0, 0o700}, {"private", int(postfix), 0, 0o700},
		{"saved", int(postfix), 0, 0o700}, {"trace", int(postfix), 0, 0o700},
		{"maildrop", int(postfix), postdrop, 0o730}, {"public", int(postfix), postdrop, 0o710},
		{"pid", 0, 0, 0o755},
	} {
		p := filepath.Join(queue, d.name)
		if err := os.Mkdir(p, d.mode); err != nil {
			return err
		}
		if err := os.Chown(p, d.uid, d.gid); err != nil {
			return err
		}
		if err := os.Chmod(p, d.mode); err != nil { // past the umask
			return err
		}
	}
	return nil
}

// StartPostfix runs Postfix's master in the foreground with its own
// config_directory, queue and data directories in a temporary directory.
// It needs root: the master binds and supervises as root and runs smtpd
// as the postfix account, which the Debian package creates.
func StartPostfix(g *Group) (*Postfix, error) {
	master := Find("/usr/lib/postfix/sbin/master")
	if master == "" {
		return nil, errors.New("postfix not installed: apt-get install postfix")
	}
	if os.Geteuid() != 0 {
		return nil, ErrNeedsRoot
	}
	files, err := g.TLS()
	if err != nil {
		return nil, err
	}
	dir, err := g.TempDir("postfix")
	if err != nil {
		return nil, err
	}
	conf, queue, data := filepath.Join(dir, "conf"), filepath.Join(dir, "queue"), filepath.Join(dir, "data")
	for _, d := range []string{conf, queue, data} {
		if err := os.Mkdir(d, 0o755); err != nil {
			return nil, err
		}
	}
	if err := GiveTo(data, "postfix"); err != nil {
		return nil, err
	}
	cert, key, err := files.copyInto(conf)
	if err != nil {
		return nil, err
	}
	var ports [3]int
	for i := range ports {
		if ports[i], err = FreePort(); err != nil {
			return nil, err
		}
	}
	main := strings.Join([]string{
		"compatibility_level = 3.6",
		"queue_directory = " + queue,
		"data_directory = " + data,
		"mail_owner = postfix",
		"inet_interfaces = 127.0.0.1",
		"inet_protocols = ipv4",
		"myhostname = upbeat-test.localhost",
		"mydestination =",
		"local_recipient_maps =",
		"relay_domains =",
		"alias_maps =",
		"alias_database =",
		"maillog_file = /dev/stdout",
		"smtpd_tls_security_level = may",
		"smtpd_tls_cert_file = " + cert,
		"smtpd_tls_key_file = " + key,
	}, "\n") + "\n"
	smtpd := "inet n - n - - smtpd"
	masterCf := fmt.Sprintf("127.0.0.1:%d %s\n", ports[0], smtpd) +
		fmt.Sprintf("127.0.0.1:%d %s -o smtpd_tls_security_level=none\n", ports[1], smtpd) +
		fmt.Sprintf("127.0.0.1:%d %s -o smtpd_delay_reject=no -o smtpd_client_restrictions=reject\n", ports[2], smtpd) +
		"postlog unix-dgram n - n - 1 postlogd\n" +
		"proxymap unix - - n - - proxymap\n" +
		"anvil unix - - n - 1 anvil\n" +
		"tlsmgr unix - - n 1000? 1 tlsmgr\n"
	if err := os.WriteFile(filepath.Join(conf, "main.cf"), []byte(main), 0o644); err != nil {
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(conf, "master.cf"), []byte(masterCf), 0o644); err != nil {
		return nil, err
	}
	// Postfix waits, in 300 ms naps, until its config files are a couple
	// of seconds old (so that it never reads one half written): files
	// written a moment ago cost every test that starts it ~2 s for nothing.
	old := time.Now().Add(-time.Minute)
	for _, f := range []string{"main.cf", "master.cf"} {
		if err := os.Chtimes(filepath.Join(conf, f), old, old); err != nil {
			return nil, err
		}
	}
	if err := makePostfixQueue(queue); err != nil {
		return nil, err
	}
	// The master itself, not "postfix start-fg": that runs it as a child
	// in a session of its own, out of reach of a stop by process group.
	// The master drops the signal that stops a server with a test binary
	// that dies (Start's Pdeathsig), so a shell that keeps it passes it on.
	const passOn = `"$0" "$@" & child=$!; trap 'kill -TERM $child; wait $child; exit' TERM; wait $child`
	p, err := g.Start("postfix", dir, Options{}, "/bin/sh", "-c", passOn, master, "-d", "-c", conf)
	if err != nil {
		return nil, err
	}
	pf := &Postfix{TLSAddr: Addr(ports[0]), PlainAddr: Addr(ports[1]), RejectAddr: Addr(ports[2]), TLS: files, Proc: p}
	for _, a := range []string{pf.TLSAddr, pf.PlainAddr, pf.RejectAddr} {
		if err := p.WaitTCPErr(a); err != nil {
			return nil, err
		}
	}
	return pf, nil
}
