package testserver

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// A database's data directory (what initdb or mariadb-install-db makes) takes
// a second or two of CPU to build, and two test packages of one run of the
// suite each need one. The first build is kept in the user's cache directory,
// as Go keeps its build cache there, and the next server gets a copy; the
// server itself still starts from its package, in a temporary directory of
// its own, and the template is never opened by a server.
//
// A template is named by what it is built from: the tool's and the server's
// files (path, size, modification time) and the options given. A package
// upgrade makes a new one and the old one is removed. Two processes that want
// the same template at once take turns on a lock file: the second waits for
// the first build and copies it.

// templateDir is where templates are kept; "" leaves them uncached.
func templateDir() string {
	base, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(base, "upbeat-testserver")
}

// fileID names one version of an installed file.
func fileID(path string) string {
	st, err := os.Stat(path)
	if err != nil {
		return path
	}
	return fmt.Sprintf("%s:%d:%d", path, st.Size(), st.ModTime().UnixNano())
}

// fromTemplate fills dst (a directory that does not exist yet) with the
// template called name for key, building it with build(dst) when there is
// none. Without a usable cache directory it only builds.
func fromTemplate(name, key, dst string, build func(dst string) error) error {
	return fromTemplateIn(templateDir(), name, key, dst, build)
}

func fromTemplateIn(cache, name, key, dst string, build func(dst string) error) error {
	if cache == "" || os.MkdirAll(cache, 0o700) != nil {
		return build(dst)
	}
	lock, err := os.OpenFile(filepath.Join(cache, name+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return build(dst)
	}
	defer lock.Close() // and with it the lock
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return build(dst)
	}
	// The user is part of the key: a template that root made is not
	// readable by another user who shares the cache (sudo -E).
	sum := sha256.Sum256([]byte(key + "\nuid " + strconv.Itoa(os.Geteuid())))
	tmpl := filepath.Join(cache, name+"-"+hex.EncodeToString(sum[:8]))
	if _, err := os.Stat(tmpl); err == nil {
		if copyTree(tmpl, dst) == nil {
			return nil
		}
		// A template that cannot be copied is built again.
		os.RemoveAll(dst)
		os.RemoveAll(tmpl)
	}
	if err := build(dst); err != nil {
		return err
	}
	// Keep it for the next server; a failure here costs only the next
	// build.
	olds, _ := filepath.Glob(filepath.Join(cache, name+"-*"))
	for _, old := range olds {
		os.RemoveAll(old)
	}
	part := tmpl + ".part"
	if copyTree(dst, part) == nil {
		if os.Rename(part, tmpl) == nil {
			return nil
		}
	}
	os.RemoveAll(part)
	return nil
}

// copyTree copies the directory src to dst, which must not exist: files
// (through copy_file_range where the kernel has it), directories and
// symbolic links, with their permission bits. The copies belong to this
// process's user.
func copyTree(src, dst string) error {
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, p)
		if err != nil {
			return err
		}
		to := filepath.Join(dst, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.Mkdir(to, 0o700); err != nil {
				return err
			}
			return os.Chmod(to, info.Mode().Perm())
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, to)
		case d.Type().IsRegular():
			return copyFile(p, to, info.Mode().Perm())
		}
		return fmt.Errorf("copy %s: not a file, directory or link", p)
	})
}

func copyFile(src, dst string, perm fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Chmod(dst, perm)
}

// templateKey is the key of a template built by the files named (each by
// its version) with options.
func templateKey(files []string, options ...string) string {
	ids := make([]string, len(files))
	for i, f := range files {
		ids[i] = fileID(f)
	}
	return strings.Join(ids, "\n") + "\n" + strings.Join(options, " ")
}
