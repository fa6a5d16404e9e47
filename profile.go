package main

import (
	"fmt"
	"os"
	"os/signal"
	goruntime "runtime"
	"runtime/metrics"
	"runtime/pprof"
	"syscall"
)

// profileEnv names a file for a CPU profile of a steady state: with it
// set, SIGUSR1 starts profiling and SIGUSR2 writes the profile, and a
// heap profile next to it (".heap"; ".heap0" at the start, to tell what
// the window allocated with pprof -diff_base), and what the garbage collector did
// meanwhile (".gc": cycles, bytes allocated, the heap it had to scan). The benchmarks use it to profile a
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
		var gc0 []metrics.Sample
		for s := range sig {
			switch {
			case s == syscall.SIGUSR1 && f == nil:
				var err error
				if f, err = os.Create(path); err != nil {
					fmt.Fprintln(os.Stderr, "upbeat: cpu profile:", err)
					continue
				}
				pprof.StartCPUProfile(f)
				gc0 = gcSample()
				writeHeap(path + ".heap0")
			case s == syscall.SIGUSR2 && f != nil:
				pprof.StopCPUProfile()
				f.Close()
				f = nil
				writeHeap(path + ".heap")
				os.WriteFile(path+".gc", gcReport(gc0, gcSample()), 0o644)
			}
		}
	}()
}

// writeHeap writes a heap profile to path.
func writeHeap(path string) {
	if h, err := os.Create(path); err == nil {
		pprof.Lookup("heap").WriteTo(h, 0)
		h.Close()
	}
}

// gcMetrics are what the ".gc" file reports: counters over the window,
// the rest as they stand at its end.
var gcMetrics = []string{
	"/gc/cycles/total:gc-cycles",        // counter
	"/gc/heap/allocs:bytes",             // counter
	"/cpu/classes/gc/total:cpu-seconds", // counter
	"/cpu/classes/total:cpu-seconds",    // counter
	"/gc/heap/live:bytes",
	"/gc/scan/heap:bytes",
	"/gc/scan/stack:bytes",
	"/gc/scan/globals:bytes",
	"/gc/heap/goal:bytes",
}

func gcSample() []metrics.Sample {
	s := make([]metrics.Sample, len(gcMetrics))
	for i, name := range gcMetrics {
		s[i].Name = name
	}
	metrics.Read(s)
	return s
}

// gcReport writes each metric as a line, "NAME VALUE"; the first four
// as what they gained from before to after.
func gcReport(before, after []metrics.Sample) []byte {
	var b []byte
	for i, a := range after {
		v := value(a)
		if i < 4 && before != nil {
			v -= value(before[i])
		}
		b = fmt.Appendf(b, "%s %g\n", a.Name, v)
	}
	return b
}

func value(s metrics.Sample) float64 {
	switch s.Value.Kind() {
	case metrics.KindUint64:
		return float64(s.Value.Uint64())
	case metrics.KindFloat64:
		return s.Value.Float64()
	}
	return 0
}
