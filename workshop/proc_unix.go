//go:build unix

package main

import (
	"os/exec"
	"syscall"
)

// killTree makes cancelling cmd stop go test and the test binary it
// started: the go command runs in its own process group, and the whole
// group is killed. Killing only the go command would leave a stuck test
// binary running until its timeout.
func killTree(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
