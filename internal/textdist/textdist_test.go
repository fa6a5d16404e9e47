package textdist

import "testing"

func TestDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"timeout", "timeout", 0},
		{"", "abc", 3},
		{"timeot", "timeout", 1},
		{"timoeut", "timeout", 1}, // a swap of neighbours is one typo
		{"chek", "check", 1},
		{"kitten", "sitting", 3},
		{"502", "520", 1},
		{"abc", "", 3},
	}
	for _, tt := range tests {
		if got := Distance(tt.a, tt.b); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
		if got := Distance(tt.b, tt.a); got != tt.want {
			t.Errorf("Distance(%q, %q) = %d, want %d (not symmetric)", tt.b, tt.a, got, tt.want)
		}
	}
}
