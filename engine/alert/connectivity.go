package alert

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// HTTPConnectivity returns a connectivity check (Options.Connectivity) that
// asks url with a HEAD request: any HTTP answer at all means upbeat's own
// network works; only a failure to get one counts. client nil: a client of
// its own.
func HTTPConnectivity(client *http.Client, url string) func(ctx context.Context) error {
	if client == nil {
		client = &http.Client{}
	}
	return func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodHead, url, nil)
		if err != nil {
			return fmt.Errorf("connectivity check: %w", err)
		}
		resp, err := client.Do(req)
		if err != nil {
			return fmt.Errorf("connectivity check: %w", stripURL(err))
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4<<10))
		resp.Body.Close()
		return nil
	}
}
