package mgmt

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// referenceFile is the project's reference of ascp facts, beside the
// repository (CI lays shared/ next to its clone).
const referenceFile = "../../../shared/ascp-reference.md"

// referenceBullets returns the bullets of the reference's section 2.1,
// IBM's own field and type lists, each as one line of text.
func referenceBullets(t *testing.T) []string {
	t.Helper()
	data, err := os.ReadFile(referenceFile)
	if err != nil {
		t.Fatalf("the reference the table is checked against: %v", err)
	}
	text := string(data)
	start := strings.Index(text, "### 2.1 ")
	end := strings.Index(text, "\n## 3.")
	if start < 0 || end < start {
		t.Fatalf("%s has no section 2.1 before section 3", referenceFile)
	}
	var bullets []string
	for _, b := range strings.Split(text[start:end], "\n- ")[1:] {
		bullets = append(bullets, strings.Join(strings.Fields(b), " "))
	}
	return bullets
}

// bullet returns the one bullet that starts with prefix, without it.
func bullet(t *testing.T, bullets []string, prefix string) string {
	t.Helper()
	for _, b := range bullets {
		if rest, ok := strings.CutPrefix(b, prefix); ok {
			return rest
		}
	}
	t.Fatalf("section 2.1 has no bullet starting %q", prefix)
	return ""
}

// listUpTo returns the names of s up to the first of end, split on
// spaces and commas.
func listUpTo(t *testing.T, s, end string) []string {
	t.Helper()
	i := strings.Index(s, end)
	if i < 0 {
		t.Fatalf("no %q in %q", end, s)
	}
	return strings.FieldsFunc(s[:i], func(r rune) bool { return r == ' ' || r == ',' })
}

// ticked returns the `quoted` names of s between after and before.
func ticked(t *testing.T, s, after, before string) []string {
	t.Helper()
	_, rest, ok := strings.Cut(s, after)
	if !ok {
		t.Fatalf("no %q in %q", after, s)
	}
	part, _, ok := strings.Cut(rest, before)
	if !ok {
		t.Fatalf("no %q after %q in %q", before, after, s)
	}
	var names []string
	for i, p := range strings.Split(part, "`") {
		if i%2 == 1 {
			names = append(names, p)
		}
	}
	return names
}

// rows returns the names of the table's rows that match, in table order.
func rows(match func(f *KnownField) bool) []string {
	var names []string
	for i := range KnownFields {
		if match(&KnownFields[i]) {
			names = append(names, KnownFields[i].Name)
		}
	}
	return names
}

func sorted(names []string) []string {
	names = slices.Clone(names)
	slices.Sort(names)
	return names
}

// The table says what the reference's section 2.1 says of IBM's lists,
// fact by fact: a change to either that the other does not follow fails.
func TestKnownFieldsFollowTheReference(t *testing.T) {
	bullets := referenceBullets(t)
	check := func(what string, table, reference []string) {
		t.Helper()
		if diff := cmp.Diff(reference, table); diff != "" {
			t.Errorf("%s differ (-reference +table):\n%s", what, diff)
		}
	}

	var types []string
	for _, mt := range MessageTypes {
		types = append(types, mt.Name)
	}
	check("message types", types, listUpTo(t, bullet(t, bullets, "Message types: "), "."))

	released := bullet(t, bullets, "Field names IBM knows (anything else is new or invented): ")
	check("IBM's released field names, in its order",
		rows(func(f *KnownField) bool { return f.Listed == IBM || f.Listed == IBMReleased }), listUpTo(t, released, "."))

	check("IBM's released integers",
		sorted(rows(func(f *KnownField) bool { return f.Kind == Integer && f.KindBy == IBM })),
		sorted(listUpTo(t, bullet(t, bullets, "IBM types as integers: "), ". (")))
	check("IBM's released Yes/No fields",
		sorted(rows(func(f *KnownField) bool { return f.Kind == YesNo && f.KindBy == IBM })),
		sorted(listUpTo(t, bullet(t, bullets, "IBM's Yes/No booleans: "), ".")))

	newer := bullet(t, bullets, "Newer IBM code ")
	newest := bullet(t, bullets, "IBM's newest parser ")
	check("integers of IBM's newer and newest parsers",
		sorted(rows(func(f *KnownField) bool { return f.Kind == Integer && f.KindBy == IBMNewest })),
		sorted(append(ticked(t, newer, "also types", "as integers"), ticked(t, newest, "also types", "as integers")...)))
	check("Yes/No fields of IBM's newer and newest parsers",
		sorted(rows(func(f *KnownField) bool { return f.Kind == YesNo && f.KindBy == IBMNewest })),
		sorted(append(ticked(t, newer, "has a Yes/No field", "; "), ticked(t, newest, "as integers and", "as Yes/No")...)))
	check("names IBM's newest parser drops",
		rows(func(f *KnownField) bool { return f.Listed == IBMReleased }), ticked(t, newest, "drops", " and adds"))
	check("names only IBM's newest parser has",
		rows(func(f *KnownField) bool { return f.Listed == IBMNewest }), ticked(t, newest, "and adds", ";"))
	check("fields whose escapes are decoded",
		sorted(rows(func(f *KnownField) bool { return f.Escaped })),
		sorted(ticked(t, newest, "decodes the ESC escapes in", ".")))
}

// Each fact has its owner, and a type has its typist: a row typed
// without saying by whom, or with an owner and no type, is a slip.
func TestKnownFieldsAreConsistent(t *testing.T) {
	for i := range KnownFields {
		f := &KnownFields[i]
		if f.Listed == 0 {
			t.Errorf("%s: whose list names it?", f.Name)
		}
		if (f.Kind == Text) != (f.KindBy == 0) {
			t.Errorf("%s: kind %v typed by %v", f.Name, f.Kind, f.KindBy)
		}
		if f.Escaped && !f.Path {
			t.Errorf("%s: escaped, but not a path", f.Name)
		}
		known := map[string]bool{}
		for _, mt := range MessageTypes {
			known[mt.Name] = true
		}
		for _, m := range strings.Fields(f.Messages) {
			if !known[m] {
				t.Errorf("%s: carried by %q, which is no message type", f.Name, m)
			}
		}
	}
	if got := Known([]byte("Stalled")); got == nil || got.Kind != YesNo {
		t.Errorf("Known(Stalled) = %+v", got)
	}
	if got := Known([]byte("Stall")); got != nil {
		t.Errorf("Known(Stall) = %+v, want nil", got)
	}
}
