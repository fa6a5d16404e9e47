package history

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

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
		m.Status = monitor.Status(d.byte1("status"))
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
		b := &bucket{start: d.varint("bucket start"), rollups: map[string]*openRollup{}}
		k := d.uvarint("rollups")
		for j := uint64(0); j < k && d.err == nil; j++ {
			r, err := decodeRollup(d.bytes(d.uvarint("rollup"), "rollup"))
			if err != nil {
				return nil, err
			}
			b.rollups[r.Monitor] = openOf(r, b.start)
		}
		k = d.uvarint("transitions")
		for j := uint64(0); j < k && d.err == nil; j++ {
			t, err := decodeTransition(d.bytes(d.uvarint("transition"), "transition"))
			if err != nil {
				return nil, err
			}
			b.addTrans(t)
		}
		c.agg.buckets[b.start] = b
	}
	if d.err != nil {
		return nil, d.err
	}
	return c, nil
}

// loadCheckpoint reads the checkpoint in the rollup directory; nil when
// there is none.
func loadCheckpoint(rdir string) (*checkpoint, error) {
	data, err := os.ReadFile(filepath.Join(rdir, ckptName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	c, err := decodeCheckpoint(data)
	if err != nil {
		return nil, fmt.Errorf("read checkpoint: %w", err)
	}
	return c, nil
}
