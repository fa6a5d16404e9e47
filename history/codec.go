package history

import (
	"fmt"
	"math"
	"time"
	"unicode/utf8"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// segMagic starts every segment file.
const segMagic = "UPBHSEG1"

// Record types inside a segment frame. A frame holds zero or more string and
// monitor definitions followed by at most one result; the first frame of a
// segment holds the header.
const (
	recHeader  = 0x01
	recString  = 0x02
	recMonitor = 0x03
	recResult  = 0x80 // high bit: a result; bits 0-2 status, 3-6 flags
)

// Flags in a result's first byte.
const (
	resStatusMask = 0x07
	resPhases     = 1 << 3
	resClass      = 1 << 4
	resError      = 1 << 5
	resMore       = 1 << 6
)

// Flags in a result's "more" uvarint, present when resMore is set.
const (
	moreAttempts = 1 << iota
	moreRetryAfter
	moreFinalURL
	moreBodySize
	moreCertExpiry
	moreCertIssuer
	moreCertDays
	moreRegistrar
	moreAnswers
	moreLoss
	moreHTTPVersion
	moreRedirects
	moreCertUnverified // no payload
	moreDetail
)

// Limits that keep a hostile or buggy caller from writing huge records.
// A result's frame stays far below maxFrame: eight strings of maxString
// and maxAnswers answers of maxAnswer bytes.
const (
	maxString  = 16 << 10 // bytes of one string; longer ones are cut
	maxAnswers = 64       // answers kept per result
	maxAnswer  = 512      // bytes of one answer
	maxClass   = 64       // bytes of a class in rollups and incidents
)

// clipString cuts s to at most maxString bytes on a rune boundary.
func clipString(s string) string { return clipTo(s, maxString) }

func clipTo(s string, n int) string {
	if len(s) <= n {
		return s
	}
	i := n
	for i > 0 && !utf8.RuneStart(s[i]) {
		i--
	}
	return s[:i]
}

func usec(d time.Duration) int64 { return int64(d / time.Microsecond) }

type monDef struct {
	name, kind, url string
	want            bool
	lost            bool // defined in a frame that was skipped
}

// decoder reads the frames of one segment of format 1 in order.
type decoder struct {
	seg  int
	hdr  bool
	base int64
	last int64
	strs []string
	mons []monDef
	want func(name string) bool // nil: every monitor
	// gaps: frames were skipped, so definitions may be missing (a frame
	// that needs one is skipped too), and times may be early by what the
	// skipped results advanced them
	gaps bool
	lost map[uint64]bool // string ids defined in skipped frames
}

func (d *decoder) str(b *buf, what string) string {
	id := b.uvarint(what)
	if b.err != nil {
		return ""
	}
	if id >= uint64(len(d.strs)) || d.lost[id] {
		b.fail(what + " id")
		return ""
	}
	return d.strs[id]
}

// frame decodes one frame's payload. When it holds a result of a wanted
// monitor, the result is stored in r and got is true.
func (d *decoder) frame(p []byte, r *monitor.Result) (got bool, err error) {
	b := &buf{b: p}
	for len(b.b) > 0 && b.err == nil {
		typ := b.b[0]
		b.b = b.b[1:]
		if !d.hdr && typ != recHeader {
			return false, fmt.Errorf("%w: segment does not start with a header", ErrCorrupt)
		}
		switch {
		case typ == recHeader:
			err = d.header(b)
		case typ == recString:
			err = d.stringDef(b)
		case typ == recMonitor:
			err = d.monitorDef(b)
		case typ&recResult != 0:
			got, err = d.result(b, typ, r)
			if err == nil && len(b.b) > 0 && b.err == nil {
				err = fmt.Errorf("%w: bytes after a result", ErrCorrupt)
			}
			if err != nil {
				return false, err
			}
			return got, nil
		default:
			err = fmt.Errorf("%w: unknown record type %#x", ErrCorrupt, typ)
		}
		if err != nil {
			return false, err
		}
	}
	return false, b.err
}

// header reads a segment's header record: the format version, the
// segment's number and the base time the results count from.
func (d *decoder) header(b *buf) error {
	if d.hdr {
		return fmt.Errorf("%w: second header", ErrCorrupt)
	}
	if v := b.uvarint("version"); v != 1 && b.err == nil {
		return fmt.Errorf("%w: unknown version %d", ErrCorrupt, v)
	}
	seg := b.uvarint("segment number")
	d.base = b.varint("base time")
	d.last = d.base
	if b.err == nil && d.seg >= 0 && seg != uint64(d.seg) {
		return fmt.Errorf("%w: header names segment %d", ErrCorrupt, seg)
	}
	d.hdr = true
	return nil
}

// stringDef reads a string of the segment's dictionary. When frames may
// have been skipped (gaps), the ids it missed are kept as lost.
func (d *decoder) stringDef(b *buf) error {
	id := b.uvarint("string id")
	s := b.str("string")
	if b.err == nil && id != uint64(len(d.strs)) {
		if !d.gaps || id < uint64(len(d.strs)) || id-uint64(len(d.strs)) > 1<<20 {
			return fmt.Errorf("%w: string id %d out of order", ErrCorrupt, id)
		}
		if d.lost == nil {
			d.lost = map[uint64]bool{}
		}
		for n := uint64(len(d.strs)); n < id; n++ {
			d.lost[n] = true
			d.strs = append(d.strs, "")
		}
	}
	d.strs = append(d.strs, s)
	return nil
}

// monitorDef reads a monitor of the segment: its name, kind and URL, by
// their string ids. Monitors missed in a gap are kept as lost.
func (d *decoder) monitorDef(b *buf) error {
	id := b.uvarint("monitor id")
	m := monDef{name: d.str(b, "monitor name"), kind: d.str(b, "kind"), url: d.str(b, "url")}
	if b.err != nil {
		return nil // the caller reports b.err
	}
	if id != uint64(len(d.mons)) {
		if !d.gaps || id < uint64(len(d.mons)) || id-uint64(len(d.mons)) > 1<<20 {
			return fmt.Errorf("%w: monitor id %d out of order", ErrCorrupt, id)
		}
		for n := uint64(len(d.mons)); n < id; n++ {
			d.mons = append(d.mons, monDef{lost: true})
		}
	}
	m.want = d.want == nil || d.want(m.name)
	d.mons = append(d.mons, m)
	return nil
}

func (d *decoder) result(b *buf, flags byte, r *monitor.Result) (bool, error) {
	var more uint64
	if flags&resMore != 0 {
		more = b.uvarint("flags")
	}
	mid := b.uvarint("monitor")
	dt := b.varint("time")
	if b.err != nil {
		return false, b.err
	}
	if mid >= uint64(len(d.mons)) {
		return false, fmt.Errorf("%w: undefined monitor %d", ErrCorrupt, mid)
	}
	t := d.last + dt
	d.last = t
	m := &d.mons[mid]
	if m.lost {
		return false, fmt.Errorf("%w: monitor %d was defined in a damaged frame", ErrCorrupt, mid)
	}
	if !m.want {
		b.b = nil // the result is last in its frame: skip the rest
		return false, nil
	}
	*r = monitor.Result{
		Monitor:  m.name,
		Kind:     monitor.Kind(m.kind),
		URL:      m.url,
		Time:     time.UnixMilli(t).UTC(),
		Status:   monitor.Status(flags & resStatusMask),
		Attempts: 1,
	}
	r.Code = int(b.varint("code"))
	lat := b.varint("latency")
	r.Latency = time.Duration(lat) * time.Microsecond
	if flags&resClass != 0 {
		r.Class = d.str(b, "class")
	}
	if flags&resError != 0 {
		r.Error = d.str(b, "error")
	}
	if flags&resPhases != 0 {
		dns, conn, tls, fb := b.varint("dns"), b.varint("connect"), b.varint("tls"), b.varint("first byte")
		tr := b.varint("transfer") + (lat - dns - conn - tls - fb)
		us := time.Microsecond
		r.Phases = monitor.Phases{DNS: time.Duration(dns) * us, Connect: time.Duration(conn) * us,
			TLS: time.Duration(tls) * us, FirstByte: time.Duration(fb) * us, Transfer: time.Duration(tr) * us}
	}
	d.extras(b, more, t, r)
	if b.err != nil {
		return false, b.err
	}
	return true, nil
}

// extras reads the fields a result has only now and then, as its more
// flags say: attempts, Retry-After, certificate, DNS answers, and the rest.
// t is the result's time in unix ms (the certificate's expiry counts from
// it). A failure is left in b.
func (d *decoder) extras(b *buf, more uint64, t int64, r *monitor.Result) {
	if more&moreAttempts != 0 {
		r.Attempts = int(b.varint("attempts"))
	}
	if more&moreRetryAfter != 0 {
		r.RetryAfter = time.Duration(b.varint("retry after")) * time.Microsecond
	}
	if more&moreFinalURL != 0 {
		r.FinalURL = d.str(b, "final url")
	}
	if more&moreBodySize != 0 {
		r.BodySize = b.varint("body size")
	}
	if more&moreCertExpiry != 0 {
		r.CertExpiry = time.UnixMilli(t + b.varint("cert expiry")).UTC()
	}
	if more&moreCertIssuer != 0 {
		r.CertIssuer = d.str(b, "cert issuer")
	}
	if more&moreCertDays != 0 {
		r.CertDays = int(b.varint("cert days"))
	}
	if more&moreRegistrar != 0 {
		r.Registrar = d.str(b, "registrar")
	}
	if more&moreAnswers != 0 {
		n := b.uvarint("answers")
		if n > maxAnswers {
			b.fail("answer count")
		} else {
			r.Answers = make([]string, 0, n)
			for i := uint64(0); i < n && b.err == nil; i++ {
				r.Answers = append(r.Answers, d.str(b, "answer"))
			}
		}
	}
	if more&moreLoss != 0 {
		r.Loss = math.Float64frombits(b.fixed64("loss"))
	}
	if more&moreHTTPVersion != 0 {
		r.HTTPVersion = d.str(b, "http version")
	}
	if more&moreRedirects != 0 {
		r.Redirects = int(b.varint("redirects"))
	}
	r.CertUnverified = more&moreCertUnverified != 0
	if more&moreDetail != 0 {
		r.Detail = d.str(b, "detail")
	}
}
