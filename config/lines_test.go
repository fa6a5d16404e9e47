package config

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/BurntSushi/toml"
)

func TestLinesTricky(t *testing.T) {
	src := `# comment with name = "x"
top = 1
settings.location = "dotted"

[[monitor]]
name = "a"   # trailing comment
body = """
name = "inside a string"
url = "also inside"
"""
url = "https://a.example.com/"
expect_json = [
  '.a == 1',  # comment in an array
  ".b == ']'",
]
headers = { "X-One" = "1", Two = "2" }

[[monitor]]
name = 'b'
body = '''
x = 1
'''
"quoted key" = 2
 url   =   "tcp://b.example.com:1"
when = 2026-01-01 10:00:00Z
after_date = true

[monitor.headers]
"X-Sub" = "v"
Other = "w"

[api]
listen = "127.0.0.1:1"
`
	var tree map[string]any
	if _, err := toml.Decode(src, &tree); err != nil {
		t.Fatal(err)
	}
	x := indexLines(src)
	for _, c := range []struct {
		table string
		index int
		key   string
		line  int
	}{
		{"", 0, "top", 2},
		{"settings", 0, "location", 3},
		{"monitor", 0, "", 5},
		{"monitor", 0, "name", 6},
		{"monitor", 0, "url", 11},
		{"monitor", 0, "expect_json", 12},
		{"monitor", 0, "headers", 16},
		{"monitor", 0, "headers.X-One", 16},
		{"monitor", 0, "headers.Two", 16},
		{"monitor", 0, "nonexistent", 5}, // the table's header
		{"monitor", 1, "name", 19},
		{"monitor", 1, "quoted key", 23},
		{"monitor", 1, "url", 24},
		{"monitor", 1, "after_date", 26},
		{"monitor", 1, "headers", 28},
		{"monitor", 1, "headers.X-Sub", 29},
		{"monitor", 1, "headers.Other", 30},
		{"monitor", 1, "headers.Missing", 28}, // the parent key
		{"api", 0, "listen", 33},
		{"alert", 0, "name", 0},
	} {
		if got := x.find(c.table, c.index, c.key); got != c.line {
			t.Errorf("find(%s, %d, %s) = %d, want %d", c.table, c.index, c.key, got, c.line)
		}
	}
}

// TestLinesAgreeWithLibrary checks the scan against the TOML library on
// every config in the repository: each key the library reports is found,
// on a line that holds the key's last part.
func TestLinesAgreeWithLibrary(t *testing.T) {
	files, err := filepath.Glob("testdata/*.toml")
	if err != nil {
		t.Fatal(err)
	}
	files = append(files, examplePath)
	sources := map[string]string{"starter": string(Starter())}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sources[f] = string(b)
	}
	for name, src := range sources {
		md, err := toml.Decode(src, new(map[string]any))
		if err != nil {
			continue // the files that test syntax errors
		}
		x := indexLines(src)
		lines := strings.Split(src, "\n")
		count := map[string]int{}
		for _, k := range md.Keys() {
			if len(k) == 1 && md.Type(k...) == "ArrayHash" {
				count[k[0]]++
			}
			table, index, path := "", 0, k.String()
			if typ := md.Type(k[0]); typ == "Hash" || typ == "ArrayHash" {
				table, index, path = k[0], max(count[k[0]]-1, 0), strings.Join(k[1:], ".")
			}
			// [[status_page.group]]: the n-th in its page is group[n].
			if len(k) >= 2 && md.Type(k[0]) == "ArrayHash" && md.Type(k[:2]...) == "ArrayHash" {
				sub := fmt.Sprintf("%s#%d.%s", k[0], index, k[1])
				if len(k) == 2 {
					count[sub]++
				}
				path = fmt.Sprintf("%s[%d]", k[1], max(count[sub]-1, 0))
				if len(k) > 2 {
					path += "." + strings.Join(k[2:], ".")
				}
			}
			line := x.find(table, index, path)
			if line == 0 {
				t.Errorf("%s: %s not found", name, k)
				continue
			}
			if last := k[len(k)-1]; !strings.Contains(lines[line-1], last) {
				t.Errorf("%s: %s found on line %d: %q", name, k, line, lines[line-1])
			}
		}
	}
}

// testCAPEM makes a self-signed CA certificate.
func testCAPEM(t *testing.T) []byte {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "upbeat test CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
