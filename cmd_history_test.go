package main

import "testing"

// The "did you mean" of a monitor name counts case for nothing.
func TestClosestIgnoresCase(t *testing.T) {
	names := []string{"web-a", "web-b", "db"}
	for in, want := range map[string]string{"Web-B": "web-b", "WEB-A": "web-a", "web-c": "web-a", "nothing-like": ""} {
		if got := closest(in, names); got != want {
			t.Errorf("closest(%q) = %q, want %q", in, got, want)
		}
	}
}
