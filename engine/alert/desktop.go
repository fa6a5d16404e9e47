package alert

import (
	"context"
	"fmt"

	"github.com/gen2brain/beeep"
)

func init() {
	// The name desktop notifications are shown under. Set once, before any
	// goroutine can read it.
	beeep.AppName = "upbeat"
}

// notifyFunc shows one desktop notification.
type notifyFunc func(title, body string) error

// desktop shows a native notification on the machine running upbeat
// (D-Bus or notify-send on Linux and BSD, Notification Center on macOS,
// toast on Windows). Where there is no desktop, Send fails with the
// library's reason; nothing else is affected.
type desktop struct {
	name   string
	notify notifyFunc
}

// newDesktop returns a desktop channel; notify nil means the real one.
func newDesktop(name string, notify notifyFunc) *desktop {
	if notify == nil {
		notify = func(title, body string) error { return beeep.Notify(title, body, "") }
	}
	return &desktop{name: name, notify: notify}
}

// Name implements Channel.
func (d *desktop) Name() string { return d.name }

// Send implements Channel. The notification library cannot be cancelled,
// so it runs in a goroutine of its own and Send returns when ctx is done
// even if the desktop never answers.
func (d *desktop) Send(ctx context.Context, m Message) error {
	done := make(chan error, 1)
	go func() { done <- d.notify(oscText(m.Title, 200), cleanLines(m.Text, 1000)) }()
	select {
	case err := <-done:
		if err != nil {
			return fmt.Errorf("desktop notification: %w", err)
		}
		return nil
	case <-ctx.Done():
		return fmt.Errorf("desktop notification: %w", ctx.Err())
	}
}
