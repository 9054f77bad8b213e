package schema

import (
	"errors"
	"fmt"
	"testing"
)

// Problems wrapped anywhere still give up each Problem to errors.As.
func TestProblemsUnwrapToEachProblem(t *testing.T) {
	err := fmt.Errorf("job refused: %w", Problems{{Pointer: "/paths", Expected: "a non-empty array"}, {Pointer: "/direction", Expected: "send or receive"}})
	var p Problem
	if !errors.As(err, &p) || p.Pointer != "/paths" {
		t.Fatalf("errors.As found %+v in %v", p, err)
	}
	if !errors.Is(err, Problem{Pointer: "/direction", Expected: "send or receive"}) {
		t.Error("errors.Is does not reach the second problem")
	}
}
