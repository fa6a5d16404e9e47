package config

import (
	"reflect"
	"testing"

	"github.com/upbeat-monitor/upbeat/statuspage"
)

func TestStatusPages(t *testing.T) {
	cfg := mustParse(t, `
[[monitor]]
name = "shop"
url = "https://shop.example.com/"
tags = ["web"]
[[monitor]]
name = "api"
url = "https://api.example.com/"
tags = ["web", "api"]
[[monitor]]
name = "db"
url = "tcp://db.example.com:5432"

[[status_page]]
path = "/status"
title = "Shop status"
description = "How the shop is doing."
public = true
monitors = ["db"]
[[status_page.group]]
name = "Web"
monitors = ["api"]
tags = ["web"]

[[status_page]]
path = "/status/team"
`)
	want := []*statuspage.Config{
		{Path: "/status", Title: "Shop status", Description: "How the shop is doing.", Public: true, Groups: []statuspage.Group{
			{Monitors: []string{"db"}},
			{Name: "Web", Monitors: []string{"api"}, Tags: []string{"web"}},
		}},
		{Path: "/status/team", Title: statuspage.DefaultTitle},
	}
	if !reflect.DeepEqual(cfg.StatusPages, want) {
		t.Fatalf("pages = %+v, want %+v", cfg.StatusPages, want)
	}
	// Named monitors first, then tagged ones in config order, each once.
	var got [][]string
	for _, s := range cfg.StatusPages[0].Resolve(cfg.Monitors) {
		var names []string
		for _, m := range s.Monitors {
			names = append(names, m.Name)
		}
		got = append(got, append([]string{s.Name}, names...))
	}
	if w := [][]string{{"", "db"}, {"Web", "api", "shop"}}; !reflect.DeepEqual(got, w) {
		t.Errorf("sections = %q, want %q", got, w)
	}
	if n := cfg.StatusPages[1].Names(cfg.Monitors); !reflect.DeepEqual(n, []string{"shop", "api", "db"}) {
		t.Errorf("a page without groups shows %q, want every monitor", n)
	}
}

// TestStatusPageGroupLines checks that each [[status_page.group]] has its
// own lines, so a mistake in the third is reported on its line.
func TestStatusPageGroupLines(t *testing.T) {
	es := parseErrors(t, `[[monitor]]
name = "shop"
url = "https://shop.example.com/"

[[status_page]]
path = "/a"
[[status_page.group]]
name = "one"
monitors = ["shop"]

[[status_page]]
path = "/b"
[[status_page.group]]
name = "one"
monitors = ["shop"]
[[status_page.group]]
name = "two"
monitors = ["nope"]
`)
	if len(es) != 1 || es[0].Line != 18 || es[0].Key != "status_page.group[1].monitors" {
		t.Fatalf("errors = %v, want one on line 18 in status_page.group[1].monitors", es)
	}
}
