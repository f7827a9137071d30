package ingest

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
)

// record is one input row: its values aligned to the kind's columns, plus
// any columns the kind does not know (invoice custom fields).
type record struct {
	row   int
	f     []string
	extra [][2]string
	probs []Problem
	val   any  // the kind's parsed row
	later bool // valid but after Options.Until: left out
}

// rowError is a syntax error that stops reading a file: its message names
// the row, and it unwraps to the reader's own error (*csv.ParseError).
type rowError struct {
	row int
	msg string
	err error
}

func (e *rowError) Error() string { return fmt.Sprintf("row %d: %s", e.row, e.msg) }
func (e *rowError) Unwrap() error { return e.err }

// Is makes every rowError an ErrMalformed.
func (e *rowError) Is(target error) bool { return target == ErrMalformed }

// ErrMalformed marks a file that cannot be read on (bad CSV quoting, invalid
// or truncated JSON): nothing was imported.
var ErrMalformed = errors.New("malformed file")

// source yields records from CSV or JSON.
type source interface {
	next() (*record, error) // io.EOF at the end
}

// csvSource reads a header row then records; row numbers count the header as
// row 1, like a spreadsheet.
type csvSource struct {
	r      *csv.Reader
	idx    []int    // header position → kind column index, or -1 (extra)
	names  []string // header names
	ncols  int
	row    int
	header []Problem
}

func newCSV(file string, r io.Reader, k *kind) (*csvSource, error) {
	cr := csv.NewReader(bufio.NewReaderSize(r, 1<<16))
	cr.ReuseRecord = true
	cr.FieldsPerRecord = -1
	head, err := cr.Read()
	if err == io.EOF {
		return nil, fmt.Errorf("%s: empty file: want a header row (%s)", file, strings.Join(k.columns, ","))
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	s := &csvSource{r: cr, ncols: len(k.columns), row: 1}
	seen := map[string]bool{}
	for _, h := range head {
		h = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		s.names = append(s.names, h)
		i := slices.Index(k.columns, h)
		s.idx = append(s.idx, i)
		switch {
		case h == "":
			s.header = append(s.header, Problem{File: file, Row: 1, Column: fmt.Sprintf("#%d", len(s.names)), Message: "empty column name"})
		case seen[h]:
			s.header = append(s.header, Problem{File: file, Row: 1, Column: h, Message: "duplicate column"})
		case i < 0 && !k.extras:
			s.header = append(s.header, Problem{File: file, Row: 1, Column: h, Message: fmt.Sprintf("unknown column (%s columns are %s)", k.name, strings.Join(k.columns, ", "))})
		}
		seen[h] = true
	}
	for _, req := range k.required {
		if !seen[k.columns[req]] {
			s.header = append(s.header, Problem{File: file, Row: 1, Column: k.columns[req], Message: "missing required column"})
		}
	}
	return s, nil
}

func (s *csvSource) next() (*record, error) {
	fields, err := s.r.Read()
	if err != nil {
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			return nil, &rowError{row: s.row + 1, msg: pe.Err.Error(), err: pe}
		}
		return nil, err
	}
	s.row++
	rec := &record{row: s.row, f: make([]string, s.ncols)}
	for i, v := range fields {
		if i >= len(s.idx) {
			rec.probs = append(rec.probs, Problem{Row: s.row, Column: fmt.Sprintf("#%d", i+1), Message: fmt.Sprintf("row has %d fields but the header has %d", len(fields), len(s.idx))})
			break
		}
		v = strings.TrimSpace(v)
		if j := s.idx[i]; j >= 0 {
			rec.f[j] = v
		} else if v != "" && s.names[i] != "" {
			rec.extra = append(rec.extra, [2]string{s.names[i], v})
		}
	}
	return rec, nil
}

// jsonSource reads an array of objects; row N is the Nth element.
type jsonSource struct {
	d    *json.Decoder
	k    *kind
	file string
	row  int
}

func newJSON(file string, r io.Reader, k *kind) (*jsonSource, error) {
	d := json.NewDecoder(bufio.NewReaderSize(r, 1<<16))
	d.UseNumber()
	tok, err := d.Token()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if delim, ok := tok.(json.Delim); !ok || delim != '[' {
		return nil, fmt.Errorf("%s: want a JSON array of %s objects", file, k.name)
	}
	return &jsonSource{d: d, k: k, file: file}, nil
}

func (s *jsonSource) next() (*record, error) {
	if !s.d.More() {
		// The array must be closed and nothing may follow it: a
		// truncated upload is an error, not a shorter file.
		if tok, err := s.d.Token(); err != nil || tok != json.Delim(']') {
			return nil, &rowError{row: s.row + 1, msg: "the JSON array is not closed (truncated file?)", err: ErrMalformed}
		}
		if _, err := s.d.Token(); err != io.EOF {
			return nil, &rowError{row: s.row + 1, msg: "unexpected content after the JSON array", err: ErrMalformed}
		}
		return nil, io.EOF
	}
	s.row++
	var obj map[string]any
	if err := s.d.Decode(&obj); err != nil {
		var se *json.SyntaxError
		if errors.As(err, &se) {
			return nil, &rowError{row: s.row, msg: fmt.Sprintf("invalid JSON at byte %d: %v", se.Offset, err), err: se}
		}
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) {
			return nil, fmt.Errorf("row %d: want an object, got %s", s.row, te.Value)
		}
		return nil, fmt.Errorf("row %d: %v", s.row, err)
	}
	rec := &record{row: s.row, f: make([]string, len(s.k.columns))}
	keys := make([]string, 0, len(obj))
	for key := range obj {
		keys = append(keys, key)
	}
	slices.Sort(keys)
	for _, key := range keys {
		var v string
		switch x := obj[key].(type) {
		case nil:
		case string:
			v = strings.TrimSpace(x)
		case json.Number:
			v = x.String()
		case bool:
			v = fmt.Sprint(x)
		default:
			rec.probs = append(rec.probs, Problem{Row: s.row, Column: key, Message: "want a string, number or boolean"})
			continue
		}
		if i := slices.Index(s.k.columns, key); i >= 0 {
			rec.f[i] = v
		} else if s.k.extras {
			if v != "" {
				rec.extra = append(rec.extra, [2]string{key, v})
			}
		} else {
			rec.probs = append(rec.probs, Problem{Row: s.row, Column: key, Message: fmt.Sprintf("unknown field (%s fields are %s)", s.k.name, strings.Join(s.k.columns, ", "))})
		}
	}
	return rec, nil
}
