//go:build linux

package testns

import (
	"encoding/binary"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"
)

const env = "ASESSION_TESTNS"

// Enter reports whether the calling test is inside namespaces made with
// flags (syscall.CLONE_NEWNET, CLONE_NEWNS): in the child it prepares them
// (the loopback up; mounts private, so that nothing mounted there is seen
// outside) and returns true, and the test goes on. Otherwise it runs the
// test again, as a child process in new namespaces (what unshare -n or -m
// do), fails when the child does, and returns false: the caller returns.
// Without root it skips the test, saying why.
func Enter(t *testing.T, flags uintptr) bool {
	t.Helper()
	if os.Getenv(env) == t.Name() {
		if flags&syscall.CLONE_NEWNET != 0 {
			if err := loopbackUp(); err != nil {
				t.Fatalf("bringing lo up in the private network namespace: %v", err)
			}
		}
		if flags&syscall.CLONE_NEWNS != 0 {
			if err := syscall.Mount("none", "/", "", syscall.MS_REC|syscall.MS_PRIVATE, ""); err != nil {
				t.Fatalf("making the mounts private: %v", err)
			}
		}
		return true
	}
	if os.Getuid() != 0 {
		t.Skip("needs root, to run in namespaces of its own (CI runs as root)")
	}
	var run []string
	for _, part := range strings.Split(t.Name(), "/") {
		run = append(run, "^"+regexp.QuoteMeta(part)+"$")
	}
	cmd := exec.Command(os.Args[0], "-test.run="+strings.Join(run, "/"), "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), env+"="+t.Name())
	cmd.SysProcAttr = &syscall.SysProcAttr{Cloneflags: flags}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("in namespaces of its own: %v\n%s", err, out)
	}
	return false
}

// Tmpfs mounts a file system of size bytes (rounded up to pages) on a new
// folder and returns it; it goes at the end of the test. Only inside
// Enter(t, syscall.CLONE_NEWNS).
func Tmpfs(t *testing.T, size int) string {
	t.Helper()
	if os.Getenv(env) != t.Name() {
		t.Fatal("testns.Tmpfs outside a private mount namespace")
	}
	dir := t.TempDir()
	if err := syscall.Mount("tmpfs", dir, "tmpfs", 0, "size="+strconv.Itoa(size)+",mode=0755"); err != nil {
		t.Fatalf("mounting a tmpfs: %v", err)
	}
	t.Cleanup(func() { _ = syscall.Unmount(dir, syscall.MNT_DETACH) })
	return dir
}

// loopbackUp sets the lo interface up (SIOCSIFFLAGS), as `ip link set lo
// up` does, without needing iproute2.
func loopbackUp() error {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_DGRAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return err
	}
	defer syscall.Close(fd)
	var ifr [40]byte // struct ifreq: the name, then the flags
	copy(ifr[:], "lo")
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCGIFFLAGS, uintptr(unsafe.Pointer(&ifr[0]))); e != 0 {
		return e
	}
	binary.NativeEndian.PutUint16(ifr[16:], binary.NativeEndian.Uint16(ifr[16:])|syscall.IFF_UP)
	if _, _, e := syscall.Syscall(syscall.SYS_IOCTL, uintptr(fd), syscall.SIOCSIFFLAGS, uintptr(unsafe.Pointer(&ifr[0]))); e != 0 {
		return e
	}
	return nil
}
