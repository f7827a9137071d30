package engine

import (
	"unicode/utf8"

	"gopkg.in/yaml.v3"
)

// scalarSrc remembers where a scalar's text lives in its file so that a
// position inside the decoded value (an expression column, a template line)
// can be mapped back to the file, through quotes, escapes, folding and
// block scalars (| and >).
type scalarSrc struct {
	file  *srcFile
	line  int
	col   int
	block bool
}

func newScalarSrc(f *srcFile, n *yaml.Node) scalarSrc {
	return scalarSrc{file: f, line: n.Line, col: n.Column, block: n.Style&(yaml.LiteralStyle|yaml.FoldedStyle) != 0}
}

// pos maps the rune at offset in value to its file position. It aligns the
// value with the file text greedily: every non-blank rune of the value is
// found at the next matching rune of the file, skipping indentation, quotes
// and escapes, which the value does not contain.
func (s scalarSrc) pos(value string, offset int) Pos {
	if s.file == nil {
		return Pos{}
	}
	line, col := s.line, s.col
	if s.block {
		line, col = s.line+1, 1
	}
	text := s.file.line(line)
	bi := byteIndexOfCol(text, col)
	ri := 0
	for _, r := range value {
		// advance the file cursor to the rune matching r
		for {
			if bi >= len(text) {
				if r == '\n' || r == ' ' {
					break
				}
				if line >= len(s.file.lines) {
					return Pos{Line: line, Col: col}
				}
				line++
				text, bi, col = s.file.line(line), 0, 1
				continue
			}
			fr, size := utf8.DecodeRuneInString(text[bi:])
			if fr == r {
				break
			}
			if r == '\n' || r == ' ' {
				if fr != ' ' && fr != '\t' {
					break
				}
			}
			bi += size
			col++
		}
		if ri == offset {
			return Pos{Line: line, Col: col}
		}
		if bi >= len(text) {
			// a line break (or folded space) consumed the end of the line
			if line < len(s.file.lines) {
				line++
				text, bi, col = s.file.line(line), 0, 1
			}
		} else {
			_, size := utf8.DecodeRuneInString(text[bi:])
			bi += size
			col++
		}
		ri++
	}
	return Pos{Line: line, Col: col}
}

// byteIndexOfCol returns the byte index of 1-based character column col.
func byteIndexOfCol(text string, col int) int {
	c := 1
	for i := range text {
		if c == col {
			return i
		}
		c++
	}
	return len(text)
}
