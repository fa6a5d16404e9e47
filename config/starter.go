package config

import (
	_ "embed"
	"slices"
)

//go:embed starter.toml
var starter []byte

// Starter returns the commented starter config that `upbeat init` writes.
// It loads without error.
func Starter() []byte { return slices.Clone(starter) }
