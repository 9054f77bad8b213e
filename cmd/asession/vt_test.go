//go:build !windows

package main

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// vt is the small part of a VT100 that asession's terminal output uses:
// printable text with autowrap, CR, LF, index (ESC D), cursor save/restore
// (ESC 7/8), cursor position (CSI H), cursor up (CSI A), erase line (CSI K),
// erase below (CSI J), and the scroll region (CSI r). Rows that scroll off the top are kept in history,
// so a test can read everything a person would have seen, line by line.
type vt struct {
	rows, cols   int
	screen       [][]rune
	history      []string
	r, c         int
	top, bottom  int // scroll region, inclusive, 0-based
	savedR       int
	savedC       int
	pending      []byte // an unfinished escape sequence or UTF-8 rune
	unknownCodes []string
}

func newVT(rows, cols int) *vt {
	v := &vt{rows: rows, cols: cols, bottom: rows - 1}
	v.screen = make([][]rune, rows)
	for i := range v.screen {
		v.screen[i] = blankRow(cols)
	}
	return v
}

func blankRow(cols int) []rune { return []rune(strings.Repeat(" ", cols)) }

func (v *vt) Write(p []byte) (int, error) {
	data := append(v.pending, p...)
	v.pending = nil
	for len(data) > 0 {
		n := v.step(data)
		if n == 0 { // incomplete: wait for more
			v.pending = append([]byte(nil), data...)
			break
		}
		data = data[n:]
	}
	return len(p), nil
}

// step consumes one character or sequence of data; 0 means incomplete.
func (v *vt) step(data []byte) int {
	switch b := data[0]; b {
	case '\r':
		v.c = 0
		return 1
	case '\n': // the terminal driver sent CR before it (ONLCR)
		v.index()
		return 1
	case '\b':
		v.c = max(v.c-1, 0)
		return 1
	case 0x1b:
		return v.escape(data)
	}
	if !utf8.FullRune(data) {
		return 0
	}
	r, n := utf8.DecodeRune(data)
	if r < 0x20 {
		return n
	}
	if v.c >= v.cols {
		v.c = 0
		v.index()
	}
	v.screen[v.r][v.c] = r
	v.c++
	return n
}

// index moves the cursor down a row, scrolling the region at its bottom.
func (v *vt) index() {
	if v.r != v.bottom {
		v.r = min(v.r+1, v.rows-1)
		return
	}
	if v.top == 0 {
		v.history = append(v.history, strings.TrimRight(string(v.screen[0]), " "))
	}
	copy(v.screen[v.top:v.bottom], v.screen[v.top+1:v.bottom+1])
	v.screen[v.bottom] = blankRow(v.cols)
}

func (v *vt) escape(data []byte) int {
	if len(data) < 2 {
		return 0
	}
	switch data[1] {
	case '7':
		v.savedR, v.savedC = v.r, v.c
		return 2
	case '8':
		v.r, v.c = v.savedR, v.savedC
		return 2
	case 'D': // index: down a row, scrolling at the region's bottom; the column stays
		v.index()
		return 2
	case '[':
	default:
		v.unknownCodes = append(v.unknownCodes, strconv.Quote(string(data[:2])))
		return 2
	}
	end := 2
	for end < len(data) && (data[end] >= '0' && data[end] <= '9' || data[end] == ';' || data[end] == '?') {
		end++
	}
	if end == len(data) {
		return 0
	}
	var params []int
	for _, f := range strings.Split(string(data[2:end]), ";") {
		n, _ := strconv.Atoi(f)
		params = append(params, n)
	}
	param := func(i, def int) int {
		if i < len(params) && params[i] > 0 {
			return params[i]
		}
		return def
	}
	switch data[end] {
	case 'K':
		from, to := v.c, v.cols
		switch param(0, 0) {
		case 1:
			from, to = 0, min(v.c+1, v.cols)
		case 2:
			from = 0
		}
		for i := from; i < to; i++ {
			v.screen[v.r][i] = ' '
		}
	case 'J':
		if param(0, 0) != 0 {
			v.unknownCodes = append(v.unknownCodes, strconv.Quote(string(data[:end+1])))
			break
		}
		for i := v.c; i < v.cols; i++ {
			v.screen[v.r][i] = ' '
		}
		for r := v.r + 1; r < v.rows; r++ {
			v.screen[r] = blankRow(v.cols)
		}
	case 'H', 'f':
		v.r, v.c = min(param(0, 1), v.rows)-1, min(param(1, 1), v.cols)-1
	case 'A':
		v.r = max(v.r-param(0, 1), 0)
		if v.r < v.top && v.r+param(0, 1) >= v.top {
			v.r = v.top
		}
	case 'r':
		v.top, v.bottom = param(0, 1)-1, min(param(1, v.rows), v.rows)-1
		v.r, v.c = 0, 0
	case 'm':
	default:
		v.unknownCodes = append(v.unknownCodes, strconv.Quote(string(data[:end+1])))
	}
	return end + 1
}

// lines is everything shown, scrolled-off rows first, trailing blank rows
// dropped.
func (v *vt) lines() []string {
	all := append([]string(nil), v.history...)
	for _, row := range v.screen {
		all = append(all, strings.TrimRight(string(row), " "))
	}
	for len(all) > 0 && all[len(all)-1] == "" {
		all = all[:len(all)-1]
	}
	return all
}
