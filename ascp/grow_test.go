package ascp

import "testing"

func TestParseGrowing(t *testing.T) {
	good := map[string]Growing{
		"file:///data/live.mxf?grow=5":                             {Path: "/data/live.mxf", Grow: 5, WaitStart: "mtime"},
		"file:///data/a%20b?grow=30&wait_start=null_read":          {Path: "/data/a b", Grow: 30, WaitStart: "null_read"},
		"file:///./growing?grow=120":                               {Path: "./growing", Grow: 120, WaitStart: "mtime"},
		"file:///x?confirm_stop=true&grow=1":                       {Path: "/x", Grow: 1, WaitStart: "mtime", ConfirmStop: true},
		"file:///x?grow=86400&wait_start=mtime&confirm_stop=false": {Path: "/x", Grow: 86400, WaitStart: "mtime"},
	}
	for src, want := range good {
		got, ok, err := ParseGrowing(src)
		if !ok || err != nil || got != want {
			t.Errorf("%s: got %+v ok=%v err=%v, want %+v", src, got, ok, err, want)
		}
	}
	for _, plain := range []string{"/data/live.mxf", "file.txt", "file://host/x?grow=1", "relative?grow=1"} {
		if _, ok, err := ParseGrowing(plain); ok || err != nil {
			t.Errorf("%s: an ordinary source, got ok=%v err=%v", plain, ok, err)
		}
	}
	for _, bad := range []string{
		"file:///x", "file:///x?grow=", "file:///x?grow=abc", "file:///x?grow=0", "file:///x?grow=86401",
		"file:///x?grow=5&grow=6", "file:///x?grow=5&wait_start=atime", "file:///x?grow=5&confirm_stop=yes",
		"file:///x?grow=5&size=10", "file:///?grow=5", "file:///x?grow=5#frag", "file:///x?grow=5;a",
	} {
		if _, ok, err := ParseGrowing(bad); !ok || err == nil {
			t.Errorf("%s: want a problem, got ok=%v err=%v", bad, ok, err)
		}
	}
}
