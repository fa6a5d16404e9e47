package atonce

// System call numbers and the layout of struct stat on linux/arm64.
const (
	sysRead          = 63
	sysWrite         = 64
	sysClose         = 57
	sysSocket        = 198
	sysConnect       = 203
	sysSetsockopt    = 208
	sysFcntl         = 25
	sysGetuid        = 174
	sysExitGroup     = 94
	sysOpenat        = 56
	sysRtSigprocmask = 135
	sysRtSigaction   = 134
	sysGetpid        = 172
	sysKill          = 129
	sysPpoll         = 73
	sysNewfstatat    = 79

	statSize  = 128
	statMode  = 16
	statBytes = 48
)
