package peer

import "syscall"

// setDeathSignal makes the kernel kill the server if the test process dies
// before its cleanups run (for example on a test timeout panic).
func setDeathSignal(a *syscall.SysProcAttr) { a.Pdeathsig = syscall.SIGKILL }
