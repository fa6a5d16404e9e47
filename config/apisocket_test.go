package config

import (
	"os"
	"path/filepath"
	"testing"

	"early.upbeat.invalid/bare"
	"early.upbeat.invalid/tomlscan"
	"github.com/BurntSushi/toml"
)

// apiSocketCases are configs whose [api] socket tomlscan.APISocket reads
// (or declines), with what it says.
var apiSocketCases = []struct {
	text   string
	socket string
	what   tomlscan.Socket
}{
	{"", "", tomlscan.NoSocket},
	{"[settings]\nlocation = \"eu\"\n", "", tomlscan.NoSocket},
	{"[api]\nsocket = \"/run/u.sock\"\n", "/run/u.sock", tomlscan.SocketSet},
	{"[api]\nsocket='~/u.sock' # mine\n", "~/u.sock", tomlscan.SocketSet},
	{"  [ api ]  # the API\r\n\tsocket = \"rel/u.sock\"\r\n", "rel/u.sock", tomlscan.SocketSet},
	{"[api]\ntoken = \"t\"\n[fleet]\nsocket = \"/not/this\"\n", "", tomlscan.NoSocket},
	{"[api.x]\nsocket = \"/a\"\n", "", tomlscan.SocketUnsure},
	{"[[api]]\nsocket = \"/a\"\n", "", tomlscan.SocketUnsure},
	{"api.socket = \"/a\"\n", "", tomlscan.SocketUnsure},
	{"api = { socket = \"/a\" }\n", "", tomlscan.SocketUnsure},
	{"\"api\" = { socket = \"/a\" }\n", "", tomlscan.SocketUnsure},
	{"[\"api\"]\nsocket = \"/a\"\n", "", tomlscan.SocketUnsure},
	{"[api]\n\"socket\" = \"/a\"\n", "", tomlscan.SocketUnsure},
	{"[api]\nsocket = \"/a\\u0062\"\n", "", tomlscan.SocketUnsure},
	{"[api]\nsocket = \"\"\"/a\"\"\"\n", "", tomlscan.SocketUnsure},
	{"[api]\nsocket = 3\n", "", tomlscan.SocketUnsure},
	{"[api]\nsocket = \"/a\" junk\n", "", tomlscan.SocketUnsure},
	// what looks like the table in a string, a comment or a value is not
	{"note = \"\"\"\n[api]\nsocket = \"/no\"\n\"\"\"\n", "", tomlscan.NoSocket},
	{"note = '''\n[api]\nsocket = '/no'\n'''\n[api]\nsocket = \"/yes\"\n", "/yes", tomlscan.SocketSet},
	{"# [api]\n# socket = \"/no\"\n", "", tomlscan.NoSocket},
	{"list = [\n  \"[api]\",\n  { socket = \"/no\" },\n]\n", "", tomlscan.NoSocket},
	{"[[monitor]]\nname = \"api\"\nheaders = { socket = \"/no\" }\n[api]\nlisten = \"127.0.0.1:1\"\n", "", tomlscan.NoSocket},
	// a quoted key may hold what opens a value or a string (found in review)
	{"\"a=[\" = 1\n[api]\nsocket = \"/x\"\n", "/x", tomlscan.SocketSet},
	{"'x=\"\"\"' = 1\n[api]\nsocket = \"/x\"\n", "/x", tomlscan.SocketSet},
	{"[t]\n\"k={\" = 2\n[api]\nsocket = \"/x\"\n", "/x", tomlscan.SocketSet},
	{"\"a\\\"=[\" = 1\n[api]\nsocket = \"/x\"\n", "", tomlscan.SocketUnsure}, // an escape could spell api
}

// APISocket, which `upbeat status` runs before any package that could
// parse TOML is initialised, reads the [api] socket as the TOML parser
// does, or says it cannot.
func TestAPISocket(t *testing.T) {
	for _, c := range apiSocketCases {
		socket, what := tomlscan.APISocket([]byte(c.text))
		if socket != c.socket || what != c.what {
			t.Errorf("%q: %q, %v; want %q, %v", c.text, socket, what, c.socket, c.what)
		}
	}
	// the example config's own
	data, err := os.ReadFile(filepath.Join("..", "config.toml.example"))
	if err != nil {
		t.Fatal(err)
	}
	if socket, what := tomlscan.APISocket(data); socket != "/run/upbeat/upbeat.sock" || what != tomlscan.SocketSet {
		t.Errorf("config.toml.example: %q, %v", socket, what)
	}
}

// Whatever APISocket answers of text that is TOML, the parser reads so.
func FuzzAPISocket(f *testing.F) {
	for _, c := range apiSocketCases {
		f.Add(c.text)
	}
	f.Fuzz(func(t *testing.T, text string) {
		socket, what := tomlscan.APISocket([]byte(text))
		var tree map[string]any
		if what == tomlscan.SocketUnsure || len(text) > 1<<16 {
			return
		}
		if _, err := toml.Decode(text, &tree); err != nil {
			return // not TOML: the daemon's stamp tells that the file parses
		}
		api, isTable := tree["api"].(map[string]any)
		v, set := api["socket"]
		switch {
		case tree["api"] != nil && !isTable:
			t.Errorf("%q: api is %T, and APISocket said %v", text, tree["api"], what)
		case what == tomlscan.NoSocket && set:
			t.Errorf("%q: no socket, the parser says %v", text, v)
		case what == tomlscan.SocketSet && v != socket:
			t.Errorf("%q: socket %q, the parser says %v", text, socket, v)
		}
	})
}

// The stamp of a loaded config names its text: the same text, in
// another file or written again, has the same stamp; another text has
// another.
func TestLoadStampsTheConfig(t *testing.T) {
	dir := t.TempDir()
	p, copied := filepath.Join(dir, "upbeat.toml"), filepath.Join(dir, "copy.toml")
	text := []byte("[settings]\nlocation = \"a\"\n")
	os.WriteFile(p, text, 0o600)
	os.WriteFile(copied, text, 0o600)
	cfg, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	same, err := Load(copied)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Stamp == "" || cfg.Stamp != bare.Stamp(text) || same.Stamp != cfg.Stamp {
		t.Fatalf("stamps %q and %q, of the text %q", cfg.Stamp, same.Stamp, bare.Stamp(text))
	}
	os.WriteFile(p, []byte("[settings]\nlocation = \"b\"\n"), 0o600)
	again, err := Load(p)
	if err != nil {
		t.Fatal(err)
	}
	if again.Stamp == cfg.Stamp {
		t.Errorf("the same stamp for another text: %q", again.Stamp)
	}
}
