package atonce

// System call numbers and the layout of struct stat on linux/amd64.
const (
	sysRead          = 0
	sysWrite         = 1
	sysClose         = 3
	sysSocket        = 41
	sysConnect       = 42
	sysSetsockopt    = 54
	sysFcntl         = 72
	sysGetuid        = 102
	sysExitGroup     = 231
	sysOpenat        = 257
	sysRtSigprocmask = 14
	sysRtSigaction   = 13
	sysGetpid        = 39
	sysKill          = 62
	sysPpoll         = 271
	sysNewfstatat    = 262

	statSize  = 144
	statMode  = 24 // uint32
	statBytes = 48 // int64 st_size
)
