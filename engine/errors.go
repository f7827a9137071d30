package engine

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"
)

// Error is one problem in a definition file, positioned at a line and a
// column (both 1-based, columns counted in characters).
type Error struct {
	File string
	Line int
	Col  int
	Msg  string

	// srcLine is the text of the offending line, used for the caret snippet.
	srcLine string
}

// Error renders FILE:LINE:COL: message.
func (e *Error) Error() string {
	switch {
	case e.Line <= 0:
		return fmt.Sprintf("%s: %s", e.File, e.Msg)
	case e.Col <= 0:
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Col, e.Msg)
}

// Snippet returns the offending source line and a caret under the column,
// each line indented by four spaces, or "" when the line is unknown.
func (e *Error) Snippet() string {
	if e.srcLine == "" || e.Col <= 0 {
		return ""
	}
	// tabs become one space each so that the caret, counted in
	// characters, stays under the column
	line := strings.ReplaceAll(e.srcLine, "\t", " ")
	pad := min(e.Col-1, utf8.RuneCountInString(line))
	return "    " + line + "\n    " + strings.Repeat(" ", pad) + "^"
}

// ErrorList is every problem found while loading definitions, sorted by
// file, line and column. It is returned as one error so that callers report
// all problems at once.
type ErrorList []*Error

// Error renders one problem per line.
func (l ErrorList) Error() string {
	var b strings.Builder
	for i, e := range l {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.Error())
	}
	return b.String()
}

// Print writes every problem to w, each followed by its source snippet when
// snippets is true.
func (l ErrorList) Print(w io.Writer, snippets bool) {
	for _, e := range l {
		fmt.Fprintln(w, e.Error())
		if snippets {
			if s := e.Snippet(); s != "" {
				fmt.Fprintln(w, s)
			}
		}
	}
}

func (l ErrorList) sort() {
	sort.SliceStable(l, func(i, j int) bool {
		a, b := l[i], l[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Msg < b.Msg
	})
}

// dedupe drops identical problems (same position and message).
func (l ErrorList) dedupe() ErrorList {
	out := l[:0]
	for i, e := range l {
		if i > 0 && *e == *l[i-1] {
			continue
		}
		out = append(out, e)
	}
	return out
}

// suggest returns the candidate closest to word when it is close enough to
// be a plausible typo, or "".
// Suggest returns the candidate a mistyped word most plausibly meant, or
// "" (the validator's "did you mean"; test files use it too).
func Suggest(word string, candidates []string) string {
	best, bestD := "", 1<<30
	lw := strings.ToLower(word)
	for _, c := range candidates {
		d := levenshtein(lw, strings.ToLower(c))
		if d < bestD || (d == bestD && c < best) {
			best, bestD = c, d
		}
	}
	limit := 2
	if n := len([]rune(word)); n <= 3 {
		limit = 1
	} else if n >= 10 {
		limit = 3
	}
	if best != "" && bestD <= limit {
		return best
	}
	// a truncated name: late_invoices for late_invoices_12m
	if len(word) >= 4 {
		for _, c := range candidates {
			if strings.HasPrefix(strings.ToLower(c), lw) {
				return c
			}
		}
	}
	return ""
}

// didYouMean formats a suggestion suffix, or "" when there is none.
func didYouMean(word string, candidates []string) string {
	if s := Suggest(word, candidates); s != "" {
		return fmt.Sprintf("; did you mean %q?", s)
	}
	return ""
}

func levenshtein(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	if len(ra) > 64 || len(rb) > 64 {
		return 1 << 20
	}
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
