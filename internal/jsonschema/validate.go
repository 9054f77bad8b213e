package jsonschema

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"sort"
	"strings"
)

// Schema is a parsed schema document.
type Schema struct {
	root map[string]any
}

// Parse reads a schema document.
func Parse(data []byte) (*Schema, error) {
	var root map[string]any
	if err := json.Unmarshal(data, &root); err != nil {
		return nil, err
	}
	return &Schema{root: root}, nil
}

// Validate checks one JSON document and returns every violation found,
// each prefixed by its JSON pointer.
func (s *Schema) Validate(doc []byte) []string {
	dec := json.NewDecoder(strings.NewReader(string(doc)))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return []string{"/: not JSON: " + err.Error()}
	}
	var errs []string
	s.check(s.root, v, "", &errs)
	return errs
}

func (s *Schema) resolve(ref string) (map[string]any, error) {
	if !strings.HasPrefix(ref, "#/") {
		return nil, fmt.Errorf("unsupported $ref %q", ref)
	}
	var node any = s.root
	for _, part := range strings.Split(ref[2:], "/") {
		m, ok := node.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("bad $ref %q", ref)
		}
		node = m[part]
	}
	m, ok := node.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("bad $ref %q", ref)
	}
	return m, nil
}

func (s *Schema) check(schema map[string]any, v any, ptr string, errs *[]string) {
	fail := func(format string, a ...any) {
		where := ptr
		if where == "" {
			where = "/"
		}
		*errs = append(*errs, where+": "+fmt.Sprintf(format, a...))
	}
	if ref, ok := schema["$ref"].(string); ok {
		target, err := s.resolve(ref)
		if err != nil {
			fail("%v", err)
			return
		}
		s.check(target, v, ptr, errs)
	}
	if t, ok := schema["type"]; ok && !typeMatches(t, v) {
		fail("type %s, want %v", typeOf(v), t)
		return
	}
	if enum, ok := schema["enum"].([]any); ok && !inEnum(enum, v) {
		fail("value %v not in enum %v", v, enum)
	}
	if c, ok := schema["const"]; ok && !equal(c, v) {
		fail("value %v, want %v", v, c)
	}
	s.checkNumber(schema, v, fail)
	if str, ok := v.(string); ok {
		if n, ok := number(schema["minLength"]); ok && float64(len([]rune(str))) < n {
			fail("shorter than %v", n)
		}
		if p, ok := schema["pattern"].(string); ok && !regexp.MustCompile(p).MatchString(str) {
			fail("%q does not match %s", str, p)
		}
	}
	if obj, ok := v.(map[string]any); ok {
		s.checkObject(schema, obj, ptr, errs, fail)
	}
	if arr, ok := v.([]any); ok {
		if n, ok := number(schema["minItems"]); ok && float64(len(arr)) < n {
			fail("fewer than %v items", n)
		}
		if items, ok := schema["items"].(map[string]any); ok {
			for i, item := range arr {
				s.check(items, item, fmt.Sprintf("%s/%d", ptr, i), errs)
			}
		}
	}
	for _, key := range []string{"allOf", "anyOf", "oneOf"} {
		list, ok := schema[key].([]any)
		if !ok {
			continue
		}
		matched := 0
		var sub []string
		for _, branch := range list {
			var branchErrs []string
			s.check(branch.(map[string]any), v, ptr, &branchErrs)
			if len(branchErrs) == 0 {
				matched++
			} else {
				sub = append(sub, branchErrs...)
			}
		}
		switch {
		case key == "allOf" && matched != len(list):
			*errs = append(*errs, sub...)
		case key == "anyOf" && matched == 0:
			fail("matches no anyOf branch: %s", strings.Join(sub, "; "))
		case key == "oneOf" && matched != 1:
			fail("matches %d oneOf branches, want 1: %s", matched, strings.Join(sub, "; "))
		}
	}
}

func (s *Schema) checkNumber(schema map[string]any, v any, fail func(string, ...any)) {
	n, ok := number(v)
	if !ok {
		return
	}
	if min, ok := number(schema["minimum"]); ok && n < min {
		fail("%v below minimum %v", n, min)
	}
	if max, ok := number(schema["maximum"]); ok && n > max {
		fail("%v above maximum %v", n, max)
	}
}

func (s *Schema) checkObject(schema map[string]any, obj map[string]any, ptr string, errs *[]string, fail func(string, ...any)) {
	props, _ := schema["properties"].(map[string]any)
	if req, ok := schema["required"].([]any); ok {
		for _, r := range req {
			if _, has := obj[r.(string)]; !has {
				fail("missing required %q", r)
			}
		}
	}
	keys := make([]string, 0, len(obj))
	for k := range obj {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		child := ptr + "/" + k
		if p, ok := props[k].(map[string]any); ok {
			s.check(p, obj[k], child, errs)
			continue
		}
		switch extra := schema["additionalProperties"].(type) {
		case bool:
			if !extra {
				fail("unexpected property %q", k)
			}
		case map[string]any:
			s.check(extra, obj[k], child, errs)
		}
	}
}

func typeMatches(t any, v any) bool {
	switch t := t.(type) {
	case string:
		return typeIs(t, v)
	case []any:
		for _, one := range t {
			if typeIs(one.(string), v) {
				return true
			}
		}
	}
	return false
}

func typeIs(t string, v any) bool {
	switch t {
	case "integer":
		n, ok := number(v)
		return ok && n == math.Trunc(n) && !strings.ContainsAny(fmt.Sprint(v), ".eE")
	case "number":
		_, ok := number(v)
		return ok
	}
	return typeOf(v) == t
}

func typeOf(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case json.Number:
		f, err := n.Float64()
		return f, err == nil
	case float64:
		return n, true
	}
	return 0, false
}

func inEnum(enum []any, v any) bool {
	for _, e := range enum {
		if equal(e, v) {
			return true
		}
	}
	return false
}

func equal(a, b any) bool {
	if na, ok := number(a); ok {
		nb, ok := number(b)
		return ok && na == nb
	}
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	return string(ja) == string(jb)
}
