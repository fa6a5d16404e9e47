package tomlscan

// Socket is what APISocket read of a config's [api] socket.
type Socket int

const (
	// NoSocket: the text has no [api] table, or one without a socket key.
	NoSocket Socket = iota
	// SocketSet: the [api] table sets socket to a one-line string without
	// escapes, returned as written.
	SocketSet
	// SocketUnsure: the text says something APISocket does not read
	// (an [[api]] array, a dotted api.socket key, an inline api table, a
	// socket with escapes or not a string, the key twice, text that does
	// not scan): only a TOML parser can tell.
	SocketUnsure
)

// APISocket reads the [api] table's socket key from TOML text without
// parsing the rest, for `upbeat status`'s fastest path, which runs before
// any package it could parse with is initialised. It reads the text as
// TOML does (strings, comments, values over several lines) but does not
// check it: the text may still not be TOML, and whoever relies on the
// answer must know the text is valid some other way.
func APISocket(data []byte) (string, Socket) {
	s := socketScan{data: data}
	for s.i < len(data) {
		s.skipBlank()
		if s.i >= len(data) {
			break
		}
		switch data[s.i] {
		case '\n':
			s.i++
		case '#':
			s.i = skipComment(data, s.i) + 1
		case '[':
			if !s.header() {
				return "", SocketUnsure
			}
		default:
			if !s.keyValue() {
				return "", SocketUnsure
			}
		}
	}
	if s.found {
		return s.socket, SocketSet
	}
	return "", NoSocket
}

// socketScan is where APISocket is in the text.
type socketScan struct {
	data   []byte
	i      int
	inAPI  bool // the last table header was [api]
	found  bool
	socket string
}

func (s *socketScan) skipBlank() {
	for s.i < len(s.data) && (s.data[s.i] == ' ' || s.data[s.i] == '\t' || s.data[s.i] == '\r') {
		s.i++
	}
}

// header reads a [table] or [[table]] line; false when it names the api
// table in a way other than [api].
func (s *socketScan) header() bool {
	start := s.i
	end := start
	for end < len(s.data) && s.data[end] != '\n' && s.data[end] != '#' {
		end++
	}
	line := trimBlank(s.data[start:end])
	array := len(line) >= 2 && line[1] == '['
	open := 1
	if array {
		open = 2
	}
	if len(line) < 2*open || line[len(line)-1] != ']' || (array && line[len(line)-2] != ']') {
		return false // a quote or bracket in the name, or not a header: the parser's
	}
	name := trimBlank(line[open : len(line)-open])
	first := name
	for j, c := range name {
		if c == '.' {
			first = trimBlank(name[:j])
			break
		}
	}
	if isAPIKey(first) {
		if array || len(first) != len(name) || string(first) != "api" {
			return false
		}
		s.inAPI = true
	} else {
		s.inAPI = false
		if hasQuote(name) {
			return false
		}
	}
	s.i = end
	if s.i < len(s.data) && s.data[s.i] == '#' {
		s.i = skipComment(s.data, s.i) + 1
	}
	return true
}

// keyValue reads a key = value pair, over as many lines as the value
// takes; false when it is the socket in a form not read here, or sets the
// api table some other way.
func (s *socketScan) keyValue() bool {
	eq := keyEnd(s.data, s.i)
	if eq < 0 {
		return false
	}
	key := trimBlank(s.data[s.i:eq])
	first := key
	for j, c := range key {
		if c == '.' {
			first = trimBlank(key[:j])
			break
		}
	}
	switch {
	case hasQuote(key) && (s.inAPI || containsAPI(key)):
		return false // a quoted key that could be api or socket
	case !s.inAPI && isAPIKey(first):
		return false // api.socket = …, api = { … }
	case s.inAPI && string(key) == "socket":
		return s.socketValue(eq + 1)
	case s.inAPI && len(first) == len("socket") && string(first) == "socket":
		return false // socket.x = …
	}
	s.i = s.skipValue(eq + 1)
	return true
}

// socketValue reads the socket's value starting at data[i]: a one-line
// string without escapes, then at most a comment.
func (s *socketScan) socketValue(i int) bool {
	for i < len(s.data) && (s.data[i] == ' ' || s.data[i] == '\t') {
		i++
	}
	end, ok := plainString(s.data, i)
	if s.found || !ok {
		return false
	}
	s.socket, s.found = string(s.data[i+1:end]), true
	j := end + 1
	for j < len(s.data) && (s.data[j] == ' ' || s.data[j] == '\t' || s.data[j] == '\r') {
		j++
	}
	switch {
	case j == len(s.data) || s.data[j] == '\n':
	case s.data[j] == '#':
		j = skipComment(s.data, j) + 1
	default:
		return false
	}
	s.i = j
	return true
}

// plainString reads a one-line string without escapes or control
// characters that starts at data[i], in double or single quotes, and
// returns the index of its closing quote.
func plainString(data []byte, i int) (int, bool) {
	if i+1 >= len(data) || (data[i] != '"' && data[i] != '\'') {
		return 0, false
	}
	q := data[i]
	if i+2 < len(data) && data[i+1] == q && data[i+2] == q {
		return 0, false // multi-line
	}
	for j := i + 1; j < len(data); j++ {
		switch c := data[j]; {
		case c == q:
			return j, true
		case c == '\\' || c < ' ' && c != '\t' || c == 0x7f:
			return 0, false
		}
	}
	return 0, false
}

// skipValue returns the index after the value that starts at data[i] and
// its line: strings, comments and open brackets carry it over lines.
func (s *socketScan) skipValue(i int) int {
	depth, line := 0, 0
	for ; i < len(s.data); i++ {
		switch c := s.data[i]; c {
		case '\n':
			if depth == 0 {
				return i + 1
			}
		case '#':
			i = skipComment(s.data, i)
		case '"', '\'':
			i, line = skipString(s.data, i, line)
		case '[', '{':
			depth++
		case ']', '}':
			if depth > 0 {
				depth--
			}
		}
	}
	return i
}

// isAPIKey reports whether a key part names api: bare, or in quotes
// that could read so.
func isAPIKey(k []byte) bool {
	switch string(k) {
	case "api", `"api"`, "'api'":
		return true
	}
	return len(k) > 0 && (k[0] == '"' || k[0] == '\'') && containsAPI(k)
}

// containsAPI reports whether k has "api" in it, or an escape that
// could spell it.
func containsAPI(k []byte) bool {
	for j := range k {
		if k[j] == '\\' || j+3 <= len(k) && string(k[j:j+3]) == "api" {
			return true
		}
	}
	return false
}

func hasQuote(b []byte) bool {
	for _, c := range b {
		if c == '"' || c == '\'' {
			return true
		}
	}
	return false
}

func trimBlank(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r') {
		b = b[:len(b)-1]
	}
	return b
}

// keyEnd returns the index of the '=' that ends the key starting at
// data[i], past quoted parts of the key (which may hold '='); -1 when the
// line has none.
func keyEnd(data []byte, i int) int {
	for ; i < len(data) && data[i] != '\n'; i++ {
		switch c := data[i]; c {
		case '=':
			return i
		case '"', '\'':
			j := i + 1
			for j < len(data) && data[j] != c && data[j] != '\n' {
				if c == '"' && data[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(data) || data[j] != c {
				return -1
			}
			i = j
		}
	}
	return -1
}
