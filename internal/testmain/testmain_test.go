package testmain

import (
	"flag"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	SkipRaceExitSleep()
	if v := os.Getenv(exitEnv); v != "" {
		code, _ := strconv.Atoi(v)
		if os.Getenv(raceEnv) != "" {
			// The child's GORACE turns the sleep off, so that its failure
			// costs no real second; Exit is to decide as if
			// SkipRaceExitSleep had turned it off.
			skipSleep = true
			race()
		}
		Exit(code)
	}
	Exit(m.Run())
}

// race writes one variable from two goroutines with nothing ordering the
// writes: a data race the detector reports.
func race() {
	var x int
	done := make(chan bool)
	go func() { x = 1; done <- true }()
	x = 2
	<-done
	_ = x
}

func TestSleepOff(t *testing.T) {
	for _, tc := range []struct {
		name    string
		in      []string
		want    []string
		changed bool
	}{
		{"no GORACE", []string{"HOME=/h"}, []string{"HOME=/h", "GORACE=atexit_sleep_ms=0"}, true},
		{"other options kept", []string{"GORACE=halt_on_error=1", "A=b"}, []string{"A=b", "GORACE=halt_on_error=1 atexit_sleep_ms=0"}, true},
		{"empty GORACE", []string{"GORACE="}, []string{"GORACE=atexit_sleep_ms=0"}, true},
		{"set by a person", []string{"GORACE=atexit_sleep_ms=500"}, []string{"GORACE=atexit_sleep_ms=500"}, false},
		{"one GORACE only", []string{"GORACE=log_path=x", "GORACE=y=1"}, []string{"GORACE=log_path=x atexit_sleep_ms=0"}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, changed := sleepOff(tc.in)
			if changed != tc.changed || !slices.Equal(got, tc.want) {
				t.Errorf("sleepOff(%q) = %q, %v; want %q, %v", tc.in, got, changed, tc.want, tc.changed)
			}
		})
	}
}

// exitEnv makes TestMain exit at once with the code it holds, and raceEnv
// makes it race first, as code after m.Run might: children for the Exit
// tests.
const (
	exitEnv = "UPBEAT_TESTMAIN_EXIT"
	raceEnv = "UPBEAT_TESTMAIN_RACE"
)

// child runs this test binary again with env and without GORACE, as go
// test runs it, and returns its exit status.
func child(t *testing.T, env ...string) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "GORACE=") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); ok {
		t.Logf("child %q: exit %d\n%s", env, ee.ExitCode(), out)
		return ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return 0
}

// TestChildrenExitWithoutSleep shows that TestMain's call took effect: under
// the race detector the processes that tests start get the sleep off, and this
// one will leave without it when its tests pass.
func TestChildrenExitWithoutSleep(t *testing.T) {
	if !raceEnabled {
		t.Skip("only the race detector sleeps at exit")
	}
	if personSet {
		t.Skip("GORACE named the exit sleep before the tests: it is left as set")
	}
	if g := os.Getenv("GORACE"); !strings.Contains(g, "atexit_sleep_ms=0") {
		t.Errorf("GORACE = %q: children would sleep at exit", g)
	}
	if !skipSleep {
		t.Error("Exit would leave through the race runtime's exit sleep")
	}
}

// Exit ends the process with the code it is given, the tests' status: a
// failure is never turned into a pass by the direct exit.
func TestExitKeepsTheCode(t *testing.T) {
	t.Parallel()
	for _, code := range []int{0, 1, 3} {
		if got := child(t, exitEnv+"="+strconv.Itoa(code)); got != code {
			t.Errorf("Exit(%d): the process exited with %d", code, got)
		}
	}
}

// A race that TestMain's own code runs into after the tests (stopping
// servers, goleak's search) fails the run: Exit leaves through the race
// runtime's exit step, which exits with 66, rather than directly with 0.
func TestRaceAfterTheTestsFailsTheRun(t *testing.T) {
	if !raceEnabled {
		t.Skip("needs the race detector")
	}
	t.Parallel()
	if got := child(t, exitEnv+"=0", raceEnv+"=1", "GORACE=atexit_sleep_ms=0"); got == 0 {
		t.Error("a race after the tests: the process exited with 0")
	}
}

// Parallel's flag is set unless the command line gave it.
func TestSetParallel(t *testing.T) {
	for _, tc := range []struct {
		args []string
		set  bool
		want string
	}{
		{nil, true, "8"},
		{[]string{"-test.parallel=3"}, false, "3"},
		{[]string{"-test.parallel", "1"}, false, "1"},
	} {
		fs := flag.NewFlagSet("test", flag.ContinueOnError)
		fs.Int(parallelFlag, 2, "")
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if set := setParallel(fs, 8); set != tc.set || fs.Lookup(parallelFlag).Value.String() != tc.want {
			t.Errorf("%q: set %v, -test.parallel %s; want %v, %s", tc.args, set, fs.Lookup(parallelFlag).Value, tc.set, tc.want)
		}
	}
	if setParallel(flag.NewFlagSet("empty", flag.ContinueOnError), 8) {
		t.Error("set a flag that is not there")
	}
}
