package kb

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
)

// The knowledge base must be written in the project's own words. The
// reference article it draws its facts from is not part of the module; when
// it is present next to the project (or named by UPBEAT_REFERENCE_ARTICLE)
// this test checks that no run of noCopyRun consecutive words of any entry
// appears in it.
const noCopyRun = 8

func referenceArticle(t *testing.T) string {
	t.Helper()
	path := os.Getenv("UPBEAT_REFERENCE_ARTICLE")
	if path == "" {
		path = filepath.Join("..", "..", "..", "shared", "reference", "error-codes-article.txt")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("reference article not available: %v", err)
	}
	return string(b)
}

// words splits s into lower-case runs of letters and digits, so that
// punctuation, quoting and case cannot hide a copied phrase.
func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

func TestNoCopiedPhrases(t *testing.T) {
	article := words(referenceArticle(t))
	grams := make(map[string]bool, len(article))
	for i := 0; i+noCopyRun <= len(article); i++ {
		grams[strings.Join(article[i:i+noCopyRun], " ")] = true
	}
	var entries []Entry
	for _, k := range Keys() {
		e, _ := Lookup(k)
		entries = append(entries, e)
	}
	entries = append(entries, unknownEntry())
	for _, e := range entries {
		for _, text := range append([]string{e.Name, e.Summary, e.Meaning, e.FirstStep}, e.Causes...) {
			w := words(text)
			for i := 0; i+noCopyRun <= len(w); i++ {
				if run := strings.Join(w[i:i+noCopyRun], " "); grams[run] {
					t.Errorf("%s: %q is copied from the reference article", e.Class, run)
				}
			}
		}
	}
}

func TestWordsSplitsPunctuation(t *testing.T) {
	got := strings.Join(words(`Nginx's "upstream" (HTTP/1.1) -- proxy_read_timeout!`), " ")
	if want := "nginx s upstream http 1 1 proxy read timeout"; got != want {
		t.Errorf("words = %q, want %q", got, want)
	}
}
