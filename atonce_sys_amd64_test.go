//go:build linux

package main

const sysPpoll = 271 // what atonce waits in on a full output (syscall.SYS_PPOLL)
