package money

import (
	"slices"
	"testing"
)

func TestAllocate(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		due     int64
		amounts []int64
		want    []int64
	}{
		{"exact", 100, []int64{100}, []int64{100}},
		{"partial", 100, []int64{30, 20}, []int64{30, 20}},
		{"overpaid by the last", 100, []int64{60, 60}, []int64{60, 40}},
		{"overpaid at once", 100, []int64{250}, []int64{100}},
		{"after settled", 100, []int64{100, 5, 7}, []int64{100, 0, 0}},
		{"already paid", 0, []int64{5}, []int64{0}},
		{"negative due", -20, []int64{5}, []int64{0}},
		{"huge", 12_000_000, []int64{9223372036854775807}, []int64{12_000_000}},
		{"none", 100, nil, []int64{}},
	} {
		if got := Allocate(tc.due, tc.amounts); !slices.Equal(got, tc.want) {
			t.Errorf("%s: Allocate(%d, %v) = %v, want %v", tc.name, tc.due, tc.amounts, got, tc.want)
		}
	}
}
