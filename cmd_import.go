package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/upbeat-monitor/upbeat/importer"
)

func cmdImport(ctx context.Context, e *env, args []string) int {
	fs := newFlags(e, "import", "import [--from gatus|kuma|uptimerobot] [--out FILE [--force]] FILE",
		"Reads the monitors of another uptime monitor and writes them as an upbeat config:\n"+
			"  a Gatus config (config.yaml), an Uptime Kuma database (data/kuma.db, version 1\n"+
			"  or 2; copy it, or stop Kuma, first), or an UptimeRobot export (CSV).\n"+
			"What FILE is, is found from its content unless --from says.\n\n"+
			"The config goes to standard output, or to --out FILE (never over an existing file\n"+
			"without --force). What could not be imported, and why, goes to standard error.\n"+
			"Secrets are never written: each becomes a ${VARIABLE} to set before 'upbeat validate'.")
	from := fs.String("from", "", "what FILE is: gatus, kuma or uptimerobot (default: found from its content)")
	out := fs.String("out", "", "write the config to `file` instead of standard output")
	force := fs.Bool("force", false, "overwrite the --out file if it exists")
	if code, done := parseFlags(fs, args); done {
		return code
	}
	if fs.NArg() != 1 {
		if fs.NArg() == 0 {
			fmt.Fprintln(e.stderr, "upbeat: import: name the file to import")
		} else {
			fmt.Fprintf(e.stderr, "upbeat: import: one file at a time, not %d\n", fs.NArg())
		}
		fs.Usage()
		return exitConfig
	}
	path := fs.Arg(0)
	var src importer.Source
	if *from != "" {
		s, err := importer.ParseSource(*from)
		if err != nil {
			fmt.Fprintln(e.stderr, "upbeat: import: --from:", err)
			return exitConfig
		}
		src = s
	}
	cfg, err := importer.Import(path, src)
	if err != nil {
		if errors.Is(err, importer.ErrUnknownFormat) {
			err = fmt.Errorf("%w; say which with --from", err)
		}
		fmt.Fprintf(e.stderr, "upbeat: import %s: %v\n", path, err)
		return exitConfig
	}
	var buf bytes.Buffer
	if err := importer.Write(&buf, cfg); err != nil {
		fmt.Fprintln(e.stderr, "upbeat: import:", err)
		return exitConfig
	}
	if *out == "" || *out == "-" {
		e.stdout.Write(buf.Bytes())
	} else if err := writeNew(*out, buf.Bytes(), *force); err != nil {
		if errors.Is(err, os.ErrExist) {
			fmt.Fprintf(e.stderr, "upbeat: import: %s exists; use --force to overwrite it\n", *out)
		} else {
			fmt.Fprintln(e.stderr, "upbeat: import:", err)
		}
		return exitConfig
	}
	importReport(e.stderr, cfg, path, *out)
	return exitOK
}

// writeNew writes data to path, which must not exist unless force.
func writeNew(path string, data []byte, force bool) error {
	flags := os.O_WRONLY | os.O_CREATE | os.O_EXCL
	if force {
		flags = os.O_WRONLY | os.O_CREATE | os.O_TRUNC
	}
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	f, err := os.OpenFile(path, flags, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// importReport says what was read, what was written, what was left out
// and which variables to set.
func importReport(w io.Writer, cfg *importer.Config, path, out string) {
	src := cfg.Source.Title()
	if cfg.Detail != "" {
		src += " (" + cfg.Detail + ")"
	}
	fmt.Fprintf(w, "upbeat import: read %s from %s: %s\n", src, path,
		counts(cfg.Found.Monitors, cfg.Found.Alerts, cfg.Found.Maintenance, "notification channel"))
	dest := "standard output"
	if out != "" && out != "-" {
		dest = out
	}
	fmt.Fprintf(w, "wrote %s to %s\n", counts(len(cfg.Monitors), len(cfg.Alerts), len(cfg.Maintenance), "alert"), dest)
	if cfg.Found.Monitors == 0 {
		fmt.Fprintln(w, "the source has no monitor")
	}
	if s := cfg.Skipped(); len(s) > 0 {
		fmt.Fprintf(w, "\nnot imported (%d):\n", len(s))
		for _, n := range s {
			fmt.Fprintln(w, "  "+n.String())
		}
	}
	if p := cfg.Partial(); len(p) > 0 {
		fmt.Fprintf(w, "\nimported in part (%d):\n", len(p))
		for _, n := range p {
			fmt.Fprintln(w, "  "+n.String())
		}
	}
	if len(cfg.Env) > 0 {
		fmt.Fprintf(w, "\nsecrets are not copied; set these %d environment variable(s):\n", len(cfg.Env))
		width := 0
		for _, v := range cfg.Env {
			width = max(width, len(v.Name))
		}
		for _, v := range cfg.Env {
			fmt.Fprintf(w, "  %-*s  %s\n", width, v.Name, v.What)
		}
	}
	next := "upbeat validate"
	if out != "" && out != "-" {
		next += " " + out
	}
	fmt.Fprintf(w, "\nthen: %s\n", next)
}

// counts writes "3 monitors, 1 alert, 0 maintenance windows".
func counts(monitors, alerts, windows int, alertWord string) string {
	return strings.Join([]string{plural(monitors, "monitor"), plural(alerts, alertWord), plural(windows, "maintenance window")}, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
