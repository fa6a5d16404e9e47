package main

import (
	"fmt"
	"os"
	"os/signal"
	goruntime "runtime"
	"runtime/pprof"
	"syscall"
)

// profileEnv names a file for a CPU profile of a steady state: with it
// set, SIGUSR1 starts profiling and SIGUSR2 writes the profile, and a
// heap profile next to it (".heap"). The benchmarks use it to profile a
// daemon after its start-up; it costs nothing when unset.
const profileEnv = "UPBEAT_CPUPROFILE"

// profileOnSignal serves profileEnv for the life of the process.
func profileOnSignal(getenv func(string) string) {
	path := getenv(profileEnv)
	if path == "" {
		return
	}
	goruntime.MemProfileRate = 16 << 10 // a heap profile that tells monitors apart, for the runs that profile
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		var f *os.File
		for s := range sig {
			switch {
			case s == syscall.SIGUSR1 && f == nil:
				var err error
				if f, err = os.Create(path); err != nil {
					fmt.Fprintln(os.Stderr, "upbeat: cpu profile:", err)
					continue
				}
				pprof.StartCPUProfile(f)
			case s == syscall.SIGUSR2 && f != nil:
				pprof.StopCPUProfile()
				f.Close()
				f = nil
				if h, err := os.Create(path + ".heap"); err == nil {
					pprof.Lookup("heap").WriteTo(h, 0)
					h.Close()
				}
			}
		}
	}()
}
