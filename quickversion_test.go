package main

import (
	"bytes"
	"os"
	"os/exec"
	"runtime/debug"
	"strings"
	"testing"

	"early.upbeat.invalid/buildinfo"
)

// The upbeat binary answers --version (and -version, version) in the init
// of quickversion, before most packages (net among them) are initialised,
// with what the full command prints. This test binary links the same
// packages.
func TestQuickVersionRunsFirst(t *testing.T) {
	t.Parallel()
	want := "upbeat " + versionString() + "\n"
	for _, arg := range []string{"--version", "-version", "version"} {
		cmd := exec.Command(os.Args[0], arg, "ignored")
		cmd.Env = append(os.Environ(), "GODEBUG=inittrace=1")
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		if err := cmd.Run(); err != nil {
			t.Fatalf("%s: %v\n%s", arg, err, errOut.Bytes())
		}
		if out.String() != want {
			t.Errorf("%s: %q, want %q", arg, out.String(), want)
		}
		if initNet.Match(errOut.Bytes()) {
			t.Errorf("%s: answered after net was initialised", arg)
		}
	}
}

// The version set at link time (-X early.upbeat.invalid/buildinfo.Version=…)
// is what --version prints.
func TestLinkedVersion(t *testing.T) {
	old := buildinfo.Version
	t.Cleanup(func() { buildinfo.Version = old })
	buildinfo.Version = "v9.8.7-test"
	var out bytes.Buffer
	if code := run(t.Context(), &env{stdout: &out, stderr: &out}, []string{"--version"}); code != 0 || out.String() != "upbeat v9.8.7-test\n" {
		t.Errorf("--version: exit %d, %q", code, out.String())
	}
}

// buildinfo reads the version from the binary's build information as
// runtime/debug would: the main module's version, else the commit, marked
// when the tree had changes.
func TestVersionFromBuildInfo(t *testing.T) {
	t.Parallel()
	const marker = "0123456789abcdef" // the binary's 16-byte markers, around the text
	wrap := func(bi *debug.BuildInfo) string { return marker + bi.String() + marker }
	rev := []debug.BuildSetting{{Key: "-compiler", Value: "gc"}, {Key: "vcs.revision", Value: "0123456789abcdef0123"}}
	for _, c := range []struct {
		bi   debug.BuildInfo
		want string
	}{
		{debug.BuildInfo{Path: "github.com/upbeat-monitor/upbeat", Main: debug.Module{Path: "github.com/upbeat-monitor/upbeat", Version: "v1.4.2", Sum: "h1:abc="}}, "v1.4.2"},
		{debug.BuildInfo{Main: debug.Module{Path: "m", Version: "(devel)"}, Settings: rev}, "devel-0123456789ab"},
		{debug.BuildInfo{Main: debug.Module{Path: "m", Version: "(devel)"}, Settings: append(rev, debug.BuildSetting{Key: "vcs.modified", Value: "true"})}, "devel-0123456789ab-dirty"},
		{debug.BuildInfo{Main: debug.Module{Path: "m", Version: "v0.3.0"}, Settings: rev}, "v0.3.0"},
		{debug.BuildInfo{Main: debug.Module{Path: "m", Version: "(devel)"}}, "(devel)"},
	} {
		if got := buildinfo.Parse(wrap(&c.bi)); got != c.want {
			t.Errorf("%q: %q, want %q", c.bi.String(), got, c.want)
		}
	}
	if got := buildinfo.Parse(""); got != "(devel)" {
		t.Errorf("no build information: %q", got)
	}
	// and the binary's own, as runtime/debug reads it
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		t.Fatal("no build information")
	}
	want := bi.Main.Version
	if want == "" || want == "(devel)" {
		want = "(devel)"
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" {
				want = "devel-" + s.Value[:min(12, len(s.Value))]
			}
		}
	}
	if got := buildinfo.String(); !strings.HasPrefix(got, want) {
		t.Errorf("this binary: %q, runtime/debug's reading gives %q", got, want)
	}
}
