package casetest

import "strings"

// diffLines returns the lines of want and got that differ, marked "- " for
// expected and missing, "+ " for got and not expected, with the common lines
// around them kept as "  " context; "" when they are equal.
func diffLines(want, got []string) string {
	n, m := len(want), len(got)
	// lcs[i][j] is the longest common subsequence of want[i:] and got[j:]
	lcs := make([][]int, n+1)
	for i := range lcs {
		lcs[i] = make([]int, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if want[i] == got[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	var lines []string
	same := true
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && want[i] == got[j]:
			lines = append(lines, "  "+want[i])
			i, j = i+1, j+1
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			lines = append(lines, "- "+want[i])
			i, same = i+1, false
		default:
			lines = append(lines, "+ "+got[j])
			j, same = j+1, false
		}
	}
	if same {
		return ""
	}
	return strings.Join(trimContext(lines, 2), "\n")
}

// trimContext keeps the changed lines and up to ctx unchanged lines around
// each, with "  ..." where lines were left out.
func trimContext(lines []string, ctx int) []string {
	keep := make([]bool, len(lines))
	for i, l := range lines {
		if !strings.HasPrefix(l, "  ") {
			for k := max(0, i-ctx); k <= min(len(lines)-1, i+ctx); k++ {
				keep[k] = true
			}
		}
	}
	var out []string
	skipped := false
	for i, l := range lines {
		if keep[i] {
			if skipped {
				out = append(out, "  ...")
				skipped = false
			}
			out = append(out, l)
		} else {
			skipped = true
		}
	}
	if skipped {
		out = append(out, "  ...")
	}
	return out
}
