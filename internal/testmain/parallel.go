package testmain

import (
	"flag"
	"strconv"
)

// parallelFlag is the testing package's flag for how many parallel tests
// run at once.
const parallelFlag = "test.parallel"

// Parallel makes n parallel tests run at once in this test binary, unless
// the command line says how many (go test -parallel). It must be called in
// TestMain before m.Run.
//
// The testing package runs GOMAXPROCS of them by default, which suits tests
// that compute. A package whose parallel tests spend their time waiting (on
// servers started for them, a daemon's check interval, a child process)
// leaves the cores idle with two at a time on a two-core machine, and its
// tests end one after another.
func Parallel(n int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	setParallel(flag.CommandLine, n)
}

// setParallel sets fs's parallel flag to n unless the command line set it;
// it reports whether it did.
func setParallel(fs *flag.FlagSet, n int) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == parallelFlag })
	if given || fs.Lookup(parallelFlag) == nil {
		return false
	}
	return fs.Set(parallelFlag, strconv.Itoa(n)) == nil
}
