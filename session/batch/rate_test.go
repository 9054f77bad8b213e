package batch

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"

	"github.com/faspkit/asession/session"
)

func TestShareBudget(t *testing.T) {
	for _, c := range []struct {
		name   string
		budget int64
		claims []rateClaim
		want   []int64
	}{
		{"one job takes it all", 6000, []rateClaim{{1, 0}}, []int64{6000}},
		{"one job no more than its own rate", 6000, []rateClaim{{1, 4000}}, []int64{4000}},
		{"equal shares", 6000, []rateClaim{{1, 0}, {1, 0}, {1, 0}}, []int64{2000, 2000, 2000}},
		{"what a slow job leaves goes to the others", 6000, []rateClaim{{1, 500}, {1, 0}, {1, 0}}, []int64{500, 2750, 2750}},
		{"every job below its share", 6000, []rateClaim{{1, 1000}, {1, 2000}}, []int64{1000, 2000}},
		{"a multi-session job's share is per ascp", 6000, []rateClaim{{2, 0}, {1, 0}}, []int64{2000, 2000}},
		{"rounding never exceeds the budget", 100, []rateClaim{{1, 0}, {1, 0}, {1, 0}}, []int64{33, 33, 34}},
		{"nothing to share", 0, []rateClaim{{1, 0}}, []int64{0}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := shareBudget(c.budget, c.claims); !slices.Equal(got, c.want) {
				t.Errorf("shareBudget(%d, %v) = %v, want %v", c.budget, c.claims, got, c.want)
			}
		})
	}
}

// Whatever the claims: the shares sum to at most the budget, none is above
// its job's own rate, and the budget is used up unless every job has all
// it asked for (max-min fairness: no job below its limit gets less than
// another).
func TestShareBudgetProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 20000; i++ {
		budget := rng.Int64N(100000)
		claims := make([]rateClaim, 1+rng.IntN(8))
		for j := range claims {
			claims[j] = rateClaim{weight: 1 + rng.Int64N(3)}
			if rng.IntN(2) == 0 {
				claims[j].limit = 1 + rng.Int64N(30000)
			}
		}
		rates := shareBudget(budget, claims)
		var sum, weight int64
		allSatisfied := true
		for j, c := range claims {
			sum += rates[j] * c.weight
			weight += c.weight
			if c.limit > 0 && rates[j] > c.limit || rates[j] < 0 {
				t.Fatalf("budget %d claims %v: rate %d for %v", budget, claims, rates[j], c)
			}
			if c.limit == 0 || rates[j] < c.limit {
				allSatisfied = false
			}
		}
		if sum > budget {
			t.Fatalf("budget %d claims %v: rates %v sum to %d", budget, claims, rates, sum)
		}
		// Integer kbps: at most one kbps an ascp is lost to rounding.
		if !allSatisfied && budget-sum >= weight {
			t.Fatalf("budget %d claims %v: rates %v leave %d unused", budget, claims, rates, budget-sum)
		}
		for j, c := range claims {
			if c.limit > 0 && rates[j] == c.limit {
				continue
			}
			for k := range claims {
				if rates[k] > rates[j]+weight { // give or take the rounding
					t.Fatalf("budget %d claims %v: rates %v: job %d held below its limit while job %d gets more", budget, claims, rates, j, k)
				}
			}
		}
	}
}

func TestRateCommand(t *testing.T) {
	for _, c := range []struct {
		rate, minRate int64
		want          string
	}{
		{1500, 0, `{"type":"RATE","rate":1500}` + "\n"},
		{1500, 1000, `{"type":"RATE","rate":1500,"min_rate":1000}` + "\n"},
		{500, 1000, `{"type":"RATE","rate":500,"min_rate":500}` + "\n"},
	} {
		line := rateCommand(c.rate, c.minRate)
		if string(line) != c.want {
			t.Errorf("rateCommand(%d, %d) = %s, want %s", c.rate, c.minRate, line, c.want)
		}
		// The job's command reader takes it as the RATE frame it means.
		cmd, problems := session.ParseCommand(line[:len(line)-1])
		if problems != nil || cmd.Type != "RATE" || cmd.Pairs[0] != "Rate" || cmd.Pairs[1] != strconv.FormatInt(c.rate, 10) {
			t.Errorf("rateCommand(%d, %d) parses as %+v, %v", c.rate, c.minRate, cmd, problems)
		}
	}
}
