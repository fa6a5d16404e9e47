package maint

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

var (
	api  = &monitor.Monitor{Name: "api", Tags: []string{"prod"}}
	shop = &monitor.Monitor{Name: "shop", Tags: []string{"prod", "web"}}
	blog = &monitor.Monitor{Name: "blog"}
)

func utc(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func mustNew(t *testing.T, cfgs ...*Config) *Windows {
	t.Helper()
	w, err := New(cfgs)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// expect checks Active for m at each listed UTC time.
func expect(t *testing.T, w *Windows, m *monitor.Monitor, want map[string]bool) {
	t.Helper()
	for at, on := range want {
		name, ok := w.Active(m, utc(at))
		if ok != on {
			t.Errorf("%s at %s: active=%v (%q), want %v", m.Name, at, ok, name, on)
		}
	}
}

func TestOneOffWindow(t *testing.T) {
	w := mustNew(t, &Config{
		Name: "deploy", Monitors: []string{"api"},
		Start: utc("2026-11-24T02:00:00Z"), End: utc("2026-11-24T02:30:00Z"),
	})
	expect(t, w, api, map[string]bool{
		"2026-11-24T01:59:59Z": false,
		"2026-11-24T02:00:00Z": true,
		"2026-11-24T02:29:59Z": true,
		"2026-11-24T02:30:00Z": false, // the end is not inside
	})
	expect(t, w, shop, map[string]bool{"2026-11-24T02:10:00Z": false})
	if name, _ := w.Active(api, utc("2026-11-24T02:10:00Z")); name != "deploy" {
		t.Errorf("name = %q, want deploy", name)
	}
}

func TestSelectors(t *testing.T) {
	at := "2026-11-24T02:10:00Z"
	win := func(monitors, tags []string) *Config {
		return &Config{Name: "w", Monitors: monitors, Tags: tags,
			Start: utc("2026-11-24T02:00:00Z"), End: utc("2026-11-24T03:00:00Z")}
	}
	byTag := mustNew(t, win(nil, []string{"web"}))
	expect(t, byTag, shop, map[string]bool{at: true})
	expect(t, byTag, api, map[string]bool{at: false})

	all := mustNew(t, win(nil, nil))
	for _, m := range []*monitor.Monitor{api, shop, blog} {
		expect(t, all, m, map[string]bool{at: true})
	}

	either := mustNew(t, win([]string{"blog"}, []string{"web"}))
	expect(t, either, blog, map[string]bool{at: true})
	expect(t, either, shop, map[string]bool{at: true})
	expect(t, either, api, map[string]bool{at: false})
}

func TestWeeklyWindowInBerlin(t *testing.T) {
	// Mondays at 02:00 Berlin time for an hour. 2026-11-23 is a Monday; Berlin is UTC+1 in November.
	w := mustNew(t, &Config{
		Name: "weekly", Weekdays: []string{"Mon"}, At: "02:00", Duration: time.Hour, Timezone: "Europe/Berlin",
	})
	expect(t, w, api, map[string]bool{
		"2026-11-23T00:59:00Z": false,
		"2026-11-23T01:00:00Z": true,
		"2026-11-23T01:59:59Z": true,
		"2026-11-23T02:00:00Z": false,
		"2026-11-24T01:30:00Z": false, // Tuesday
		"2026-11-30T01:30:00Z": true,  // next Monday
		// Summer: Berlin is UTC+2, so 02:00 local is 00:00 UTC.
		"2026-07-06T00:30:00Z": true,
		"2026-07-06T01:30:00Z": false,
	})
}

func TestDailyWindowAcrossSpringForward(t *testing.T) {
	// New York springs forward on 2026-03-08: 02:00 EST becomes 03:00 EDT at 07:00 UTC.
	// A daily 02:30 window does not exist that night; it starts at the change instead.
	w := mustNew(t, &Config{
		Name: "nightly", At: "02:30", Duration: time.Hour, Timezone: "America/New_York",
	})
	expect(t, w, api, map[string]bool{
		// The night before: 02:30 EST = 07:30 UTC.
		"2026-03-07T07:29:00Z": false,
		"2026-03-07T07:30:00Z": true,
		"2026-03-07T08:29:00Z": true,
		"2026-03-07T08:30:00Z": false,
		// The night of the change: from 03:00 EDT (07:00 UTC) for an hour.
		"2026-03-08T06:59:59Z": false,
		"2026-03-08T07:00:00Z": true,
		"2026-03-08T07:59:59Z": true,
		"2026-03-08T08:00:00Z": false,
		// The night after: 02:30 EDT = 06:30 UTC.
		"2026-03-09T06:29:00Z": false,
		"2026-03-09T06:30:00Z": true,
		"2026-03-09T07:29:00Z": true,
		"2026-03-09T07:30:00Z": false,
	})
}

func TestCronWindowAcrossSpringForwardInBerlin(t *testing.T) {
	// Berlin springs forward on 2026-03-29 at 01:00 UTC (02:00 CET → 03:00 CEST).
	w := mustNew(t, &Config{
		Name: "sunday", Cron: "30 2 * * sun", Duration: 30 * time.Minute, Timezone: "Europe/Berlin",
	})
	expect(t, w, api, map[string]bool{
		"2026-03-22T01:30:00Z": true, // 02:30 CET the week before
		"2026-03-29T00:59:00Z": false,
		"2026-03-29T01:00:00Z": true, // 03:00 CEST, the end of the gap
		"2026-03-29T01:29:59Z": true,
		"2026-03-29T01:30:00Z": false,
		"2026-04-05T00:30:00Z": true, // 02:30 CEST the week after
	})
}

func TestWindowSpanningTheChangeKeepsItsLength(t *testing.T) {
	// 01:00 EST on 2026-03-08 is 06:00 UTC; three hours of elapsed time end at 09:00 UTC (05:00 EDT).
	w := mustNew(t, &Config{
		Name: "long", Cron: "0 1 * * *", Duration: 3 * time.Hour, Timezone: "America/New_York",
	})
	expect(t, w, api, map[string]bool{
		"2026-03-08T05:59:00Z": false,
		"2026-03-08T06:00:00Z": true,
		"2026-03-08T08:59:59Z": true,
		"2026-03-08T09:00:00Z": false,
	})
}

func TestFallBackRepeatsNoWindow(t *testing.T) {
	// New York falls back on 2026-11-01: 01:00–02:00 happens twice (EDT, then EST).
	// A 01:30 window happens once, the first time.
	w := mustNew(t, &Config{
		Name: "nightly", At: "01:30", Duration: 20 * time.Minute, Timezone: "America/New_York",
	})
	expect(t, w, api, map[string]bool{
		"2026-11-01T05:29:00Z": false,
		"2026-11-01T05:30:00Z": true, // 01:30 EDT
		"2026-11-01T05:49:00Z": true,
		"2026-11-01T05:50:00Z": false,
		"2026-11-01T06:35:00Z": false, // 01:35 EST, the repeat
		"2026-11-02T06:35:00Z": true,  // 01:35 EST the next night
	})
}

func TestCronDayFields(t *testing.T) {
	// Day of month and weekday both restricted: either matches (classic cron).
	w := mustNew(t, &Config{
		Name: "c", Cron: "0 3 1 * mon", Duration: time.Hour,
	})
	expect(t, w, api, map[string]bool{
		"2026-12-01T03:30:00Z": true,  // the 1st, a Tuesday
		"2026-11-30T03:30:00Z": true,  // a Monday
		"2026-12-02T03:30:00Z": false, // neither
	})
	// Month names and a step.
	w = mustNew(t, &Config{Name: "q", Cron: "*/15 4 * jan,jul *", Duration: 5 * time.Minute})
	expect(t, w, api, map[string]bool{
		"2026-01-10T04:45:00Z": true,
		"2026-01-10T04:50:00Z": false,
		"2026-02-10T04:45:00Z": false,
	})
	// A zone given inside the cron line.
	w = mustNew(t, &Config{Name: "tz", Cron: "CRON_TZ=Asia/Tokyo 0 9 * * *", Duration: time.Hour})
	expect(t, w, api, map[string]bool{"2026-11-24T00:30:00Z": true, "2026-11-24T09:30:00Z": false})
}

func TestLongDurationCoversDays(t *testing.T) {
	w := mustNew(t, &Config{
		Name: "freeze", Cron: "0 0 1 12 *", Duration: 10 * 24 * time.Hour,
	})
	expect(t, w, api, map[string]bool{
		"2026-12-05T12:00:00Z": true,
		"2026-12-11T00:00:00Z": false,
		"2026-11-30T23:00:00Z": false,
	})
}

func TestAdhoc(t *testing.T) {
	w := mustNew(t)
	now := utc("2026-11-24T10:00:00Z")
	w.Add("api", now.Add(30*time.Minute))
	if name, ok := w.Active(api, now.Add(10*time.Minute)); !ok || name != AdhocName {
		t.Fatalf("api: %q %v, want ad-hoc", name, ok)
	}
	expect(t, w, api, map[string]bool{"2026-11-24T10:30:00Z": false})
	expect(t, w, shop, map[string]bool{"2026-11-24T10:10:00Z": false})
	if got := w.Adhoc(now); len(got) != 1 || !got["api"].Equal(now.Add(30*time.Minute)) {
		t.Errorf("Adhoc = %v", got)
	}
	if !w.Cancel("api") || w.Cancel("api") {
		t.Error("Cancel should report the window once")
	}
	expect(t, w, api, map[string]bool{"2026-11-24T10:10:00Z": false})

	w.Add("", now.Add(time.Hour)) // every monitor
	expect(t, w, blog, map[string]bool{"2026-11-24T10:59:00Z": true, "2026-11-24T11:00:00Z": false})

	// Ad-hoc windows survive a reload of the configured ones.
	if err := w.Update([]*Config{{Name: "x", At: "05:00", Duration: time.Minute}}); err != nil {
		t.Fatal(err)
	}
	expect(t, w, blog, map[string]bool{"2026-11-24T10:59:00Z": true, "2026-11-24T05:00:30Z": true})
}

func TestInvalidWindows(t *testing.T) {
	start, end := utc("2026-11-24T02:00:00Z"), utc("2026-11-24T03:00:00Z")
	cases := []struct {
		cfg  Config
		want error
	}{
		{Config{}, ErrNoSchedule},
		{Config{Start: start}, ErrNoSchedule},
		{Config{Start: end, End: start}, ErrEndBefore},
		{Config{Start: start, End: end, At: "02:00", Duration: time.Hour}, ErrTwoKinds},
		{Config{At: "02:00"}, ErrNoDuration},
		{Config{At: "2pm", Duration: time.Hour}, ErrBadTime},
		{Config{At: "24:00", Duration: time.Hour}, ErrBadTime},
		{Config{Weekdays: []string{"mon"}, Duration: time.Hour}, ErrBadTime},
		{Config{Weekdays: []string{"funday"}, At: "01:00", Duration: time.Hour}, ErrBadWeekday},
		{Config{Cron: "0 2 * * *", At: "02:00", Duration: time.Hour}, ErrCronAndAt},
		{Config{At: "02:00", Duration: time.Hour, Timezone: "Mars/Olympus"}, ErrBadTimezone},
	}
	for _, c := range cases {
		c.cfg.Name = "bad"
		_, err := New([]*Config{&c.cfg})
		if !errors.Is(err, c.want) {
			t.Errorf("%+v: error %v, want %v", c.cfg, err, c.want)
		}
	}
	for _, line := range []string{"0 2 * *", "61 2 * * *", "@every 1h", "0 2 * * funday"} {
		_, err := New([]*Config{{Name: "c", Cron: line, Duration: time.Hour}})
		if err == nil {
			t.Errorf("cron %q: no error", line)
		}
	}
	_, err := New([]*Config{{Name: "deploy", At: "x", Duration: time.Hour}})
	if err == nil || err.Error() != `maintenance deploy: at must be HH:MM: "x"` {
		t.Errorf("error text: %v", err)
	}
}

func TestConcurrentUse(t *testing.T) {
	w := mustNew(t, &Config{Name: "n", At: "02:00", Duration: time.Hour})
	at := utc("2026-11-24T02:10:00Z")
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 200 {
				if i%2 == 0 {
					w.Add("api", at.Add(time.Duration(j)*time.Minute))
				} else if _, ok := w.Active(shop, at); !ok {
					t.Error("configured window lost")
					return
				}
			}
		}()
	}
	wg.Wait()
}

func TestWallStart(t *testing.T) {
	ny, err := time.LoadLocation("America/New_York")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		y       int
		mo      time.Month
		d, h, m int
		want    string
	}{
		{2026, 3, 8, 2, 30, "2026-03-08T07:00:00Z"},  // skipped: the moment of the change
		{2026, 3, 8, 3, 0, "2026-03-08T07:00:00Z"},   // the first valid time after it
		{2026, 3, 8, 1, 59, "2026-03-08T06:59:00Z"},  // just before
		{2026, 11, 1, 1, 30, "2026-11-01T05:30:00Z"}, // repeated: the first (EDT)
		{2026, 11, 1, 2, 0, "2026-11-01T07:00:00Z"},
		{2026, 6, 1, 12, 0, "2026-06-01T16:00:00Z"},
	}
	for _, c := range cases {
		got := wallStart(c.y, c.mo, c.d, c.h, c.m, ny)
		if !got.Equal(utc(c.want)) {
			t.Errorf("%d-%02d-%02d %02d:%02d: %s, want %s", c.y, c.mo, c.d, c.h, c.m, got.UTC().Format(time.RFC3339), c.want)
		}
	}
}

func BenchmarkActiveCron(b *testing.B) {
	w, err := New([]*Config{
		{Name: "a", Cron: "0 2 * * sun", Duration: 2 * time.Hour, Timezone: "Europe/Berlin", Tags: []string{"web"}},
		{Name: "b", Cron: "*/5 * * * *", Duration: time.Minute, Monitors: []string{"api"}},
	})
	if err != nil {
		b.Fatal(err)
	}
	t := utc("2026-11-24T02:10:00Z")
	for b.Loop() {
		w.Active(shop, t)
		w.Active(api, t)
	}
}

// TestLatestStartAgreesWithBruteForce compares the fast path and the day
// walk with a plain enumeration of every start around many instants,
// including ones near clock changes and in a zone with a 30-minute change.
func TestLatestStartAgreesWithBruteForce(t *testing.T) {
	zones := []string{"America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "UTC"}
	lines := []string{"30 2 * * *", "*/20 1-3 * * *", "0 0 * * sun", "45 23 31 * *"}
	rng := uint64(1)
	next := func(n int64) int64 { // xorshift, deterministic
		rng ^= rng << 13
		rng ^= rng >> 7
		rng ^= rng << 17
		return int64(rng % uint64(n))
	}
	base := utc("2026-01-01T00:00:00Z")
	for _, zn := range zones {
		loc, err := time.LoadLocation(zn)
		if err != nil {
			t.Fatal(err)
		}
		for _, line := range lines {
			s, _, err := parseCron(line)
			if err != nil {
				t.Fatal(err)
			}
			for range 300 {
				at := base.Add(time.Duration(next(365*24*60)) * time.Minute)
				dur := time.Duration(1+next(5*60)) * time.Minute
				got, gotOK := s.latestStart(at, dur, loc)
				// Brute force: every start on the days around at.
				var want time.Time
				lt := at.In(loc)
				for dd := -3; dd <= 1; dd++ {
					day := time.Date(lt.Year(), lt.Month(), lt.Day()+dd, 0, 0, 0, 0, time.UTC)
					if !s.dayMatches(day) {
						continue
					}
					for h := range 24 {
						for m := range 60 {
							if s.hour&(1<<uint(h)) == 0 || s.minute&(1<<uint(m)) == 0 {
								continue
							}
							st := wallStart(day.Year(), day.Month(), day.Day(), h, m, loc)
							if !st.After(at) && st.After(want) {
								want = st
							}
						}
					}
				}
				wantActive := !want.IsZero() && at.Before(want.Add(dur))
				gotActive := gotOK && at.Before(got.Add(dur))
				if wantActive != gotActive || (wantActive && !got.Equal(want)) {
					t.Fatalf("%s %q at %s dur %s: got %s %v, want %s %v", zn, line, at, dur, got, gotActive, want, wantActive)
				}
			}
		}
	}
}
