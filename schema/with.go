package schema

import (
	"maps"
	"strconv"

	"github.com/tidwall/gjson"
)

// WithInteger returns a copy of s in which the integer field name holds n,
// as if the input had given that value where it gives the field (at the
// top of the spec when it does not). s is left as it is. It serves a
// caller that runs one job with a value of its own choosing: asession
// batch starts a job at its share of a bandwidth budget
// (target_rate_kbps). n is not checked against the field's limits.
func (s *Spec) WithInteger(name string, n int64) *Spec {
	c := *s
	c.values = maps.Clone(s.values)
	v, ok := c.values[name]
	if !ok {
		v.Pointer = "/" + name
	}
	v.Text = strconv.FormatInt(n, 10)
	v.JSON = gjson.Parse(v.Text)
	c.values[name] = v
	return &c
}
