package ascpsim

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

// sessionError ends the session with an ERROR frame carrying ascp's code.
type sessionError struct {
	code int
	desc string
	file string
}

func (e *sessionError) Error() string { return fmt.Sprintf("%s (code %d)", e.desc, e.code) }

func sessionErr(code int, format string, a ...any) *sessionError {
	return &sessionError{code: code, desc: fmt.Sprintf(format, a...)}
}

const (
	codeNoSuchFile     = 4
	codeNotDirectory   = 6
	codeIsDirectory    = 7
	codeConnectionLost = 16
	codeAuthFailed     = 19
	codeNotRegular     = 21
	codeNoSpace        = 25
	codeSomeFailed     = 27
	codeCancelled      = 28
	codeDiskRead       = 35
	codeDiskWrite      = 36
	codeAuthorization  = 37
	codeOutsideDocroot = 41
	codeFileEncryption = 48
	codeSymlinkLoop    = 63
	codeGeneric        = 2
)

// authenticate plays the two checks a real server makes: SSH (a key, or a
// password, asked for on the terminal when none was given) and then the
// transfer token, when one is presented.
func authenticate(cfg *config, t *target) error {
	if !haveKey(cfg) {
		pass := os.Getenv("ASPERA_SCP_PASS")
		if pass == "" {
			var err error
			if pass, err = promptPassword(t.user + "@" + t.host + "'s password: "); err != nil {
				return err
			}
		}
		if want, set := os.LookupEnv("ASCPSIM_PASSWORD"); set && pass != want {
			return sessionErr(codeAuthFailed, "Authentication failed")
		}
	}
	token := os.Getenv("ASPERA_SCP_TOKEN")
	if token == "" {
		token = cfg.token
	}
	if want, set := os.LookupEnv("ASCPSIM_TOKEN"); set && token != "" && token != want {
		return sessionErr(codeAuthorization, "Server aborted session: Token authorization failed")
	}
	return nil
}

func haveKey(cfg *config) bool {
	if os.Getenv("ASPERA_SCP_KEY") != "" {
		return true
	}
	if cfg.keyFile == "" {
		return false
	}
	f, err := os.Open(cfg.keyFile)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// ttyError is an authentication that cannot even ask: no controlling
// terminal. It is reported on stderr as well as on the management port.
type ttyError struct{ err error }

func (e *ttyError) Error() string {
	return fmt.Sprintf("no password given and cannot prompt for one: %v", e.err)
}

// promptPassword asks on the controlling terminal, as ssh does, and waits
// for a line for as long as it takes.
func promptPassword(prompt string) (string, error) {
	tty, err := openTerminal()
	if err != nil {
		return "", &ttyError{err}
	}
	defer tty.Close()
	var line string
	var rerr error
	// Echo goes off before the prompt appears, so that nothing typed in
	// answer to it can reach the screen.
	withoutEcho(tty, func() {
		if _, rerr = tty.WriteString(prompt); rerr != nil {
			return
		}
		line, rerr = bufio.NewReader(tty).ReadString('\n')
	})
	tty.WriteString("\n")
	if rerr != nil && line == "" {
		return "", sessionErr(codeAuthFailed, "Authentication failed: no password entered")
	}
	return strings.TrimRight(line, "\r\n"), nil
}
