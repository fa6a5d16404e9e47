// Command bareprobe is the floor upbeat's benchmarks measure against: the
// same HTTP GETs a monitor makes, on fresh connections, with nothing
// around them (no judgement, no state, no history, no API).
//
// With -interval it requests every URL once per interval, spread evenly
// over it, as a daemon would, and prints its counters once a second:
//
//	done=N ontime=N late=N failed=N
//
// With -once it requests every URL once, in parallel, and exits: what
// `upbeat check` does with the same URLs. With -version it prints a line
// and exits: the start-up of a Go program that does nothing.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"time"
)

func main() {
	urlsFile := flag.String("urls", "", "file with one URL per line")
	interval := flag.Duration("interval", 10*time.Second, "request every URL once per interval")
	once := flag.Bool("once", false, "request every URL once and exit")
	conc := flag.Int("concurrency", 256, "requests in flight at most")
	timeout := flag.Duration("timeout", 5*time.Second, "timeout of one request")
	version := flag.Bool("version", false, "print a line and exit")
	cpuprofile := flag.String("cpuprofile", "", "write a CPU profile to this file from SIGUSR1 to SIGUSR2")
	flag.Parse()
	if *cpuprofile != "" {
		profileOnSignal(*cpuprofile)
	}
	if *version {
		fmt.Println("bareprobe")
		return
	}
	urls, err := readLines(*urlsFile)
	if err != nil || len(urls) == 0 {
		fmt.Fprintln(os.Stderr, "bareprobe: -urls: need a file with URLs:", err)
		os.Exit(2)
	}
	p := &probe{
		client: &http.Client{Transport: &http.Transport{DisableKeepAlives: true}, Timeout: *timeout},
		sem:    make(chan struct{}, *conc),
	}
	if *once {
		for _, u := range urls {
			p.launch(u, time.Now())
		}
		p.wg.Wait()
		if p.failed.Load() > 0 {
			os.Exit(1)
		}
		return
	}
	p.run(urls, *interval)
}

type probe struct {
	client                     *http.Client
	sem                        chan struct{}
	wg                         sync.WaitGroup
	done, onTime, late, failed atomic.Int64
}

// run requests the URLs round after round until SIGTERM or SIGINT.
func (p *probe) run(urls []string, interval time.Duration) {
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, os.Interrupt)
	go p.report()
	gap := interval / time.Duration(len(urls))
	next := time.Now()
	t := time.NewTimer(0)
	for k := 0; ; {
		select {
		case <-stop:
			return
		case <-t.C:
		}
		now := time.Now()
		for !next.After(now) {
			p.launch(urls[k%len(urls)], next)
			k++
			next = next.Add(gap)
		}
		t.Reset(next.Sub(now))
	}
}

// launch makes one request on its own goroutine.
func (p *probe) launch(u string, due time.Time) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.sem <- struct{}{}
		defer func() { <-p.sem }()
		if time.Since(due) <= time.Second {
			p.onTime.Add(1)
		} else {
			p.late.Add(1)
		}
		resp, err := p.client.Get(u)
		if err == nil {
			_, err = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
		}
		if err != nil {
			p.failed.Add(1)
		}
		p.done.Add(1)
	}()
}

// report prints the counters once a second.
// profileOnSignal writes a CPU profile to path between SIGUSR1 and
// SIGUSR2, as the daemon does, so that a benchmark profiles both over the
// same window.
func profileOnSignal(path string) {
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, syscall.SIGUSR1, syscall.SIGUSR2)
	go func() {
		var f *os.File
		for s := range sig {
			switch {
			case s == syscall.SIGUSR1 && f == nil:
				var err error
				if f, err = os.Create(path); err != nil {
					fmt.Fprintln(os.Stderr, "bareprobe:", err)
					continue
				}
				if err := pprof.StartCPUProfile(f); err != nil {
					fmt.Fprintln(os.Stderr, "bareprobe:", err)
				}
			case s == syscall.SIGUSR2 && f != nil:
				pprof.StopCPUProfile()
				f.Close()
				f = nil
			}
		}
	}()
}

func (p *probe) report() {
	for range time.Tick(time.Second) {
		fmt.Printf("done=%d ontime=%d late=%d failed=%d\n", p.done.Load(), p.onTime.Load(), p.late.Load(), p.failed.Load())
	}
}

func readLines(name string) ([]string, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}
