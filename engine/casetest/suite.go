package casetest

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/recoup/recoup/engine"
)

// Dir is where a pack keeps its test files, relative to the pack.
const Dir = "tests"

// File is one test file: its path (relative to the pack, slash-separated,
// when read by ReadFiles) and its text.
type File struct {
	Path string
	Data []byte
}

// IsTestFile reports whether path names a test file (*.test.yaml or
// *.test.yml).
func IsTestFile(path string) bool {
	l := strings.ToLower(path)
	return strings.HasSuffix(l, ".test.yaml") || strings.HasSuffix(l, ".test.yml")
}

// ReadFiles reads every test file under pack's tests/ directory, in lexical
// order of their paths, which are relative to pack. A pack without tests/
// has none.
func ReadFiles(pack string) ([]File, error) {
	root := filepath.Join(pack, Dir)
	var files []File
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			if path == root && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipAll
			}
			return err
		}
		if d.IsDir() {
			if path != root && strings.HasPrefix(d.Name(), ".") {
				return fs.SkipDir
			}
			return nil
		}
		if !IsTestFile(path) {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(pack, path)
		if err != nil {
			return err
		}
		files = append(files, File{Path: filepath.ToSlash(rel), Data: data})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reading test files: %w", err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return files, nil
}

// Suite is one parsed test file.
type Suite struct {
	File  string // the file's path, as given to Parse
	cases []Case
}

// Cases returns the suite's cases in file order: rule cases, then form
// cases, then workflow scenarios.
func (s *Suite) Cases() []Case { return s.cases }

// Case is one test case of a suite.
type Case struct {
	File string // the suite's file
	Name string
	Line int // where the case starts in the file
	run  func(b *engine.Bundle) string
}

// Result is the outcome of one case.
type Result struct {
	File    string
	Name    string
	Line    int
	Passed  bool
	Message string // why it failed: what was expected and what came, line by line
}

// Run runs the case against b. A case never panics the caller: a panic in
// the engine is reported as the case's failure.
func (c Case) Run(b *engine.Bundle) (r Result) {
	r = Result{File: c.File, Name: c.Name, Line: c.Line}
	defer func() {
		if p := recover(); p != nil {
			r.Passed, r.Message = false, fmt.Sprintf("panic: %v", p)
		}
	}()
	r.Message = c.run(b)
	r.Passed = r.Message == ""
	return r
}

// Run runs every case of suites against b, in order.
func Run(b *engine.Bundle, suites []*Suite) []Result {
	var out []Result
	for _, s := range suites {
		for _, c := range s.cases {
			out = append(out, c.Run(b))
		}
	}
	return out
}

// fileDoc is the text of a test file.
type fileDoc struct {
	Timezone  string         `yaml:"timezone"`
	Cases     []ruleCase     `yaml:"cases"`
	Forms     []formCase     `yaml:"forms"`
	Scenarios []scenarioCase `yaml:"scenarios"`
}

// Parse checks test files and returns one suite per file. Every problem of
// every file is returned at once as an engine.ErrorList positioned at the
// offending line: YAML that does not parse, an unknown key, a missing or
// unknown time zone, a case without a name or time, a date, time or amount
// that does not parse.
func Parse(files ...File) ([]*Suite, error) {
	var (
		suites []*Suite
		errs   engine.ErrorList
	)
	for _, f := range files {
		s, fe := parseFile(f)
		errs = append(errs, fe...)
		if s != nil {
			suites = append(suites, s)
		}
	}
	if len(errs) > 0 {
		sort.SliceStable(errs, func(i, j int) bool {
			if errs[i].File != errs[j].File {
				return errs[i].File < errs[j].File
			}
			return errs[i].Line < errs[j].Line
		})
		return nil, errs
	}
	return suites, nil
}

// yamlLine finds the line in a YAML library message ("yaml: line 3: ...",
// "line 7: field x not found in type ...").
var yamlLine = regexp.MustCompile(`^(?:yaml: )?line (\d+): `)

func yamlErrors(file string, err error) engine.ErrorList {
	var msgs []string
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	} else {
		msgs = []string{err.Error()}
	}
	var out engine.ErrorList
	for _, m := range msgs {
		e := &engine.Error{File: file, Msg: strings.TrimPrefix(m, "yaml: ")}
		if sm := yamlLine.FindStringSubmatch(m); sm != nil {
			e.Line, _ = strconv.Atoi(sm[1])
			e.Msg = m[len(sm[0]):]
		}
		e.Msg = friendly(e.Msg)
		out = append(out, e)
	}
	return out
}

func parseFile(f File) (*Suite, engine.ErrorList) {
	var root yaml.Node
	if err := yaml.Unmarshal(f.Data, &root); err != nil {
		return nil, yamlErrors(f.Path, err)
	}
	if len(root.Content) == 0 {
		return nil, engine.ErrorList{{File: f.Path, Msg: "empty test file: want timezone and cases, forms or scenarios"}}
	}
	var doc fileDoc
	dec := yaml.NewDecoder(bytes.NewReader(f.Data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, yamlErrors(f.Path, err)
	}
	p := &parser{file: f.Path, root: root.Content[0]}
	if doc.Timezone == "" {
		p.errorf(p.root.Line, "timezone is required (e.g. timezone: Asia/Shanghai)")
		return nil, p.errs
	}
	loc, err := time.LoadLocation(doc.Timezone)
	if err != nil {
		p.errorf(p.line("timezone", -1), "unknown timezone %q", doc.Timezone)
		return nil, p.errs
	}
	if len(doc.Cases)+len(doc.Forms)+len(doc.Scenarios) == 0 {
		p.errorf(p.root.Line, "no cases, forms or scenarios")
	}
	s := &Suite{File: f.Path}
	names := map[string]int{}
	add := func(name string, line int, run func(*engine.Bundle) string) {
		if name == "" {
			p.errorf(line, "a case needs a name")
		} else if prev, dup := names[name]; dup {
			p.errorf(line, "case %q is already named on line %d", name, prev)
		}
		names[name] = line
		s.cases = append(s.cases, Case{File: f.Path, Name: name, Line: line, run: run})
	}
	for i, c := range doc.Cases {
		line := p.line("cases", i)
		p.check(line, c.check())
		add(c.Name, line, func(b *engine.Bundle) string { return c.run(b, loc) })
	}
	for i, c := range doc.Forms {
		line := p.line("forms", i)
		p.check(line, c.check())
		add(c.Name, line, func(b *engine.Bundle) string { return c.run(b, loc) })
	}
	for i, c := range doc.Scenarios {
		line := p.line("scenarios", i)
		p.check(line, c.check())
		add(c.Name, line, func(b *engine.Bundle) string { return c.run(b, loc) })
	}
	if len(p.errs) > 0 {
		return nil, p.errs
	}
	return s, nil
}

type parser struct {
	file string
	root *yaml.Node
	errs engine.ErrorList
}

func (p *parser) errorf(line int, format string, args ...any) {
	p.errs = append(p.errs, &engine.Error{File: p.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

func (p *parser) check(line int, problems []string) {
	for _, m := range problems {
		p.errorf(line, "%s", m)
	}
}

// line returns the line of key's value in the top-level mapping, or of its
// i-th item when i >= 0.
func (p *parser) line(key string, i int) int {
	if p.root.Kind != yaml.MappingNode {
		return p.root.Line
	}
	for j := 0; j+1 < len(p.root.Content); j += 2 {
		if p.root.Content[j].Value != key {
			continue
		}
		v := p.root.Content[j+1]
		if i >= 0 && v.Kind == yaml.SequenceNode && i < len(v.Content) {
			return v.Content[i].Line
		}
		return v.Line
	}
	return p.root.Line
}
