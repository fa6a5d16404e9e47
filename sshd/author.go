package sshd

import (
	"context"
	"strings"

	"github.com/upbeat-monitor/upbeat/monitor"
	"github.com/upbeat-monitor/upbeat/source"
)

// KeyName is the name notes and acknowledgements typed in a session are
// signed with: the first word of the key's comment in the authorized keys
// file that is not ActionsOption ("alice@laptop"), else the name the
// session logged in as.
func KeyName(comment, user string) string {
	for _, w := range strings.Fields(comment) {
		if w != ActionsOption {
			return w
		}
	}
	return user
}

// signed is a source whose notes are signed with the session's key name,
// whatever the dashboard says.
type signed struct {
	source.Source
	name string
}

func (s signed) AddNote(ctx context.Context, name string, n monitor.Note) error {
	n.Author = s.name
	return s.Source.AddNote(ctx, name, n)
}

type signedMerged struct {
	signed
	m source.Merged
}

func (s signedMerged) Locations() map[string][]source.LocationState { return s.m.Locations() }

// Signed wraps a source so that every note and acknowledgement through it
// is signed with name.
func Signed(src source.Source, name string) source.Source {
	if m, ok := src.(source.Merged); ok {
		return signedMerged{signed{src, name}, m}
	}
	return signed{src, name}
}
