package history

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"

	"github.com/upbeat-monitor/upbeat/monitor"
)

// The notes log keeps what people write on incidents, their
// acknowledgements with a reason and the delivery of each alert (see
// monitor.Note), for the dashboard, the API and `upbeat incident show`.
// It is a file of its own beside the results: notes are rare, small and
// must never wait behind a batch of results, and the results' format
// may change without touching them.
//
// notes.log: magic "UPBHNOT1", then one frame (see frame.go) per note,
// whose payload is the note as a JSON object. Each note is appended and
// fsynced on its own. A torn or corrupt tail is cut off by the next
// writer; a reader stops at it.
const (
	notesName  = "notes.log"
	notesMagic = "UPBHNOT1"
	// maxNoteFrame bounds one note's payload; a note's text is bounded
	// far below it (monitor.MaxNoteLen).
	maxNoteFrame = 16 << 10
)

// noteRecord is a note as stored.
type noteRecord struct {
	Monitor string `json:"m"`
	Time    int64  `json:"t"` // Unix nanoseconds
	Kind    string `json:"k"`
	Author  string `json:"a,omitempty"`
	Text    string `json:"x,omitempty"`
	OK      bool   `json:"ok,omitempty"`
}

// noteLog appends notes to, and reads them from, a history's notes.log.
type noteLog struct {
	path     string
	perm     os.FileMode // of the file when it is created, as the history's others
	mu       sync.Mutex
	repaired bool // the writer has cut off a torn tail (done once, before its first append)

	// The notes decoded last and the file's size and time then: a status
	// page asks for notes several times a second, the file seldom changes.
	readMu  sync.Mutex
	read    []monitor.Note
	readFor struct {
		size int64
		mod  time.Time
	}
}

func notesOf(db *DB) *noteLog {
	db.notesOnce.Do(func() {
		db.notes = &noteLog{path: filepath.Join(db.dir, notesName), perm: permsOf(&db.opts).file}
	})
	return db.notes
}

// AddNote appends a note to the history's notes log and syncs it to disk.
// The caller checks and cleans the note (package engine does).
func (db *DB) AddNote(n *monitor.Note) error {
	if err := db.writable(); err != nil {
		return err
	}
	return notesOf(db).add(n)
}

// Notes returns a monitor's notes in [from, to), oldest first; every
// monitor's when name is "".
func (db *DB) Notes(name string, from, to time.Time) ([]monitor.Note, error) {
	return notesOf(db).list(name, from, to)
}

// all returns every note in the file, decoding it again only when it has
// changed since the last call. The slice is shared: callers copy out.
func (l *noteLog) all() ([]monitor.Note, error) {
	l.readMu.Lock()
	defer l.readMu.Unlock()
	f, err := os.Open(l.path)
	if errors.Is(err, os.ErrNotExist) {
		l.read, l.readFor.size, l.readFor.mod = nil, 0, time.Time{}
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read notes: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read notes: %w", err)
	}
	if fi.Size() == l.readFor.size && fi.ModTime().Equal(l.readFor.mod) {
		return l.read, nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read notes: %w", err)
	}
	// A tail that does not decode is a note being appended, or damage
	// the next writer cuts off: what comes before it is good either way.
	l.read, _, _ = decodeNotes(data)
	l.readFor.size, l.readFor.mod = fi.Size(), fi.ModTime()
	return l.read, nil
}

func (l *noteLog) add(n *monitor.Note) error {
	if n.Monitor == "" || n.Kind.String() == "unknown" {
		return fmt.Errorf("add note: monitor and kind are required")
	}
	payload, err := json.Marshal(noteRecord{Monitor: n.Monitor, Time: n.Time.UnixNano(), Kind: n.Kind.String(),
		Author: n.Author, Text: n.Text, OK: n.OK})
	if err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	if len(payload) > maxNoteFrame {
		return fmt.Errorf("add note: %d bytes, over the limit of %d", len(payload), maxNoteFrame)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.repaired {
		if err := l.repair(); err != nil {
			return fmt.Errorf("add note: %w", err)
		}
		l.repaired = true
	}
	f, err := os.OpenFile(l.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, l.perm)
	if err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	var b []byte
	if fi, err := f.Stat(); err == nil && fi.Size() == 0 {
		b = append(b, notesMagic...)
		fixMode(l.path, l.perm)
	}
	b = appendFrame(b, payload)
	_, err = f.Write(b)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("add note: %w", err)
	}
	return nil
}

// repair cuts off a torn or corrupt tail (what a crash mid-append
// leaves), so that the next note follows the last good one.
func (l *noteLog) repair() error {
	data, err := os.ReadFile(l.path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	_, good, _ := decodeNotes(data)
	if good == int64(len(data)) {
		return nil
	}
	if good == 0 && !bytes.HasPrefix(data, []byte(notesMagic)) && len(data) >= len(notesMagic) {
		return &CorruptionError{File: l.path, Segment: -1, Err: fmt.Errorf("%w: not a notes log", ErrCorrupt)}
	}
	return os.Truncate(l.path, good)
}

func (l *noteLog) list(name string, from, to time.Time) ([]monitor.Note, error) {
	all, err := l.all()
	if err != nil {
		return nil, err
	}
	var out []monitor.Note
	for _, n := range all {
		if (name == "" || n.Monitor == name) && !n.Time.Before(from) && n.Time.Before(to) {
			out = append(out, n)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Time.Before(out[j].Time) })
	return out, nil
}

// decodeNotes decodes the notes in data; good is the length of the
// prefix that decodes, err why the rest does not (nil when all does).
func decodeNotes(data []byte) (notes []monitor.Note, good int64, err error) {
	if len(data) < len(notesMagic) {
		return nil, 0, errTorn
	}
	if string(data[:len(notesMagic)]) != notesMagic {
		return nil, 0, fmt.Errorf("%w: bad magic", ErrCorrupt)
	}
	off := len(notesMagic)
	for off < len(data) {
		payload, n, err := readFrame(data[off:], maxNoteFrame)
		if err != nil {
			return notes, int64(off), err
		}
		var r noteRecord
		if err := json.Unmarshal(payload, &r); err != nil {
			return notes, int64(off), fmt.Errorf("%w: note: %v", ErrCorrupt, err)
		}
		if k := monitor.ParseNoteKind(r.Kind); k != 0 {
			notes = append(notes, monitor.Note{Monitor: r.Monitor, Time: time.Unix(0, r.Time), Kind: k,
				Author: r.Author, Text: r.Text, OK: r.OK})
		}
		off += n
	}
	return notes, int64(off), nil
}
