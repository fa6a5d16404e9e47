package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// defaultAuthor is who a note is from when the caller does not say.
const defaultAuthor = "api"

// addNote serves POST /api/v1/monitors/{name}/notes: a note on the open
// incident, from a JSON body {"text": …, "author": …} (or the form
// fields text and author).
func (s *Server) addNote(name string, r *http.Request) error {
	n, err := noteRequest(r, monitor.NoteText)
	if err != nil {
		return err
	}
	return s.b.AddNote(r.Context(), name, n)
}

// ack serves POST /api/v1/monitors/{name}/ack: an acknowledgement, with
// an optional reason (the text of the same body as a note's; an empty
// body is an acknowledgement without one).
func (s *Server) ack(name string, r *http.Request) error {
	n, err := noteRequest(r, monitor.NoteAck)
	if err != nil {
		return err
	}
	return s.b.AddNote(r.Context(), name, n)
}

// noteRequest reads a note from a request's JSON body or its form.
func noteRequest(r *http.Request, kind monitor.NoteKind) (monitor.Note, error) {
	n := monitor.Note{Kind: kind, Text: r.FormValue("text"), Author: r.FormValue("author")}
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "application/json" {
		var req wire.NoteRequest
		err := json.NewDecoder(r.Body).Decode(&req)
		switch {
		case errors.Is(err, io.EOF) && kind == monitor.NoteAck:
		case err != nil:
			return n, badRequest{fmt.Errorf("body: want JSON like {\"text\": \"restarted the pool\", \"author\": \"alice\"}: %v", err)}
		}
		n.Text, n.Author = req.Text, req.Author
	}
	if n.Author == "" {
		n.Author = defaultAuthor
	}
	return n, nil
}
