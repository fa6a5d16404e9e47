package client

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// maxEvent bounds one server-sent event (a snapshot of 10,000 monitors
// with their samples is a few megabytes).
const maxEvent = 64 << 20

var errEventTooBig = errors.New("event stream: event too large")

// sseEvent is one server-sent event.
type sseEvent struct {
	ID    string
	Event string
	Data  []byte
}

// sseReader parses the text/event-stream format: "field: value" lines,
// comments starting with ':', an empty line ending each event.
type sseReader struct {
	r    *bufio.Reader
	seen func() // called for every line, heartbeats included
}

func newSSEReader(r io.Reader, seen func()) *sseReader {
	return &sseReader{r: bufio.NewReaderSize(r, 64<<10), seen: seen}
}

// Next returns the next event with a name or data.
func (s *sseReader) Next() (sseEvent, error) {
	var ev sseEvent
	var data bytes.Buffer
	hasData := false
	for {
		line, err := s.readLine()
		if err != nil {
			return ev, err
		}
		if s.seen != nil {
			s.seen()
		}
		if len(line) == 0 {
			if hasData || ev.Event != "" {
				ev.Data = data.Bytes()
				return ev, nil
			}
			continue
		}
		if line[0] == ':' {
			continue
		}
		field, value, _ := bytes.Cut(line, []byte{':'})
		value = bytes.TrimPrefix(value, []byte{' '})
		switch string(field) {
		case "event":
			ev.Event = string(value)
		case "data":
			if hasData {
				data.WriteByte('\n')
			}
			if data.Len()+len(value) > maxEvent {
				return ev, errEventTooBig
			}
			data.Write(value)
			hasData = true
		case "id":
			ev.ID = string(value)
		}
	}
}

// readLine reads one line without its CR/LF, however long (within maxEvent).
func (s *sseReader) readLine() ([]byte, error) {
	line, err := s.r.ReadSlice('\n')
	if err == nil {
		return trimEOL(line), nil
	}
	if !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	buf := append([]byte(nil), line...)
	for {
		line, err = s.r.ReadSlice('\n')
		if len(buf)+len(line) > maxEvent {
			return nil, errEventTooBig
		}
		buf = append(buf, line...)
		if err == nil {
			return trimEOL(buf), nil
		}
		if !errors.Is(err, bufio.ErrBufferFull) {
			return nil, err
		}
	}
}

func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte{'\n'})
	return bytes.TrimSuffix(b, []byte{'\r'})
}
