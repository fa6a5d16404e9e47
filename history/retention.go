package history

import (
	"os"
	"path/filepath"
	"time"
)

// retention deletes raw segments older than Retention (whole, never the
// one being written or one the checkpoint still needs), rollup files
// older than RollupRetention, and monitors with nothing left on record.
func (w *writer) retention(now time.Time) {
	cut := now.Add(-w.o.Retention).UnixMilli()
	raw := w.segs.raw
	segs, err := listSegments(raw)
	if err != nil {
		w.o.Logger.Warn("history: retention", "err", err)
	}
	for _, s := range segs {
		if (w.segs.act != nil && s >= w.segs.act.seg) || s >= w.ckptPos.seg {
			break
		}
		x, err := w.idx.get(s)
		if err != nil || (x.count > 0 && x.max >= cut) {
			break
		}
		base := filepath.Join(raw, segName(s))
		if err := os.Remove(base); err != nil {
			w.o.Logger.Warn("history: retention", "err", err)
			break
		}
		os.Remove(base + idxSuffix)
		if more, _ := filepath.Glob(base + ".corrupt*"); len(more) > 0 {
			for _, m := range more {
				os.Remove(m)
			}
		}
		w.idx.drop(s)
		w.stats.Deleted++
	}
	rcut := now.Add(-w.o.RollupRetention)
	w.files.expire(&w.st.marks, rcut)
	for n, m := range w.st.agg.mons {
		if m.Last.Before(rcut) {
			delete(w.st.agg.mons, n)
		}
	}
}
