//go:build unix && !linux

package peer

import "syscall"

func setDeathSignal(*syscall.SysProcAttr) {}
