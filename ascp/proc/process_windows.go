package proc

import (
	"fmt"
	"os"
	"os/exec"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/windows"
)

// procSys holds the job object that ascp and everything it starts belong
// to. Windows has no process groups to signal: a job is the one handle that
// ends a whole tree, and with KILL_ON_JOB_CLOSE even a crash of asession
// (which closes its handles) takes ascp's children with it.
type procSys struct {
	mu  sync.Mutex // kill (any goroutine) against release (the reaper)
	job windows.Handle
}

// startProcess runs cmd with its output on a pipe and an empty stdin: no
// pseudo-terminal is needed for a prompt to be seen (readTerminal watches
// the pipe), and a prompt reading stdin gets end of file instead of
// waiting. ascp is detached from asession's console, so a prompt cannot
// open the console and wait there either, and a Ctrl-C or Ctrl-Break typed
// at that console is asession's to handle (CANCEL, then the job is killed),
// as on Unix where ascp has its own session.
//
// ascp is put into the job right after it starts. A child it started in
// that instant would escape the job; ascp starts ssh only after reading its
// arguments and connecting to the management port, well after.
func startProcess(cmd *exec.Cmd) (*os.File, *procSys, error) {
	job, err := newKillOnCloseJob()
	if err != nil {
		return nil, nil, err
	}
	sys := &procSys{job: job}
	out, w, err := os.Pipe()
	if err != nil {
		sys.release()
		return nil, nil, err
	}
	cmd.Stdin = nil // the NUL device
	cmd.Stdout = w
	cmd.Stderr = w
	cmd.SysProcAttr = &syscall.SysProcAttr{
		CreationFlags: windows.DETACHED_PROCESS | windows.CREATE_NEW_PROCESS_GROUP,
		HideWindow:    true,
	}
	err = cmd.Start()
	_ = w.Close() // ascp holds its own copy; EOF comes when it exits
	if err != nil {
		_ = out.Close()
		sys.release()
		return nil, nil, err
	}
	if err := assignToJob(job, cmd.Process.Pid); err != nil {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		_ = out.Close()
		sys.release()
		return nil, nil, fmt.Errorf("putting ascp into a job object: %w", err)
	}
	return out, sys, nil
}

func newKillOnCloseJob() (windows.Handle, error) {
	job, err := windows.CreateJobObject(nil, nil)
	if err != nil {
		return 0, fmt.Errorf("creating a job object: %w", err)
	}
	var info windows.JOBOBJECT_EXTENDED_LIMIT_INFORMATION
	info.BasicLimitInformation.LimitFlags = windows.JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE
	if _, err := windows.SetInformationJobObject(job, windows.JobObjectExtendedLimitInformation,
		uintptr(unsafe.Pointer(&info)), uint32(unsafe.Sizeof(info))); err != nil {
		_ = windows.CloseHandle(job)
		return 0, fmt.Errorf("setting the job object's limits: %w", err)
	}
	return job, nil
}

func assignToJob(job windows.Handle, pid int) error {
	h, err := windows.OpenProcess(windows.PROCESS_SET_QUOTA|windows.PROCESS_TERMINATE, false, uint32(pid))
	if err != nil {
		return err
	}
	defer windows.CloseHandle(h)
	return windows.AssignProcessToJobObject(job, h)
}

// kill ends every process of the job; ascp itself too should the job be
// gone already.
func (s *procSys) kill(cmd *exec.Cmd) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job == 0 || windows.TerminateJobObject(s.job, 1) != nil {
		_ = cmd.Process.Kill()
	}
}

// release closes the job once ascp has been reaped; anything ascp left
// running ends with it (KILL_ON_JOB_CLOSE).
func (s *procSys) release() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.job != 0 {
		_ = windows.CloseHandle(s.job)
		s.job = 0
	}
}

var procIsProcessInJob = windows.NewLazySystemDLL("kernel32.dll").NewProc("IsProcessInJob")

// InJob reports whether process pid belongs to ascp's job object: ascp or
// something it started. The management port's check asks it of the
// process that owns a connection.
func (p *Process) InJob(pid int) bool {
	p.sys.mu.Lock()
	defer p.sys.mu.Unlock()
	if p.sys.job == 0 {
		return false
	}
	h, err := windows.OpenProcess(windows.PROCESS_QUERY_LIMITED_INFORMATION, false, uint32(pid))
	if err != nil {
		return false
	}
	defer windows.CloseHandle(h)
	var in int32
	r, _, _ := procIsProcessInJob.Call(uintptr(h), uintptr(p.sys.job), uintptr(unsafe.Pointer(&in)))
	return r != 0 && in != 0
}
