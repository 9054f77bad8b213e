package schema

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Mapping describes in words how a field reaches ascp; the JSON Schema and
// the README both show it.
func (f *Field) Mapping() string {
	var parts []string
	switch f.Handling {
	case Ignored:
		return "accepted; no ascp option"
	case Ascp4:
		return "runs ascp4 from ascp's folder: same options, no --dest64"
	case Paths:
		return "--file-list=F (sources) or --file-pair-list=F (with destinations), F private and removed at exit"
	case Destination:
		return "--dest64 base64(destination), last argument"
	case MultiSession:
		return "N ascp processes, process i gets -C i:N"
	case WSS, WSSPort:
		return "--ws-connect -P wss_port, and no -O"
	case Tags:
		parts = append(parts, "tags.aspera.xfer_id and xfer_retry added when missing")
	case ExtraArgs:
		return "appended to the ascp arguments as they are"
	case FaspURL:
		return "expands into remote_host, remote_user, ssh_port, paths, token, cookie, ports, rates, cipher..."
	case ProxyURL:
		parts = append(parts, "password moved to ASPERA_PROXY_PASS")
	case UDPPort:
		parts = append(parts, "the same for every session unless multi_incr_udp (session i: fasp_port+i-1, 33001+i-1 without fasp_port)")
	}
	switch {
	case f.Env != "":
		parts = append([]string{"env " + f.Env}, parts...)
	case len(f.Implies) > 0:
		parts = append([]string{"sets " + strings.Join(f.Implies, ", ")}, parts...)
	case f.Option != "" && f.Type == Boolean:
		opt := f.Option + " when true"
		if f.OptionFalse != "" {
			opt += ", " + f.OptionFalse + " when false"
		}
		parts = append([]string{opt}, parts...)
	case f.Option != "":
		parts = append([]string{optionForm(f)}, parts...)
	}
	return strings.Join(parts, "; ")
}

func optionForm(f *Field) string {
	value := "VALUE"
	switch {
	case len(f.ArgValues) > 0:
		var vals []string
		for _, k := range sortedKeys(f.ArgValues) {
			vals = append(vals, k+"→"+f.ArgValues[k])
		}
		value = "(" + strings.Join(vals, ", ") + ")"
	case f.Encoding == Base64:
		value = "base64(VALUE)"
	case f.Encoding == Base64JSON:
		value = "base64(JSON)"
	case f.Type == Array:
		value = "EACH"
	}
	if strings.HasSuffix(f.Option, "=") {
		return f.Option + value
	}
	return f.Option + " " + value
}

// sortedKeys keeps generated output stable; values keep table order where
// the table has an Enum.
func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonSchema returns the draft 2020-12 schema of a transfer spec, generated
// from Fields.
func jsonSchema() []byte {
	props := newOrdered()
	for i := range Fields {
		f := &Fields[i]
		props.set(f.Name, fieldSchema(f, f.Name, ""))
		for _, a := range f.Aliases {
			desc := fmt.Sprintf("%s spelling of %s", a.Dialect, f.Name)
			props.set(a.Name, fieldSchema(f, a.Name, desc))
		}
	}
	root := newOrdered()
	root.set("$schema", "https://json-schema.org/draft/2020-12/schema")
	root.set("$id", "https://github.com/faspkit/asession/schema/transferspec.schema.json")
	root.set("title", "Aspera transfer spec")
	root.set("description", "The transfer spec accepted by asession: IBM's Node API / aspera-cli spelling, with Connect and legacy EX_ spellings as aliases. Generated from schema.Fields; do not edit.")
	root.set("type", "object")
	root.set("properties", props)
	required, allOf := requiredSchema()
	root.set("required", required)
	root.set("allOf", allOf)
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	_ = enc.Encode(root)
	return buf.Bytes()
}

func fieldSchema(f *Field, name, aliasDesc string) *ordered {
	s := newOrdered()
	switch f.Type {
	case BooleanOrString:
		s.set("type", []string{"boolean", "string"})
		enum := []any{true, false}
		for _, e := range f.Enum {
			enum = append(enum, e)
		}
		s.set("enum", enum)
	case IntegerOrDuration:
		s.set("oneOf", []any{map[string]any{"type": "integer", "minimum": 0}, map[string]any{"type": "string", "pattern": durationSchemaPattern}})
	default:
		s.set("type", string(f.Type))
	}
	if f.Type == String && len(f.Enum) > 0 {
		enum := f.Enum
		if aliasDesc != "" {
			enum = aliasEnum(f, name)
		}
		s.set("enum", enum)
	}
	if f.Type == Integer {
		s.set("minimum", 0)
		if f.Max > 0 {
			s.set("maximum", f.Max)
		}
	}
	if f.Type == Array {
		if f.Handling == Paths {
			s.set("minItems", 1)
			item := newOrdered()
			item.set("type", "object")
			ip := newOrdered()
			ip.set("source", map[string]any{"type": "string", "minLength": 1, "pattern": "^[^\\n\\r]*$"})
			ip.set("destination", map[string]any{"type": "string", "minLength": 1, "pattern": "^[^\\n\\r]*$"})
			item.set("properties", ip)
			item.set("required", []string{"source"})
			s.set("items", item)
		} else {
			s.set("items", map[string]any{"type": string(f.Items)})
		}
	}
	desc := f.Doc
	if aliasDesc != "" {
		desc = aliasDesc + ": " + desc
	}
	s.set("description", desc)
	s.set("x-ascp", f.Mapping())
	if f.Secret {
		s.set("x-secret", true)
	}
	if f.Dialect != "" {
		s.set("x-dialect", string(f.Dialect))
	} else if aliasDesc == "" {
		s.set("x-dialect", string(Node))
	}
	for _, a := range f.Aliases {
		if a.Name == name {
			s.set("x-dialect", string(a.Dialect))
			s.set("x-alias-of", f.Name)
		}
	}
	return s
}

func aliasEnum(f *Field, alias string) []string {
	for _, a := range f.Aliases {
		if a.Name != alias {
			continue
		}
		return enumSpelling(f.Enum, a.Values)
	}
	return f.Enum
}

// enumSpelling lists the canonical values in an alias's spelling.
func enumSpelling(canon []string, aliasValues map[string]string) []string {
	out := make([]string, 0, len(canon))
	for _, c := range canon {
		spelled := c
		for _, a := range sortedKeys(aliasValues) {
			if aliasValues[a] == c {
				spelled = a
			}
		}
		out = append(out, spelled)
	}
	return out
}

// markdownTable is the README's list of supported fields.
func markdownTable() string {
	var b strings.Builder
	b.WriteString("| field | type | values | ascp | other spellings |\n|---|---|---|---|---|\n")
	for i := range Fields {
		f := &Fields[i]
		var aliases []string
		for _, a := range f.Aliases {
			aliases = append(aliases, fmt.Sprintf("`%s` (%s)", a.Name, a.Dialect))
		}
		values := strings.Join(f.Enum, ", ")
		if f.Type == Integer {
			values = "≥ 0"
			if f.Max > 0 {
				values = fmt.Sprintf("0–%d", f.Max)
			}
		}
		typ := string(f.Type)
		if f.Secret {
			typ += " (secret)"
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s |\n", f.Name, typ, escapeCell(values),
			escapeCell(f.Mapping()), strings.Join(aliases, ", "))
	}
	return b.String()
}

func escapeCell(s string) string { return strings.ReplaceAll(s, "|", "\\|") }

// ordered is a JSON object that keeps insertion order, so the generated
// schema reads in table order.
type ordered struct {
	keys   []string
	values map[string]any
}

func newOrdered() *ordered { return &ordered{values: map[string]any{}} }

func (o *ordered) set(k string, v any) {
	if _, ok := o.values[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.values[k] = v
}

func (o *ordered) MarshalJSON() ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		buf.Write(key)
		buf.WriteByte(':')
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(o.values[k]); err != nil {
			return nil, err
		}
		buf.Truncate(buf.Len() - 1) // Encode's newline
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}
