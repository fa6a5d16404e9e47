package fleet

import (
	"errors"
	"fmt"
	"hash/fnv"
	"strconv"
	"strings"
)

// Shard is one part of a fleet that splits its monitors between
// daemons: shard I of N, counted from 1. The zero Shard is no sharding:
// it owns every monitor.
type Shard struct {
	I, N int
}

// ErrShard is returned by ParseShard for text that is not "i/n".
var ErrShard = errors.New(`a shard is written "i/n", e.g. "2/4" for the second of four`)

// ParseShard reads "i/n" (1 <= i <= n). "" is no sharding.
func ParseShard(s string) (Shard, error) {
	if strings.TrimSpace(s) == "" {
		return Shard{}, nil
	}
	is, ns, ok := strings.Cut(strings.TrimSpace(s), "/")
	if !ok {
		return Shard{}, fmt.Errorf("%q: %w", s, ErrShard)
	}
	i, err1 := strconv.Atoi(strings.TrimSpace(is))
	n, err2 := strconv.Atoi(strings.TrimSpace(ns))
	if err1 != nil || err2 != nil {
		return Shard{}, fmt.Errorf("%q: %w", s, ErrShard)
	}
	sh := Shard{I: i, N: n}
	if err := sh.Valid(); err != nil {
		return Shard{}, err
	}
	return sh, nil
}

// Valid reports whether the shard is in range: 1 <= I <= N, or zero.
func (s Shard) Valid() error {
	switch {
	case s == Shard{}:
		return nil
	case s.N < 1:
		return fmt.Errorf("%d/%d has no shards; there must be at least one", s.I, s.N)
	case s.I < 1 || s.I > s.N:
		return fmt.Errorf("shard %d of %d is out of range; with %d shards they are 1/%d to %d/%d", s.I, s.N, s.N, s.N, s.N, s.N)
	}
	return nil
}

// IsZero reports whether s is no sharding.
func (s Shard) IsZero() bool { return s == Shard{} }

// String writes "i/n", or "" for no sharding.
func (s Shard) String() string {
	if s.IsZero() {
		return ""
	}
	return fmt.Sprintf("%d/%d", s.I, s.N)
}

// Owns reports whether the monitor named name is checked by this shard.
// Every daemon of a fleet decides this alone, from the name, so that all
// agree without talking.
func (s Shard) Owns(name string) bool {
	if s.N <= 1 {
		return true
	}
	return Assign(name, s.N) == s.I
}

// Assign returns the shard (1 to n) that checks the monitor named name,
// by rendezvous hashing: each shard scores the name, and the highest
// score wins. Growing from n to n+1 shards moves only the monitors that
// the new shard wins, about 1/(n+1) of them, each from wherever it was;
// no monitor moves between the old shards.
func Assign(name string, n int) int {
	best, bestScore := 1, uint64(0)
	for i := 1; i <= n; i++ {
		if sc := score(name, i); i == 1 || sc > bestScore {
			best, bestScore = i, sc
		}
	}
	return best
}

// score is the weight of shard i for a name: a 64-bit hash of both,
// mixed so that similar names score independently.
func score(name string, i int) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	h.Write([]byte{0})
	h.Write([]byte(strconv.Itoa(i)))
	x := h.Sum64()
	x ^= x >> 30 // splitmix64's finalizer: FNV's low bits vary little between similar inputs
	x *= 0xbf58476d1ce4e5b9
	x ^= x >> 27
	x *= 0x94d049bb133111eb
	x ^= x >> 31
	return x
}
