package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/upbeat-monitor/upbeat/engine"
)

// fileControls keeps pauses and ad-hoc maintenance windows in a small JSON
// file beside the history, written whole and renamed into place, so a
// restart neither resumes a paused monitor nor ends a window early.
type fileControls struct{ path string }

var _ engine.ControlStore = fileControls{}

func (f fileControls) LoadControls() (map[string]engine.Control, error) {
	b, err := os.ReadFile(f.path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out map[string]engine.Control
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("read %s: %w", f.path, err)
	}
	return out, nil
}

func (f fileControls) SaveControls(c map[string]engine.Control) error {
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(f.path), ".controls-*")
	if err != nil {
		return err
	}
	_, err = tmp.Write(append(b, '\n'))
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), f.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("save %s: %w", f.path, err)
	}
	return nil
}
