package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/upbeat-monitor/upbeat/api/wire"
	"github.com/upbeat-monitor/upbeat/engine"
	"github.com/upbeat-monitor/upbeat/monitor"
)

// MaxHistory bounds the results one history request returns.
const MaxHistory = 100_000

func (s *Server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /api/v1/monitors", s.listMonitors)
	mux.HandleFunc("GET /api/v1/monitors/{name}", s.getMonitor)
	mux.HandleFunc("GET /api/v1/monitors/{name}/history", s.history)
	mux.HandleFunc("GET /api/v1/monitors/{name}/incidents", s.incidents)
	mux.HandleFunc("GET /api/v1/monitors/{name}/errors_by_hour", s.errorsByHour)
	mux.HandleFunc("POST /api/v1/monitors/{name}/check", s.action(func(n string, _ *http.Request) error { return s.b.CheckNow(n) }))
	mux.HandleFunc("POST /api/v1/monitors/{name}/pause", s.action(func(n string, _ *http.Request) error { return s.b.SetPaused(n, true) }))
	mux.HandleFunc("POST /api/v1/monitors/{name}/resume", s.action(func(n string, _ *http.Request) error { return s.b.SetPaused(n, false) }))
	mux.HandleFunc("POST /api/v1/monitors/{name}/ack", s.action(func(n string, _ *http.Request) error { return s.b.Ack(n) }))
	mux.HandleFunc("POST /api/v1/monitors/{name}/maintenance", s.action(s.maintain))
	mux.HandleFunc("GET /api/v1/events", s.events)
	mux.HandleFunc("GET /push/{token}", s.push)
	mux.HandleFunc("POST /push/{token}", s.push)
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.met.reg, promhttp.HandlerOpts{
		ErrorLog:      slogPrinter{s.log},
		ErrorHandling: promhttp.ContinueOnError,
	}))
	return mux
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	enc := json.NewEncoder(w)
	enc.Encode(v)
}

func writeError(w http.ResponseWriter, code int, msg string) {
	writeJSON(w, code, wire.Error{Error: msg})
}

// writeEngineError maps the engine's named errors to status codes.
func writeEngineError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, engine.ErrNoMonitor):
		writeError(w, http.StatusNotFound, "no such monitor")
	default:
		writeError(w, http.StatusInternalServerError, engine.Sanitize(err.Error(), 300))
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, wire.Health{Status: "ok", Service: wire.ServiceName, Version: s.opts.Version,
		Monitors: s.b.Stats().Monitors, Warnings: s.b.Warnings()})
}

// recentParam reads ?recent=N (0 or absent: no samples).
func recentParam(r *http.Request) (with, n int, err error) {
	v := r.URL.Query().Get("recent")
	if v == "" {
		return 0, 0, nil
	}
	n, err = strconv.Atoi(v)
	if err != nil || n < 0 {
		return 0, 0, fmt.Errorf("recent: want a number of samples, got %q", v)
	}
	if n == 0 {
		return 0, 0, nil
	}
	return wire.WithRecent, n, nil
}

func (s *Server) listMonitors(w http.ResponseWriter, r *http.Request) {
	with, n, err := recentParam(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	snap := s.b.Snapshot()
	out := make([]wire.Monitor, len(snap))
	for i := range snap {
		out[i] = wire.FromState(&snap[i], wire.WithConfig|wire.WithLast|with, n)
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getMonitor(w http.ResponseWriter, r *http.Request) {
	with, n, err := recentParam(r)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	st, err := s.b.State(r.PathValue("name"))
	if err != nil {
		writeEngineError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, wire.FromState(&st, wire.WithConfig|wire.WithLast|with, n))
}

// ParseSince parses a look-back period: a Go duration ("90m", "24h") or
// a number of days ("7d", "30d").
func ParseSince(v string) (time.Duration, error) {
	if d, ok := strings.CutSuffix(v, "d"); ok {
		n, err := strconv.ParseFloat(d, 64)
		if err != nil || n < 0 {
			return 0, fmt.Errorf("since: want 24h, 7d or similar, got %q", v)
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	dur, err := time.ParseDuration(v)
	if err != nil || dur < 0 {
		return 0, fmt.Errorf("since: want 24h, 7d or similar, got %q", v)
	}
	return dur, nil
}

// period reads ?since= (default 24h) or ?from=&to= (RFC 3339).
func period(r *http.Request, now time.Time) (from, to time.Time, err error) {
	q := r.URL.Query()
	to = now
	if v := q.Get("to"); v != "" {
		if to, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, fmt.Errorf("to: want an RFC 3339 time, got %q", v)
		}
	}
	if v := q.Get("from"); v != "" {
		if from, err = time.Parse(time.RFC3339, v); err != nil {
			return from, to, fmt.Errorf("from: want an RFC 3339 time, got %q", v)
		}
		return from, to, nil
	}
	since := 24 * time.Hour
	if v := q.Get("since"); v != "" {
		if since, err = ParseSince(v); err != nil {
			return from, to, err
		}
	}
	return to.Add(-since), to, nil
}

// querier resolves the monitor and the history for the history routes,
// writing the error response itself when there is none.
func (s *Server) querier(w http.ResponseWriter, r *http.Request) (engine.Querier, string, time.Time, time.Time, bool) {
	name := r.PathValue("name")
	if _, err := s.b.State(name); err != nil {
		writeEngineError(w, err)
		return nil, "", time.Time{}, time.Time{}, false
	}
	q := s.b.Query()
	if q == nil {
		writeError(w, http.StatusNotImplemented, "this daemon keeps no history")
		return nil, "", time.Time{}, time.Time{}, false
	}
	from, to, err := period(r, time.Now())
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return nil, "", time.Time{}, time.Time{}, false
	}
	return q, name, from, to, true
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) {
	q, name, from, to, ok := s.querier(w, r)
	if !ok {
		return
	}
	limit := MaxHistory
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			writeError(w, http.StatusBadRequest, fmt.Sprintf("limit: want a positive number, got %q", v))
			return
		}
		limit = min(n, MaxHistory)
	}
	if sc, ok := q.(ResultScanner); ok {
		streamHistory(w, r, sc, name, from, to, limit)
		return
	}
	rs, err := q.Results(name, from, to)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: "+engine.Sanitize(err.Error(), 300))
		return
	}
	if len(rs) > limit { // the newest ones
		rs = rs[len(rs)-limit:]
	}
	out := make([]*wire.Result, len(rs))
	for i := range rs {
		out[i] = wire.FromResult(&rs[i])
	}
	writeJSON(w, http.StatusOK, out)
}

// ResultScanner streams a monitor's results over a period. The history
// route uses it when the backend's Querier has it (history.DB does), so
// that a long period costs the daemon no memory and a client that goes
// away stops the read.
type ResultScanner interface {
	// ScanResults calls fn with a monitor's results in [from, to),
	// oldest first; with limit > 0, only the newest limit of them. It
	// stops with fn's error, or with ctx's when ctx is done.
	ScanResults(ctx context.Context, monitor string, from, to time.Time, limit int, fn func(*monitor.Result) error) error
}

// streamHistory writes the history route's JSON array one result at a
// time, as the results are read. An error before the first result is a
// 500 as usual; after it, the response is cut off so that the client
// cannot take what it got for the whole answer.
func streamHistory(w http.ResponseWriter, r *http.Request, sc ResultScanner, name string, from, to time.Time, limit int) {
	started := false
	err := sc.ScanResults(r.Context(), name, from, to, limit, func(res *monitor.Result) error {
		b, err := json.Marshal(wire.FromResult(res))
		if err != nil {
			return err
		}
		sep := []byte{','}
		if !started {
			started = true
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusOK)
			sep[0] = '['
		}
		if _, err := w.Write(sep); err != nil {
			return err
		}
		_, err = w.Write(b)
		return err
	})
	switch {
	case err == nil && !started:
		writeJSON(w, http.StatusOK, []*wire.Result{})
	case err == nil:
		w.Write([]byte("]\n"))
	case r.Context().Err() != nil:
		// The client went away: nobody reads what is left.
	case !started:
		writeError(w, http.StatusInternalServerError, "history: "+engine.Sanitize(err.Error(), 300))
	default:
		panic(http.ErrAbortHandler)
	}
}

func (s *Server) incidents(w http.ResponseWriter, r *http.Request) {
	q, name, from, to, ok := s.querier(w, r)
	if !ok {
		return
	}
	out, err := q.Incidents(name, from, to)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: "+engine.Sanitize(err.Error(), 300))
		return
	}
	if out == nil {
		out = []monitor.Incident{}
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) errorsByHour(w http.ResponseWriter, r *http.Request) {
	q, name, from, to, ok := s.querier(w, r)
	if !ok {
		return
	}
	out, err := q.ErrorsByHour(name, from, to)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "history: "+engine.Sanitize(err.Error(), 300))
		return
	}
	writeJSON(w, http.StatusOK, out)
}

// action wraps a monitor action: 404 for an unknown monitor, else 200
// with {"monitor": name, "ok": true}.
func (s *Server) action(do func(name string, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		name := r.PathValue("name")
		if !parseForm(w, r) {
			return
		}
		if err := do(name, r); err != nil {
			var bad badRequest
			if errors.As(err, &bad) {
				writeError(w, http.StatusBadRequest, bad.Error())
				return
			}
			writeEngineError(w, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"monitor": name, "ok": true})
	}
}

type badRequest struct{ error }

func (s *Server) maintain(name string, r *http.Request) error {
	v := r.FormValue("for")
	if v == "" {
		return badRequest{errors.New("for: want a duration, e.g. ?for=30m (0 ends the window)")}
	}
	d, err := ParseSince(v)
	if err != nil {
		return badRequest{fmt.Errorf("for: want a duration such as 30m, got %q", v)}
	}
	return s.b.Maintain(name, d)
}

// parseForm reads the query and a form body, answering 413 for a body
// over the limit and 400 for a malformed one.
func parseForm(w http.ResponseWriter, r *http.Request) bool {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			writeError(w, http.StatusRequestEntityTooLarge, "request body too large")
			return false
		}
		writeError(w, http.StatusBadRequest, "malformed form")
		return false
	}
	return true
}

func (s *Server) push(w http.ResponseWriter, r *http.Request) {
	if !parseForm(w, r) {
		return
	}
	status := monitor.StatusUp
	switch v := r.FormValue("status"); v {
	case "", "up", "ok":
	case "down", "fail", "error":
		status = monitor.StatusDown
	default:
		writeError(w, http.StatusBadRequest, "status: want up or down")
		return
	}
	if _, err := s.b.Push(r.PathValue("token"), status, r.FormValue("msg")); err != nil {
		if errors.Is(err, engine.ErrNoMonitor) {
			writeError(w, http.StatusNotFound, "not found")
			return
		}
		writeError(w, http.StatusInternalServerError, "push not recorded")
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
