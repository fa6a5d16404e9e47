package history

import (
	"encoding/binary"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// MonitorInfo is what history knows about a monitor as a whole.
type MonitorInfo struct {
	Name   string
	First  time.Time // its first result still on record
	Last   time.Time // its latest result
	Status Status    // the status of its latest result
	Since  time.Time // when Status began
	// Codes and Classes seen since the monitor went down, while it is down.
	Codes   []int
	Classes []string
}

// bucket is an hour whose rollups are not yet written.
type bucket struct {
	start   int64 // unix seconds, a multiple of 3600
	rollups map[string]*Rollup
	trans   []*Transition
}

// aggregator keeps monitor states and the open hourly buckets. It is fed
// every record in order (at append time, and on replay after open).
type aggregator struct {
	mons    map[string]*MonitorInfo
	buckets map[int64]*bucket
	// flushed: hours before it are written to rollup files (unix s).
	flushed int64
}

func newAggregator() *aggregator {
	return &aggregator{mons: map[string]*MonitorInfo{}, buckets: map[int64]*bucket{}}
}

func hourOf(unix int64) int64 { return unix - mod(unix, 3600) }
func dayOf(unix int64) int64  { return unix - mod(unix, 86400) }

func mod(a, b int64) int64 {
	m := a % b
	if m < 0 {
		m += b
	}
	return m
}

// add feeds one record and reports whether the monitor's status changed.
func (a *aggregator) add(r *Record) bool {
	name := clipString(r.Monitor)
	st := a.mons[name]
	if st == nil {
		st = &MonitorInfo{Name: name, First: r.Time, Last: r.Time, Since: r.Time}
		a.mons[name] = st
	}
	if r.Time.Before(st.First) {
		st.First = r.Time
	}
	if r.Time.After(st.Last) {
		st.Last = r.Time
	}
	h := hourOf(r.Time.Unix())
	if a.flushed == 0 {
		a.flushed = h
	}
	if h < a.flushed {
		h = a.flushed // late for its hour: counted in the first open one
	}
	b := a.buckets[h]
	if b == nil {
		b = &bucket{start: h, rollups: map[string]*Rollup{}}
		a.buckets[h] = b
	}
	ru := b.rollups[name]
	if ru == nil {
		ru = &Rollup{Monitor: name, Start: time.Unix(h, 0).UTC(), Period: time.Hour}
		b.rollups[name] = ru
	}
	ru.add(r)
	changed := false
	if r.Status != st.Status {
		t := &Transition{Monitor: name, Time: r.Time, From: st.Status, To: r.Status, Since: st.Since,
			Code: r.Code, Class: clipTo(r.Class, maxClass)}
		if st.Status == StatusDown {
			t.Codes, t.Classes = st.Codes, st.Classes
		}
		b.trans = append(b.trans, t)
		st.Status, st.Since, st.Codes, st.Classes = r.Status, r.Time, nil, nil
		changed = true
	}
	if r.Status == StatusDown {
		if r.Code != 0 && !slices.Contains(st.Codes, r.Code) && len(st.Codes) < maxIncidentKinds {
			st.Codes = append(st.Codes, r.Code)
		}
		if c := clipTo(r.Class, maxClass); c != "" && !slices.Contains(st.Classes, c) && len(st.Classes) < maxIncidentKinds {
			st.Classes = append(st.Classes, c)
		}
	}
	return changed
}

// due returns the open buckets that start before target, oldest first.
func (a *aggregator) due(target int64) []*bucket {
	var out []*bucket
	for s, b := range a.buckets {
		if s < target {
			out = append(out, b)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].start < out[j].start })
	return out
}

// sortedRollups returns a bucket's rollups by monitor name.
func (b *bucket) sortedRollups() []*Rollup {
	out := make([]*Rollup, 0, len(b.rollups))
	for _, r := range b.rollups {
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Monitor < out[j].Monitor })
	return out
}

// position is a place in the raw log: records before it are accounted for.
type position struct {
	seg int
	off int64
}

// checkpoint is the aggregator's state as of a raw position, and how far
// each rollup file family was written when it was taken.
type checkpoint struct {
	pos   position
	agg   *aggregator
	files [numFamilies]fileMark
}

// fileMark is the newest file of a family and its size.
type fileMark struct {
	name string
	size int64
}

const ckptMagic = "UPBHCKP1"

func (c *checkpoint) encode() []byte {
	p := binary.AppendUvarint(nil, 1)
	p = binary.AppendUvarint(p, uint64(c.pos.seg))
	p = binary.AppendUvarint(p, uint64(c.pos.off))
	p = binary.AppendVarint(p, c.agg.flushed)
	for _, f := range c.files {
		p = appendStr(p, f.name)
		p = binary.AppendUvarint(p, uint64(f.size))
	}
	names := make([]string, 0, len(c.agg.mons))
	for n := range c.agg.mons {
		names = append(names, n)
	}
	sort.Strings(names)
	p = binary.AppendUvarint(p, uint64(len(names)))
	for _, n := range names {
		m := c.agg.mons[n]
		p = appendStr(p, m.Name)
		p = binary.AppendVarint(p, m.First.UnixMilli())
		p = binary.AppendVarint(p, m.Last.UnixMilli())
		p = append(p, byte(m.Status))
		p = binary.AppendVarint(p, m.Since.UnixMilli())
		p = binary.AppendUvarint(p, uint64(len(m.Codes)))
		for _, x := range m.Codes {
			p = binary.AppendVarint(p, int64(x))
		}
		p = binary.AppendUvarint(p, uint64(len(m.Classes)))
		for _, x := range m.Classes {
			p = appendStr(p, x)
		}
	}
	bs := c.agg.due(1 << 62)
	p = binary.AppendUvarint(p, uint64(len(bs)))
	var tmp []byte
	for _, b := range bs {
		p = binary.AppendVarint(p, b.start)
		rs := b.sortedRollups()
		p = binary.AppendUvarint(p, uint64(len(rs)))
		for _, r := range rs {
			tmp = r.appendTo(tmp[:0])
			p = appendStr(p, string(tmp))
		}
		p = binary.AppendUvarint(p, uint64(len(b.trans)))
		for _, t := range b.trans {
			tmp = t.appendTo(tmp[:0])
			p = appendStr(p, string(tmp))
		}
	}
	return appendFrame([]byte(ckptMagic), p)
}

func decodeCheckpoint(data []byte) (*checkpoint, error) {
	if len(data) < len(ckptMagic) || string(data[:len(ckptMagic)]) != ckptMagic {
		return nil, fmt.Errorf("%w: bad checkpoint magic", ErrCorrupt)
	}
	p, n, err := readFrame(data[len(ckptMagic):], len(data))
	if err != nil {
		return nil, err
	}
	if len(ckptMagic)+n != len(data) {
		return nil, fmt.Errorf("%w: bytes after checkpoint", ErrCorrupt)
	}
	d := &buf{b: p}
	if v := d.uvarint("version"); v != 1 {
		return nil, fmt.Errorf("%w: checkpoint version %d", ErrCorrupt, v)
	}
	c := &checkpoint{agg: newAggregator()}
	c.pos.seg = int(d.uvarint("segment"))
	c.pos.off = int64(d.uvarint("offset"))
	c.agg.flushed = d.varint("flushed")
	for i := range c.files {
		c.files[i].name = d.str("file name")
		c.files[i].size = int64(d.uvarint("file size"))
		if strings.ContainsAny(c.files[i].name, `/\`) {
			d.fail("file name")
		}
	}
	nm := d.uvarint("monitors")
	for i := uint64(0); i < nm && d.err == nil; i++ {
		m := &MonitorInfo{Name: d.str("name")}
		m.First = time.UnixMilli(d.varint("first")).UTC()
		m.Last = time.UnixMilli(d.varint("last")).UTC()
		m.Status = Status(d.byte1("status"))
		m.Since = time.UnixMilli(d.varint("since")).UTC()
		k := d.uvarint("codes")
		if k > maxIncidentKinds {
			d.fail("codes")
		}
		for j := uint64(0); j < k && d.err == nil; j++ {
			m.Codes = append(m.Codes, int(d.varint("code")))
		}
		k = d.uvarint("classes")
		if k > maxIncidentKinds {
			d.fail("classes")
		}
		for j := uint64(0); j < k && d.err == nil; j++ {
			m.Classes = append(m.Classes, d.str("class"))
		}
		c.agg.mons[m.Name] = m
	}
	nb := d.uvarint("buckets")
	for i := uint64(0); i < nb && d.err == nil; i++ {
		b := &bucket{start: d.varint("bucket start"), rollups: map[string]*Rollup{}}
		k := d.uvarint("rollups")
		for j := uint64(0); j < k && d.err == nil; j++ {
			r, err := decodeRollup(d.bytes(d.uvarint("rollup"), "rollup"))
			if err != nil {
				return nil, err
			}
			b.rollups[r.Monitor] = r
		}
		k = d.uvarint("transitions")
		for j := uint64(0); j < k && d.err == nil; j++ {
			t, err := decodeTransition(d.bytes(d.uvarint("transition"), "transition"))
			if err != nil {
				return nil, err
			}
			b.trans = append(b.trans, t)
		}
		c.agg.buckets[b.start] = b
	}
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}
