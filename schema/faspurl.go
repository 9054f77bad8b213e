package schema

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/tidwall/gjson"
)

// faspQuery maps a fasp:// link's query parameters to spec fields. yesNo
// parameters carry booleans; enc is a cipher without its hyphens.
var faspQuery = []struct {
	param, field string
	yesNo        bool
}{
	{param: "cookie", field: "cookie"},
	{param: "token", field: "token"},
	{param: "sshfp", field: "sshfp"},
	{param: "policy", field: "rate_policy"},
	{param: "targetrate", field: "target_rate_kbps"},
	{param: "minrate", field: "min_rate_kbps"},
	{param: "port", field: "fasp_port"},
	{param: "bwcap", field: "target_rate_cap_kbps"},
	{param: "httpport", field: "http_fallback_port"},
	{param: "enc", field: "cipher"},
	{param: "tags64", field: "tags"},
	{param: "createpath", field: "create_dir", yesNo: true},
	{param: "fallback", field: "http_fallback", yesNo: true},
	{param: "lockpolicy", field: "lock_rate_policy", yesNo: true},
	{param: "lockminrate", field: "lock_min_rate", yesNo: true},
	{param: "auth"},
	{param: "v"},
}

// parseFaspURL turns a Faspex link (fasp:// or faspe://) into spec members
// as JSON texts keyed by field name. It also says, by field, which query
// parameter gave it, and its value as given, for the problem of a value
// that is not valid.
func parseFaspURL(link string) (members map[string]string, given map[string][2]string, err error) {
	u, err := url.Parse(link)
	if err != nil {
		return nil, nil, errString("a fasp:// or faspe:// URL")
	}
	if u.Scheme != "fasp" && u.Scheme != "faspe" {
		return nil, nil, errString("a fasp:// or faspe:// URL")
	}
	if u.Hostname() == "" {
		return nil, nil, errString("a URL with a host")
	}
	members = map[string]string{"remote_host": jsonText(u.Hostname())}
	given = map[string][2]string{}
	if name := u.User.Username(); name != "" {
		members["remote_user"] = jsonText(name)
	}
	if port := u.Port(); port != "" {
		members["ssh_port"] = port
	}
	if u.Path != "" && u.Path != "/" {
		members["paths"] = `[{"source":` + jsonText(u.Path) + `}]`
	}
	// The query is split by hand: Faspex leaves base64 padding and plus
	// signs unencoded, which url.ParseQuery would turn into spaces.
	for _, pair := range strings.Split(u.RawQuery, "&") {
		if pair == "" {
			continue
		}
		key, raw, _ := strings.Cut(pair, "=")
		value, err := url.PathUnescape(raw)
		if err != nil {
			return nil, nil, errString("a well-formed query parameter " + key)
		}
		for _, q := range faspQuery {
			if q.param != key || q.field == "" {
				continue
			}
			text, err := faspValue(q.field, value, q.yesNo)
			if err != nil {
				return nil, nil, err
			}
			members[q.field] = text
			given[q.field] = [2]string{key, value}
		}
	}
	return members, given, nil
}

func faspValue(field, value string, yesNo bool) (string, error) {
	f, _ := Lookup(field)
	switch {
	case yesNo:
		return jsonText(value == "yes" || value == "true"), nil
	case field == "cipher":
		return jsonText(cipherFromLink(value)), nil
	case field == "tags":
		decoded, err := base64.StdEncoding.DecodeString(value)
		if err != nil || !gjson.ValidBytes(decoded) {
			return "", errString("tags64 holding base64 of a JSON object")
		}
		return string(decoded), nil
	case f.Type == Integer:
		return value, nil
	}
	return jsonText(value), nil
}

// cipherFromLink spells a link's cipher (aes128, aes256cfb) as the spec
// does (aes-128, aes-256-cfb); a link that spells it as the spec does
// already (aes-128) keeps it.
func cipherFromLink(enc string) string {
	bits, ok := strings.CutPrefix(enc, "aes")
	if !ok || len(bits) < 3 || strings.HasPrefix(bits, "-") {
		return enc
	}
	out := "aes-" + bits[:3]
	if mode := bits[3:]; mode != "" {
		out += "-" + mode
	}
	return out
}

func jsonText(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

type errString string

func (e errString) Error() string { return string(e) }

// expandFaspURL merges a fasp_url's fields under the explicit ones: what
// the spec says itself wins.
func expandFaspURL(spec *Spec) Problems {
	link, ok := spec.Get("fasp_url")
	if !ok {
		return nil
	}
	members, given, err := parseFaspURL(link.Text)
	if err != nil {
		return Problems{{Pointer: link.Pointer, Expected: err.Error(), Found: "a string that is not one"}}
	}
	var problems Problems
	for i := range Fields {
		f := &Fields[i]
		text, ok := members[f.Name]
		if !ok || spec.given[f.Name] {
			continue
		}
		v, problem := check(spelling{field: f}, gjson.Parse(text), link.Pointer+"#"+f.Name)
		if problem != nil {
			// The link is a secret (it may hold a token); the value
			// of one parameter is shown unless it is one too.
			problem.Found = "a link whose " + f.Name + " is not valid"
			if param := given[f.Name]; !f.hidden() && param[0] != "" {
				problem.Found = fmt.Sprintf("the link's %s, %s", param[0], describe(gjson.Parse(jsonText(param[1])), false))
			}
			problems = append(problems, *problem)
			continue
		}
		spec.values[f.Name] = v
		spec.given[f.Name] = true
	}
	return problems
}
