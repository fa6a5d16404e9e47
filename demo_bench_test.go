package main

import (
	"context"
	"io"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/teatest"
	"github.com/upbeat-monitor/upbeat/demo"
	"github.com/upbeat-monitor/upbeat/tui"
)

// BenchmarkDemoTerminalBytes runs the real dashboard on the demo at
// 160x40 and reports the bytes it writes to the terminal per second once
// it is past its first frames (what a dashboard over SSH costs):
//
//	go test . -run '^$' -bench DemoTerminalBytes -benchtime 1x
//
// It takes about 40 s of real time: the demo's story runs on the wall clock.
func BenchmarkDemoTerminalBytes(b *testing.B) {
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		origin, err := demo.Start(ctx, demo.Options{})
		if err != nil {
			b.Fatal(err)
		}
		rt, err := newRuntime(origin.Config(), runtimeOptions{getenv: os.Getenv, historyDir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		done := make(chan struct{})
		go func() { rt.eng.Run(ctx); close(done) }()
		src := rt.localSource("built-in demo", true)
		tm := teatest.NewTestModel(b, tui.New(src, tui.Options{}), teatest.WithInitialTermSize(160, 40))
		var n atomic.Int64
		stopCount := make(chan struct{})
		go countOutput(tm.Output(), &n, stopCount)

		time.Sleep(10 * time.Second) // the first frames and the first round of checks
		start, t0 := n.Load(), time.Now()
		time.Sleep(30 * time.Second)
		perSec := float64(n.Load()-start) / time.Since(t0).Seconds()

		close(stopCount)
		tm.Quit()
		tm.WaitFinished(b, teatest.WithFinalTimeout(5*time.Second))
		cancel()
		<-done
		rt.Close()
		origin.Close()
		b.ReportMetric(perSec, "bytes/s")
	}
}

// countOutput counts what the program writes. teatest's output reader
// says EOF whenever it is empty for now, so it is polled.
func countOutput(r io.Reader, n *atomic.Int64, stop <-chan struct{}) {
	buf := make([]byte, 64<<10)
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for {
		k, _ := r.Read(buf)
		n.Add(int64(k))
		if k > 0 {
			continue
		}
		select {
		case <-stop:
			return
		case <-tick.C:
		}
	}
}
