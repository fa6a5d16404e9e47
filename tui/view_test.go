package tui_test

import (
	"math"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/upbeat-monitor/upbeat/tui"
)

// View and the drawing behind it change nothing. After the messages of a
// session, handled without drawing: drawing the frame twice from the model
// gives the same frame and leaves the whole model, walked field by field
// down every pointer, as it was. Then, the frame drawn as Update draws it:
// View twice returns it and changes nothing either. Only the caches of
// drawn text (sparklines, the detail's lines and chart) may fill: they are
// not state, and what is drawn is the same whether they are full or not.
func TestViewChangesNothing(t *testing.T) {
	t.Parallel()
	enter := tea.KeyMsg{Type: tea.KeyEnter}
	for _, c := range []struct {
		name string
		w, h int
		msgs []tea.Msg
	}{
		{"table", 80, 24, nil},
		{"table beside the log", 200, 50, nil},
		{"grouped and sorted", 120, 40, []tea.Msg{keyRunes("t"), keyRunes("s"), keyRunes("j")}},
		{"detail", 120, 40, []tea.Msg{keyRunes("j"), enter, keyRunes("j"), keyRunes("j")}},
		// scrolled to the end, then a taller screen: drawing must not pull
		// the offset back itself
		{"detail scrolled, then taller", 80, 24, []tea.Msg{enter, keyRunes("G"), tea.WindowSizeMsg{Width: 80, Height: 60}}},
		{"detail narrow", 60, 20, []tea.Msg{enter, tea.MouseMsg{Action: tea.MouseActionPress, Button: tea.MouseButtonWheelDown}}},
		{"help", 80, 24, []tea.Msg{keyRunes("?")}},
		{"help wide", 160, 40, []tea.Msg{enter, keyRunes("?")}},
		{"filter typing", 80, 24, []tea.Msg{keyRunes("/sho")}},
		{"filter kept", 60, 24, []tea.Msg{keyRunes("/down"), enter}},
		{"maintenance prompt", 80, 24, []tea.Msg{keyRunes("m")}},
		{"maintenance prompt from the detail", 100, 30, []tea.Msg{enter, keyRunes("m")}},
		{"flash", 80, 24, []tea.Msg{keyRunes("c")}},
		{"too small", 20, 5, nil},
		{"no size", 0, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			m := tui.New(newSource(), testOptions())
			defer m.Close()
			msgs := append([]tea.Msg{tea.WindowSizeMsg{Width: c.w, Height: c.h}}, c.msgs...)
			for _, msg := range msgs {
				cmd := tui.Step(m, msg)
				if k, ok := msg.(tea.KeyMsg); ok && k.Type == tea.KeyEnter && cmd != nil {
					tui.Step(m, cmd()) // the detail view's history
				}
			}
			checkDrawingChangesNothing(t, m)
		})
	}
}

func checkDrawingChangesNothing(t *testing.T, m *tui.Model) {
	t.Helper()
	before := dumpState(m)
	r1, r2 := tui.Render(m), tui.Render(m)
	if after := dumpState(m); before.sum != after.sum {
		t.Fatalf("drawing changed the model: %s", before.diff(after))
	}
	if r1 != r2 {
		t.Fatalf("drawing twice gave two frames:\n%s\n----\n%s", r1, r2)
	}
	tui.Draw(m)
	before = dumpState(m)
	v1, v2 := m.View(), m.View()
	if after := dumpState(m); before.sum != after.sum {
		t.Fatalf("View changed the model: %s", before.diff(after))
	}
	if v1 != v2 || v1 != r1 {
		t.Fatalf("View gave %q then %q, the model draws %q", v1, v2, r1)
	}
}

// caches are the types whose values may change while drawing: rendered
// text kept between frames.
var caches = map[string]bool{"tui.sparkCache": true, "tui.lineCache": true, "tui.latencyChart": true}

// external are the types of what the model uses but does not own: the
// terminal's renderer, time zones, and the fake source (read, never
// written, and large).
var external = map[string]bool{"lipgloss.Renderer": true, "time.Location": true, "tuitest.Source": true}

// modelState is a fingerprint of everything reachable from a model,
// unexported fields included, except caches and external things: a hash
// of it all, and one of each field of the model and of its components
// (to say where two differ).
type modelState struct {
	sum    uint64
	fields map[string]uint64
}

func dumpState(m *tui.Model) modelState {
	d := newDumper()
	return modelState{sum: d.hash(reflect.ValueOf(m), "Model", 0), fields: d.fields}
}

func newDumper() *dumper {
	return &dumper{seen: map[uintptr]int{}, fields: map[string]uint64{}, skip: map[reflect.Type]bool{}}
}

// diff names the fields that differ.
func (a modelState) diff(b modelState) string {
	var out []string
	for k, v := range a.fields {
		if b.fields[k] != v {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return "changed: " + strings.Join(out, ", ")
}

type dumper struct {
	seen   map[uintptr]int
	fields map[string]uint64
	skip   map[reflect.Type]bool // caches and external types, by type (a type's name is slow to ask for)
}

// fnv64 is FNV-1a, 64 bits, kept in a value: a model has tens of
// thousands of values to hash, so nothing here allocates.
type fnv64 uint64

const (
	fnvOffset fnv64 = 14695981039346656037
	fnvPrime  fnv64 = 1099511628211
)

func (h *fnv64) num(n uint64) {
	for i := 0; i < 8; i++ {
		*h = (*h ^ fnv64(byte(n))) * fnvPrime
		n >>= 8
	}
}

func (h *fnv64) str(s string) {
	h.num(uint64(len(s)))
	for i := 0; i < len(s); i++ {
		*h = (*h ^ fnv64(s[i])) * fnvPrime
	}
}

// hash returns the hash of v; path is where it is, for the fields within
// the first levels (the model's, then its components').
func (d *dumper) hash(v reflect.Value, path string, depth int) uint64 {
	h := fnvOffset
	d.write(&h, v, path, depth)
	return uint64(h)
}

// skipped reports whether values of t are left out (caches, external:
// all of them structs).
func (d *dumper) skipped(t reflect.Type) bool {
	if t.Kind() != reflect.Struct {
		return false
	}
	skip, ok := d.skip[t]
	if !ok {
		skip = caches[t.String()] || external[t.String()]
		d.skip[t] = skip
	}
	return skip
}

func (d *dumper) write(h *fnv64, v reflect.Value, path string, depth int) {
	if !v.IsValid() {
		h.str("<invalid>")
		return
	}
	t := v.Type()
	if d.skipped(t) {
		h.str(t.String())
		return
	}
	switch v.Kind() {
	case reflect.Pointer:
		if v.IsNil() {
			h.str("nil")
			return
		}
		if n, ok := d.seen[v.Pointer()]; ok {
			h.str("seen")
			h.num(uint64(n))
			return
		}
		d.seen[v.Pointer()] = len(d.seen)
		d.write(h, v.Elem(), path, depth)
	case reflect.Interface:
		if v.IsNil() {
			h.str("nil")
			return
		}
		h.str(v.Elem().Type().String())
		d.write(h, v.Elem(), path, depth)
	case reflect.Struct:
		if t == timeType && timeLayoutKnown && v.CanAddr() && depth >= 2 {
			d.time(h, v, path, depth)
			return
		}
		for i := 0; i < v.NumField(); i++ {
			if depth < 2 {
				p := path + "." + t.Field(i).Name
				sub := d.hash(v.Field(i), p, depth+1)
				d.fields[p] = sub
				h.num(sub)
				continue
			}
			d.write(h, v.Field(i), path, depth+1)
		}
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			h.str("nil")
			return
		}
		h.num(uint64(v.Len()))
		for i := 0; i < v.Len(); i++ {
			d.write(h, v.Index(i), path, depth+1)
		}
	case reflect.Map:
		if v.IsNil() {
			h.str("nil")
			return
		}
		// in any order: the sum of the entries' hashes
		var sum uint64
		for it := v.MapRange(); it.Next(); {
			e := fnvOffset
			d.write(&e, it.Key(), path, depth+1)
			d.write(&e, it.Value(), path, depth+1)
			sum += uint64(e)
		}
		h.num(uint64(v.Len()))
		h.num(sum)
	case reflect.Func, reflect.Chan, reflect.UnsafePointer:
		h.str(v.Kind().String())
		h.num(boolNum(v.IsNil()))
	case reflect.Bool:
		h.num(boolNum(v.Bool()))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		h.num(uint64(v.Int()))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		h.num(v.Uint())
	case reflect.Float32, reflect.Float64:
		h.num(math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		h.num(math.Float64bits(real(v.Complex())))
		h.num(math.Float64bits(imag(v.Complex())))
	case reflect.String:
		h.str(v.String())
	default:
		h.str(v.Kind().String())
	}
}

// timeType is the type of time.Time, whose fields are hashed without
// reflection: a model holds thousands of them (every sample's), and
// reflecting on each of their fields is most of the time a dump takes.
var timeType = reflect.TypeFor[time.Time]()

// timeFields are time.Time's fields, in order.
type timeFields struct {
	wall uint64
	ext  int64
	loc  *time.Location
}

// timeLayoutKnown is whether time.Time is laid out as timeFields (else
// times are reflected on like any struct).
var timeLayoutKnown = func() bool {
	want := reflect.TypeFor[timeFields]()
	if timeType.NumField() != want.NumField() || timeType.Size() != want.Size() {
		return false
	}
	for i := range want.NumField() {
		a, b := timeType.Field(i), want.Field(i)
		if a.Name != b.Name || a.Type != b.Type || a.Offset != b.Offset {
			return false
		}
	}
	return true
}()

// time writes the time.Time at v (addressable) as write writes a struct:
// each field in order, the location as a pointer.
func (d *dumper) time(h *fnv64, v reflect.Value, path string, depth int) {
	f := (*timeFields)(v.Addr().UnsafePointer())
	h.num(f.wall)
	h.num(uint64(f.ext))
	d.write(h, reflect.ValueOf(f.loc), path, depth+1)
}

func boolNum(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// The dump's shortcut for times sees a change of each of their fields:
// the instant, the monotonic reading, the location.
func TestDumpSeesTimes(t *testing.T) {
	t.Parallel()
	if !timeLayoutKnown {
		t.Fatal("time.Time is not laid out as the dump expects: it reflects on times, slowly")
	}
	at := []time.Time{fixedNow, fixedNow}
	sum := func() uint64 { return newDumper().hash(reflect.ValueOf(at), "at", 2) }
	before := sum()
	now := time.Now()
	for _, c := range []struct {
		name string
		t    time.Time
	}{
		{"instant", fixedNow.Add(time.Nanosecond)},
		{"location", fixedNow.In(time.FixedZone("X", 3600))},
		{"monotonic reading", now},
		{"no monotonic reading", now.Round(0)},
	} {
		at[1] = c.t
		if after := sum(); after == before {
			t.Errorf("a change of the %s left no trace in the dump", c.name)
		}
		before = sum()
	}
}

// The test above would pass for a model that never changes: a screen
// whose state did change shows it. (A sanity check of dumpState.)
func TestDumpStateSeesAChange(t *testing.T) {
	t.Parallel()
	m := tui.New(newSource(), testOptions())
	defer m.Close()
	m.Update(tea.WindowSizeMsg{Width: 80, Height: 24})
	before := dumpState(m)
	m.Update(keyRunes("j"))
	if dumpState(m).sum == before.sum {
		t.Fatal("moving the selection left no trace in the dump")
	}
}

// A name too long for its column loses its middle, not its end, so that
// names alike but for their ends stay apart.
func TestLongNamesKeepTheirEnds(t *testing.T) {
	t.Parallel()
	a, b := tui.CutMiddle("payments-gateway-eu-primary", 20), tui.CutMiddle("payments-gateway-eu-replica", 20)
	if a == b || a != "payments-gate…rimary" || tui.CutMiddle("short", 20) != "short" || tui.CutMiddle("abcdefghij", 6) != "abcde…" {
		t.Errorf("cut to 20: %q and %q", a, b)
	}
}
