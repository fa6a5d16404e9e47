package history

import (
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// Format 2 of raw segments (FORMAT.md): frames are blocks of results,
// each block holding up to a second of them, and a result is written as
// its difference from its monitor's baseline (a result kept with the
// monitor's definition), so that a typical result takes a dozen bytes.

// seg2Magic starts every segment file of format 2.
const seg2Magic = "UPBHSEG2"

// Record types of format 2 besides recHeader and recString.
const (
	recMonitor2 = 0x04 // a monitor's definition with its baseline
	recBlock    = 0x10 // starts a block's payload: the block's base time
	recPad      = 0x00 // padding to the end of a block's payload
)

// Bits of a row's first byte (recResult: the high bit is set).
const (
	rowClass = 1 << 3
	rowError = 1 << 4
	rowCode  = 1 << 5 // the code differs from the baseline's
	rowMore  = 1 << 6 // a uvarint of more-flags follows the mask byte
)

// More-flags of format 2: each announces a field that differs from the
// baseline's, and its value.
const (
	more2Attempts = 1 << iota
	more2RetryAfter
	more2FinalURL
	more2BodySize
	more2CertExpiry
	more2CertIssuer
	more2CertDays
	more2Registrar
	more2Answers
	more2Loss
	more2HTTPVersion
	more2Redirects
	more2CertUnverified // no payload: the flag is the baseline's, inverted
	more2Detail
)

// Phases in the order of a row's mask bits.
const numPhases = 5

func phasesOf(p *monitor.Phases) [numPhases]int64 {
	return [numPhases]int64{usec(p.DNS), usec(p.Connect), usec(p.TLS), usec(p.FirstByte), usec(p.Transfer)}
}

// baseline is the result a monitor's rows are written against, with its
// strings as dictionary ids (id+1; 0 for none).
type baseline struct {
	code                                      int64
	lat                                       int64 // µs
	phases                                    [numPhases]int64
	mask                                      uint8
	status                                    monitor.Status
	unverified                                bool
	attempts                                  int64
	retryAfter                                int64 // µs
	body                                      int64
	certExpiry                                int64 // unix ms; 0: none
	certDays                                  int64
	redirects                                 int64
	loss                                      uint64 // float64 bits
	final, issuer, registrar, version, detail uint64
	answers                                   []uint64
}

// zeroBaseline is what a monitor's own baseline is written against.
var zeroBaseline = baseline{attempts: 1}

// resid is the part of the baseline's latency its phases do not explain.
func (b *baseline) resid() int64 {
	r := b.lat
	for i := range numPhases {
		if b.mask&(1<<i) != 0 {
			r -= b.phases[i]
		}
	}
	return r
}

// rowIDs are a result's strings as dictionary ids (id+1; 0 for none).
type rowIDs struct {
	class, err, final, issuer, registrar, version, detail uint64
	answers                                               []uint64
}

// baselineOf makes a baseline of r.
func baselineOf(r *monitor.Result, ids *rowIDs) baseline {
	b := baseline{code: int64(r.Code), lat: usec(r.Latency), phases: phasesOf(&r.Phases), status: r.Status,
		unverified: r.CertUnverified, attempts: int64(r.Attempts), retryAfter: usec(r.RetryAfter), body: r.BodySize,
		certDays: int64(r.CertDays), redirects: int64(r.Redirects), loss: math.Float64bits(r.Loss),
		final: ids.final, issuer: ids.issuer, registrar: ids.registrar, version: ids.version, detail: ids.detail,
		answers: slices.Clone(ids.answers)}
	b.mask = phaseMask(&b.phases)
	if !r.CertExpiry.IsZero() {
		b.certExpiry = r.CertExpiry.UnixMilli()
	}
	return b
}

func phaseMask(ph *[numPhases]int64) uint8 {
	var m uint8
	for i, v := range ph {
		if v != 0 {
			m |= 1 << i
		}
	}
	return m
}

// appendRowBody appends what a row or a baseline holds besides the
// monitor and the time: r as its difference from b. A row's length never
// depends on b, so that a row whose monitor was defined in a damaged
// frame is still passed over.
func appendRowBody(p []byte, r *monitor.Result, ids *rowIDs, b *baseline, head func([]byte) []byte) []byte {
	flags := byte(recResult) | byte(r.Status)&resStatusMask
	if ids.class != 0 {
		flags |= rowClass
	}
	if ids.err != 0 {
		flags |= rowError
	}
	if int64(r.Code) != b.code {
		flags |= rowCode
	}
	ph := phasesOf(&r.Phases)
	mask := phaseMask(&ph)
	more := moreFlags2(r, ids, b)
	if more != 0 {
		flags |= rowMore
	}
	p = append(p, flags, mask)
	if more != 0 {
		p = binary.AppendUvarint(p, more)
	}
	if head != nil {
		p = head(p)
	}
	if flags&rowCode != 0 {
		p = binary.AppendVarint(p, int64(r.Code))
	}
	if ids.class != 0 {
		p = binary.AppendUvarint(p, ids.class-1)
	}
	if ids.err != 0 {
		p = binary.AppendUvarint(p, ids.err-1)
	}
	pred := b.resid()
	for i := range numPhases {
		if mask&(1<<i) != 0 {
			p = binary.AppendVarint(p, ph[i]-b.phases[i])
			pred += ph[i]
		}
	}
	p = binary.AppendVarint(p, usec(r.Latency)-pred)
	return appendMore2(p, r, ids, b, more)
}

// moreFlags2 says which of r's optional fields differ from b's.
func moreFlags2(r *monitor.Result, ids *rowIDs, b *baseline) uint64 {
	var more uint64
	set := func(cond bool, f uint64) {
		if cond {
			more |= f
		}
	}
	exp := int64(0)
	if !r.CertExpiry.IsZero() {
		exp = r.CertExpiry.UnixMilli()
	}
	set(int64(r.Attempts) != b.attempts, more2Attempts)
	set(usec(r.RetryAfter) != b.retryAfter, more2RetryAfter)
	set(ids.final != b.final, more2FinalURL)
	set(r.BodySize != b.body, more2BodySize)
	set(exp != b.certExpiry, more2CertExpiry)
	set(ids.issuer != b.issuer, more2CertIssuer)
	set(int64(r.CertDays) != b.certDays, more2CertDays)
	set(ids.registrar != b.registrar, more2Registrar)
	set(!slices.Equal(ids.answers, b.answers), more2Answers)
	set(math.Float64bits(r.Loss) != b.loss, more2Loss)
	set(ids.version != b.version, more2HTTPVersion)
	set(int64(r.Redirects) != b.redirects, more2Redirects)
	set(r.CertUnverified != b.unverified, more2CertUnverified)
	set(ids.detail != b.detail, more2Detail)
	return more
}

func appendMore2(p []byte, r *monitor.Result, ids *rowIDs, b *baseline, more uint64) []byte {
	if more&more2Attempts != 0 {
		p = binary.AppendVarint(p, int64(r.Attempts))
	}
	if more&more2RetryAfter != 0 {
		p = binary.AppendVarint(p, usec(r.RetryAfter))
	}
	if more&more2FinalURL != 0 {
		p = binary.AppendUvarint(p, ids.final)
	}
	if more&more2BodySize != 0 {
		p = binary.AppendVarint(p, r.BodySize-b.body)
	}
	if more&more2CertExpiry != 0 {
		exp := int64(0)
		if !r.CertExpiry.IsZero() {
			exp = r.CertExpiry.UnixMilli()
		}
		p = binary.AppendVarint(p, exp-b.certExpiry)
	}
	if more&more2CertIssuer != 0 {
		p = binary.AppendUvarint(p, ids.issuer)
	}
	if more&more2CertDays != 0 {
		p = binary.AppendVarint(p, int64(r.CertDays)-b.certDays)
	}
	if more&more2Registrar != 0 {
		p = binary.AppendUvarint(p, ids.registrar)
	}
	if more&more2Answers != 0 {
		p = binary.AppendUvarint(p, uint64(len(ids.answers)))
		for _, a := range ids.answers {
			p = binary.AppendUvarint(p, a-1)
		}
	}
	if more&more2Loss != 0 {
		p = binary.LittleEndian.AppendUint64(p, math.Float64bits(r.Loss))
	}
	if more&more2HTTPVersion != 0 {
		p = binary.AppendUvarint(p, ids.version)
	}
	if more&more2Redirects != 0 {
		p = binary.AppendVarint(p, int64(r.Redirects))
	}
	if more&more2Detail != 0 {
		p = binary.AppendUvarint(p, ids.detail)
	}
	return p
}

// endMS is the time a row is ordered by: when the result's check ended,
// in ms. Results reach the history as checks end, so it grows by a few
// ms from one row to the next; the start is the end less the latency.
func endMS(r *monitor.Result) int64 { return r.Time.UnixMilli() + floorDiv(usec(r.Latency), 1000) }

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// Rebaselining: a monitor whose rows keep costing more than rebaseCost
// bytes (its latency moved, its certificate changed) gets a new
// definition with a fresh baseline, at most maxRebases times a segment.
const (
	rebaseCost  = 14
	rebaseAfter = 8
	maxRebases  = 16
)

// monEnc is what the encoder keeps about a monitor in the segment.
type monEnc struct {
	id        uint64
	kind, url uint64 // dictionary ids: another kind or URL is another definition
	base      baseline
	costly    uint8 // rows in a row that cost more than rebaseCost
	rebases   uint8
	healthy   bool // the baseline's result was up
}

// blockEncoder turns results into the payloads of a segment's blocks. Its
// dictionary (strings, monitors and their baselines) is per segment, so
// every segment decodes on its own; numbers inside a block only refer to
// the block, so a damaged block loses nothing outside it.
type blockEncoder struct {
	segBase int64 // the header's base time, ms
	strs    map[string]uint64
	mons    map[string]*monEnc
	nmons   uint64
	prevMid int64 // the previous row's monitor in the block
	prevEnd int64 // the previous row's endMS in the block
	ids     rowIDs
}

func newBlockEncoder(base int64) *blockEncoder {
	return &blockEncoder{segBase: base, strs: map[string]uint64{}, mons: map[string]*monEnc{}}
}

// header2Frame returns the magic and the header frame that begin a
// segment of format 2.
func header2Frame(seg int, base int64) []byte {
	p := []byte{recHeader}
	p = binary.AppendUvarint(p, 2) // format version
	p = binary.AppendUvarint(p, uint64(seg))
	p = binary.AppendVarint(p, base)
	return appendFrame2([]byte(seg2Magic), p)
}

// startBlock appends the record that begins a block whose first row
// ends at first (ms).
func (e *blockEncoder) startBlock(p []byte, first int64) []byte {
	e.prevMid, e.prevEnd = -1, first
	p = append(p, recBlock)
	return binary.AppendVarint(p, first-e.segBase)
}

// sid returns s's dictionary id+1, appending its definition to p when it
// is new in the segment.
func (e *blockEncoder) sid(p *[]byte, s string) uint64 {
	if id, ok := e.strs[s]; ok {
		return id + 1
	}
	id := uint64(len(e.strs))
	e.strs[s] = id
	*p = append(*p, recString)
	*p = binary.AppendUvarint(*p, id)
	*p = appendStr(*p, s)
	return id + 1
}

// stringIDs looks up (or defines) the strings of r.
func (e *blockEncoder) stringIDs(p *[]byte, r *monitor.Result) *rowIDs {
	ids := &e.ids
	opt := func(s string) uint64 {
		if s == "" {
			return 0
		}
		return e.sid(p, clipString(s))
	}
	ids.class, ids.err, ids.final = opt(r.Class), opt(r.Error), opt(r.FinalURL)
	ids.issuer, ids.registrar, ids.version, ids.detail = opt(r.CertIssuer), opt(r.Registrar), opt(r.HTTPVersion), opt(r.Detail)
	ids.answers = ids.answers[:0]
	for i, a := range r.Answers {
		if i == maxAnswers {
			break
		}
		ids.answers = append(ids.answers, e.sid(p, clipTo(a, maxAnswer)))
	}
	return ids
}

// add appends r (and the definitions it needs) to a block's payload p.
func (e *blockEncoder) add(p []byte, r *monitor.Result) []byte {
	ids := e.stringIDs(&p, r)
	name := clipString(r.Monitor)
	kind, url := e.sid(&p, clipString(string(r.Kind))), e.sid(&p, clipString(r.URL))
	m := e.mons[name]
	if m == nil || m.kind != kind || m.url != url || m.wantsRebase(r) {
		m = e.define(&p, name, kind, url, r, ids, m)
	}
	end := endMS(r)
	start := len(p)
	mid := int64(m.id)
	p = appendRowBody(p, r, ids, &m.base, func(p []byte) []byte {
		p = binary.AppendVarint(p, mid-e.prevMid)
		return binary.AppendVarint(p, end-e.prevEnd)
	})
	e.prevMid, e.prevEnd = mid, end
	if len(p)-start > rebaseCost {
		m.costly = min(m.costly+1, 255)
	} else {
		m.costly = 0
	}
	return p
}

// wantsRebase says whether a monitor's next row should start a new
// baseline: its rows have cost too much for a while, or the baseline was
// a failure and the monitor is up.
func (m *monEnc) wantsRebase(r *monitor.Result) bool {
	if m.rebases >= maxRebases {
		return false
	}
	return m.costly >= rebaseAfter || (!m.healthy && r.Status == monitor.StatusUp)
}

// define appends a monitor's definition, with r as its baseline.
func (e *blockEncoder) define(p *[]byte, name string, kind, url uint64, r *monitor.Result, ids *rowIDs, old *monEnc) *monEnc {
	nid := e.sid(p, name)
	m := &monEnc{id: e.nmons, kind: kind, url: url, base: baselineOf(r, ids), healthy: r.Status == monitor.StatusUp}
	if old != nil && old.kind == kind && old.url == url {
		m.rebases = old.rebases + 1
	}
	e.nmons++
	e.mons[name] = m
	q := append(*p, recMonitor2)
	q = binary.AppendUvarint(q, m.id)
	q = binary.AppendUvarint(q, nid-1)
	q = binary.AppendUvarint(q, kind-1)
	q = binary.AppendUvarint(q, url-1)
	noStrings := *ids
	noStrings.class, noStrings.err = 0, 0
	*p = appendRowBody(q, r, &noStrings, &zeroBaseline, nil)
	return m
}

// mon2 is a monitor as the decoder of format 2 knows it.
type mon2 struct {
	name, kind, url string
	base            baseline
	want            bool
	lost            bool // defined in a frame that was skipped
}

// decoder2 reads the frames of one segment of format 2 in order.
type decoder2 struct {
	seg  int
	hdr  bool
	base int64
	strs []string
	lost map[uint64]bool // string ids defined in skipped frames
	mons []mon2
	want func(name string) bool
	// gaps: frames were skipped, so definitions may be missing
	gaps bool

	blk      buf // the rest of the current block
	inBlock  bool
	prevMid  int64
	prevEnd  int64
	dropped  int // rows passed over: their monitor or a string was in a skipped frame
	scratch  rowIDs
	scratchB baseline
}

func (d *decoder2) str(b *buf, id uint64, what string) (string, bool) {
	if b.err != nil {
		return "", false
	}
	if id >= uint64(len(d.strs)) {
		if d.gaps {
			return "", false
		}
		b.fail(what + " id")
		return "", false
	}
	if d.lost[id] {
		return "", false
	}
	return d.strs[id], true
}

// frame starts reading a frame's payload: the header, or a block whose
// definitions and rows next reads.
func (d *decoder2) frame(p []byte) error {
	b := buf{b: p}
	typ := b.byte1("record type")
	switch {
	case typ == recHeader:
		if d.hdr {
			return fmt.Errorf("%w: second header", ErrCorrupt)
		}
		if v := b.uvarint("version"); v != 2 && b.err == nil {
			return fmt.Errorf("%w: unknown version %d", ErrCorrupt, v)
		}
		seg := b.uvarint("segment number")
		d.base = b.varint("base time")
		if b.err != nil {
			return b.err
		}
		if d.seg >= 0 && seg != uint64(d.seg) {
			return fmt.Errorf("%w: header names segment %d", ErrCorrupt, seg)
		}
		if len(b.b) > 0 {
			return fmt.Errorf("%w: bytes after the header", ErrCorrupt)
		}
		d.hdr = true
		return nil
	case !d.hdr:
		return fmt.Errorf("%w: segment does not start with a header", ErrCorrupt)
	case typ == recBlock:
		first := d.base + b.varint("block time")
		if b.err != nil {
			return b.err
		}
		d.blk, d.inBlock, d.prevMid, d.prevEnd = b, true, -1, first
		return nil
	}
	return fmt.Errorf("%w: unknown frame type %#x", ErrCorrupt, typ)
}

// next decodes the block's records up to its next wanted row, which it
// stores in r. It returns false at the end of the block; err is set when
// the block does not decode (what was read of it stands).
func (d *decoder2) next(r *monitor.Result) (got bool, err error) {
	b := &d.blk
	for d.inBlock && len(b.b) > 0 && b.err == nil {
		typ := b.b[0]
		switch {
		case typ == recPad:
			for _, c := range b.b {
				if c != 0 {
					d.inBlock = false
					return false, fmt.Errorf("%w: bytes after padding", ErrCorrupt)
				}
			}
			b.b = nil
		case typ == recString:
			b.b = b.b[1:]
			id := b.uvarint("string id")
			s := b.str("string")
			if b.err == nil {
				if err := d.defineString(id, s); err != nil {
					d.inBlock = false
					return false, err
				}
			}
		case typ == recMonitor2:
			b.b = b.b[1:]
			if err := d.defineMonitor(b); err != nil {
				d.inBlock = false
				return false, err
			}
		case typ&recResult != 0:
			got, ok := d.row(b, r)
			if ok && got {
				return true, nil
			}
		default:
			d.inBlock = false
			return false, fmt.Errorf("%w: unknown record type %#x", ErrCorrupt, typ)
		}
	}
	d.inBlock = false
	return false, b.err
}

func (d *decoder2) defineString(id uint64, s string) error {
	n := uint64(len(d.strs))
	switch {
	case id == n:
	case id > n && d.gaps && id-n <= 1<<20:
		if d.lost == nil {
			d.lost = map[uint64]bool{}
		}
		for ; n < id; n++ {
			d.lost[n] = true
			d.strs = append(d.strs, "")
		}
	default:
		return fmt.Errorf("%w: string id %d out of order", ErrCorrupt, id)
	}
	d.strs = append(d.strs, s)
	return nil
}

func (d *decoder2) defineMonitor(b *buf) error {
	id := b.uvarint("monitor id")
	var m mon2
	var ok [3]bool
	m.name, ok[0] = d.str(b, b.uvarint("monitor name"), "monitor name")
	m.kind, ok[1] = d.str(b, b.uvarint("kind"), "kind")
	m.url, ok[2] = d.str(b, b.uvarint("url"), "url")
	var res monitor.Result
	d.rowBody(b, &res, &zeroBaseline, nil)
	if b.err != nil {
		return b.err
	}
	m.lost = !ok[0] || !ok[1] || !ok[2]
	m.base = d.scratchB
	m.base.answers = slices.Clone(m.base.answers)
	n := uint64(len(d.mons))
	switch {
	case id == n:
	case id > n && d.gaps && id-n <= 1<<20:
		for ; n < id; n++ {
			d.mons = append(d.mons, mon2{lost: true})
		}
	default:
		return fmt.Errorf("%w: monitor id %d out of order", ErrCorrupt, id)
	}
	m.want = !m.lost && (d.want == nil || d.want(m.name))
	d.mons = append(d.mons, m)
	return nil
}

// row decodes a row into r. ok is false when the row cannot be read
// whole (it is counted as dropped) or the block is damaged (b.err).
func (d *decoder2) row(b *buf, r *monitor.Result) (got, ok bool) {
	var mid, end int64
	head := func(b *buf) {
		mid = d.prevMid + b.varint("monitor")
		end = d.prevEnd + b.varint("time")
	}
	// The row is read against its monitor's baseline; the monitor is only
	// known once the head is read, so the body reads it then.
	var m *mon2
	baseOf := func() *baseline {
		if mid >= 0 && mid < int64(len(d.mons)) && !d.mons[mid].lost {
			m = &d.mons[mid]
			return &m.base
		}
		return nil
	}
	whole := d.rowBody(b, r, nil, func(b *buf) *baseline { head(b); return baseOf() })
	if b.err != nil {
		return false, false
	}
	d.prevMid, d.prevEnd = mid, end
	if m == nil {
		if mid < 0 || mid >= int64(len(d.mons)) {
			if !d.gaps {
				b.fail("monitor id")
				return false, false
			}
		}
		d.dropped++
		return false, true
	}
	if !whole {
		d.dropped++
		return false, true
	}
	if !m.want {
		return false, true
	}
	r.Monitor, r.Kind, r.URL = m.name, monitor.Kind(m.kind), m.url
	r.Time = time.UnixMilli(end - floorDiv(usec(r.Latency), 1000)).UTC()
	return true, true
}

// rowBody decodes what appendRowBody wrote. Against a known baseline
// (base, or what head returns) it fills r and reports whether every
// string it names is known; against none it only reads past the row.
// A baseline read against zeroBaseline is left in d.scratchB.
func (d *decoder2) rowBody(b *buf, r *monitor.Result, base *baseline, head func(*buf) *baseline) (whole bool) {
	flags := b.byte1("row")
	mask := b.byte1("mask")
	var more uint64
	if flags&rowMore != 0 {
		more = b.uvarint("flags")
	}
	if head != nil {
		base = head(b)
	}
	known := base != nil
	if !known {
		base = &zeroBaseline
	}
	whole = true
	str := func(id uint64, what string) string {
		s, ok := d.str(b, id, what)
		if !ok && known && b.err == nil {
			whole = false
		}
		return s
	}
	*r = monitor.Result{Status: monitor.Status(flags & resStatusMask), Code: int(base.code)}
	if flags&rowCode != 0 {
		r.Code = int(b.varint("code"))
	}
	if flags&rowClass != 0 {
		r.Class = str(b.uvarint("class"), "class")
	}
	if flags&rowError != 0 {
		r.Error = str(b.uvarint("error"), "error")
	}
	var ph [numPhases]int64
	lat := base.resid()
	for i := range numPhases {
		if mask&(1<<i) != 0 {
			ph[i] = base.phases[i] + b.varint("phase")
			lat += ph[i]
		}
	}
	lat += b.varint("latency")
	us := time.Microsecond
	r.Latency = time.Duration(lat) * us
	r.Phases = monitor.Phases{DNS: time.Duration(ph[0]) * us, Connect: time.Duration(ph[1]) * us,
		TLS: time.Duration(ph[2]) * us, FirstByte: time.Duration(ph[3]) * us, Transfer: time.Duration(ph[4]) * us}
	nb := d.more2(b, r, base, more, str)
	if head == nil {
		nb.code, nb.lat, nb.phases, nb.mask, nb.status = int64(r.Code), lat, ph, mask, r.Status
		d.scratchB = nb
	}
	return whole
}

// more2 decodes the optional fields of a row into r and returns the
// baseline those fields make (for a monitor's definition).
func (d *decoder2) more2(b *buf, r *monitor.Result, base *baseline, more uint64, str func(uint64, string) string) baseline {
	nb := *base
	opt := func(id uint64, what string) (string, uint64) {
		if id == 0 {
			return "", 0
		}
		return str(id-1, what), id
	}
	if more&more2Attempts != 0 {
		nb.attempts = b.varint("attempts")
	}
	if more&more2RetryAfter != 0 {
		nb.retryAfter = b.varint("retry after")
	}
	if more&more2FinalURL != 0 {
		nb.final = b.uvarint("final url")
	}
	if more&more2BodySize != 0 {
		nb.body = base.body + b.varint("body size")
	}
	if more&more2CertExpiry != 0 {
		nb.certExpiry = base.certExpiry + b.varint("cert expiry")
	}
	if more&more2CertIssuer != 0 {
		nb.issuer = b.uvarint("cert issuer")
	}
	if more&more2CertDays != 0 {
		nb.certDays = base.certDays + b.varint("cert days")
	}
	if more&more2Registrar != 0 {
		nb.registrar = b.uvarint("registrar")
	}
	if more&more2Answers != 0 {
		n := b.uvarint("answers")
		if n > maxAnswers {
			b.fail("answer count")
		}
		nb.answers = d.scratch.answers[:0]
		for i := uint64(0); i < n && b.err == nil; i++ {
			nb.answers = append(nb.answers, b.uvarint("answer")+1)
		}
		d.scratch.answers = nb.answers
	}
	if more&more2Loss != 0 {
		nb.loss = b.fixed64("loss")
	}
	if more&more2HTTPVersion != 0 {
		nb.version = b.uvarint("http version")
	}
	if more&more2Redirects != 0 {
		nb.redirects = b.varint("redirects")
	}
	if more&more2CertUnverified != 0 {
		nb.unverified = !base.unverified
	}
	if more&more2Detail != 0 {
		nb.detail = b.uvarint("detail")
	}
	if b.err != nil {
		return nb
	}
	r.Attempts, r.RetryAfter, r.BodySize = int(nb.attempts), time.Duration(nb.retryAfter)*time.Microsecond, nb.body
	r.CertDays, r.Redirects, r.Loss, r.CertUnverified = int(nb.certDays), int(nb.redirects), math.Float64frombits(nb.loss), nb.unverified
	if nb.certExpiry != 0 {
		r.CertExpiry = time.UnixMilli(nb.certExpiry).UTC()
	}
	r.FinalURL, _ = opt(nb.final, "final url")
	r.CertIssuer, _ = opt(nb.issuer, "cert issuer")
	r.Registrar, _ = opt(nb.registrar, "registrar")
	r.HTTPVersion, _ = opt(nb.version, "http version")
	r.Detail, _ = opt(nb.detail, "detail")
	if len(nb.answers) > 0 {
		r.Answers = make([]string, 0, len(nb.answers))
		for _, a := range nb.answers {
			s, _ := opt(a, "answer")
			r.Answers = append(r.Answers, s)
		}
	}
	return nb
}
