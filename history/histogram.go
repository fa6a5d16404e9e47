package history

import (
	"encoding/binary"
	"math/bits"
	"sort"
	"time"
)

// Histogram counts latencies in log-linear buckets: exact below 16µs, then
// 16 buckets per power of two, so a quantile is within about 3% of the true
// value. Histograms merge by adding counts, which is what rollups need.
// The zero value is empty and ready to use.
type Histogram struct {
	b []hbucket // sorted by idx, counts > 0
}

type hbucket struct {
	idx uint16
	n   uint64
}

// subBuckets is the number of buckets per power of two (a power of two).
const (
	subBits    = 4
	subBuckets = 1 << subBits
)

// bucketOf maps a latency in microseconds to its bucket.
func bucketOf(us int64) uint16 {
	if us < subBuckets {
		if us < 0 {
			return 0
		}
		return uint16(us)
	}
	v := uint64(us)
	e := bits.Len64(v) - 1 // >= subBits
	m := (v >> (e - subBits)) & (subBuckets - 1)
	return uint16((e-subBits+1)*subBuckets + int(m))
}

// bucketLow is the smallest latency (µs) in bucket i.
func bucketLow(i uint16) int64 {
	if i < subBuckets {
		return int64(i)
	}
	e := int(i)/subBuckets + subBits - 1
	m := int64(i % subBuckets)
	return (subBuckets + m) << (e - subBits)
}

// Add counts one latency.
func (h *Histogram) Add(d time.Duration) { h.addN(bucketOf(usec(d)), 1) }

func (h *Histogram) addN(idx uint16, n uint64) {
	i := sort.Search(len(h.b), func(i int) bool { return h.b[i].idx >= idx })
	if i < len(h.b) && h.b[i].idx == idx {
		h.b[i].n += n
		return
	}
	h.b = append(h.b, hbucket{})
	copy(h.b[i+1:], h.b[i:])
	h.b[i] = hbucket{idx, n}
}

// Merge adds o's counts to h.
func (h *Histogram) Merge(o *Histogram) {
	if len(h.b) == 0 {
		h.b = append([]hbucket(nil), o.b...)
		return
	}
	out := make([]hbucket, 0, len(h.b)+len(o.b))
	i, j := 0, 0
	for i < len(h.b) || j < len(o.b) {
		switch {
		case j == len(o.b) || i < len(h.b) && h.b[i].idx < o.b[j].idx:
			out = append(out, h.b[i])
			i++
		case i == len(h.b) || o.b[j].idx < h.b[i].idx:
			out = append(out, o.b[j])
			j++
		default:
			out = append(out, hbucket{h.b[i].idx, h.b[i].n + o.b[j].n})
			i++
			j++
		}
	}
	h.b = out
}

// Count is the number of latencies counted.
func (h *Histogram) Count() uint64 {
	var n uint64
	for _, b := range h.b {
		n += b.n
	}
	return n
}

// Quantile returns the latency at quantile q (0..1): the middle of the
// bucket holding it. It is 0 for an empty histogram.
func (h *Histogram) Quantile(q float64) time.Duration {
	total := h.Count()
	if total == 0 {
		return 0
	}
	rank := uint64(q*float64(total) + 0.5)
	if rank < 1 {
		rank = 1
	}
	var seen uint64
	for _, b := range h.b {
		seen += b.n
		if seen >= rank {
			lo := bucketLow(b.idx)
			if b.idx < subBuckets {
				return time.Duration(lo) * time.Microsecond
			}
			hi := bucketLow(b.idx + 1)
			return time.Duration(lo+(hi-lo)/2) * time.Microsecond
		}
	}
	return time.Duration(bucketLow(h.b[len(h.b)-1].idx)) * time.Microsecond
}

func (h *Histogram) appendTo(dst []byte) []byte {
	dst = binary.AppendUvarint(dst, uint64(len(h.b)))
	prev := uint16(0)
	for _, b := range h.b {
		dst = binary.AppendUvarint(dst, uint64(b.idx-prev))
		dst = binary.AppendUvarint(dst, b.n)
		prev = b.idx
	}
	return dst
}

// maxBucket bounds bucket indexes: bucket maxBucket-1 holds 2^63-1 µs.
const maxBucket = (63 - subBits + 1) * subBuckets

func (h *Histogram) decode(d *buf) {
	n := d.uvarint("histogram")
	if n > maxBucket {
		d.fail("histogram size")
		return
	}
	h.b = make([]hbucket, 0, n)
	idx := uint64(0)
	for i := uint64(0); i < n && d.err == nil; i++ {
		delta := d.uvarint("bucket")
		if i > 0 && delta == 0 {
			d.fail("bucket order")
			return
		}
		idx += delta
		if idx >= maxBucket {
			d.fail("bucket index")
			return
		}
		h.b = append(h.b, hbucket{uint16(idx), d.uvarint("bucket count")})
	}
}
