// Package fleet holds what several upbeat daemons share when one machine
// is not enough: which shard checks which monitor (Shard, rendezvous
// hashing of the monitor's name), and how the locations agree before
// paging (Tally, the quorum and the sentence that says how it went).
//
// It knows nothing of HTTP or of the engine: the peers are asked by
// package peers, and the alert dispatcher acts on the outcome.
package fleet
