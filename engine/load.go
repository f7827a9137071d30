package engine

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// Source is one definition file (or one stored definition) to load.
type Source struct {
	// Name is the file name used in messages; a .json suffix selects JSON.
	Name string
	Data []byte
	// Version is the stored version of a single-document source, 0 for
	// files that were never applied.
	Version int
}

// MaxSourceSize bounds one definition file.
const MaxSourceSize = 4 << 20

// LoadPaths reads files and directories (see [ReadPaths]) and loads them
// as one bundle. The error, when not nil, is an [ErrorList] holding every
// problem found.
func LoadPaths(paths ...string) (*Bundle, error) {
	srcs, err := ReadPaths(paths...)
	b, lerr := LoadSources(srcs...)
	if err == nil {
		return b, lerr
	}
	errs := err.(ErrorList)
	if el, ok := lerr.(ErrorList); ok {
		errs = append(errs, el...)
	}
	errs.sort()
	return b, errs
}

// ReadPaths reads definition files: each path is a file, or a directory
// searched recursively for *.yaml, *.yml and *.json (not *.test.yaml, not
// hidden directories), in lexical order. Unreadable paths are reported in
// the returned [ErrorList]; the sources read are returned regardless.
func ReadPaths(paths ...string) ([]Source, error) {
	var srcs []Source
	var errs ErrorList
	for _, p := range paths {
		st, err := os.Stat(p)
		if err != nil {
			msg := err.Error()
			if u := errors.Unwrap(err); u != nil {
				msg = u.Error()
			}
			errs = append(errs, &Error{File: p, Msg: msg})
			continue
		}
		if !st.IsDir() {
			data, err := os.ReadFile(p)
			if err != nil {
				errs = append(errs, &Error{File: p, Msg: err.Error()})
				continue
			}
			srcs = append(srcs, Source{Name: p, Data: data})
			continue
		}
		var files []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && path != p && strings.HasPrefix(d.Name(), ".") {
				return filepath.SkipDir
			}
			if !d.IsDir() && IsDefinitionFile(path) {
				files = append(files, path)
			}
			return nil
		})
		if err != nil {
			errs = append(errs, &Error{File: p, Msg: err.Error()})
			continue
		}
		sort.Strings(files)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				errs = append(errs, &Error{File: f, Msg: err.Error()})
				continue
			}
			srcs = append(srcs, Source{Name: f, Data: data})
		}
	}
	if len(errs) > 0 {
		return srcs, errs
	}
	return srcs, nil
}

// IsDefinitionFile reports whether path has a definition file extension.
// Files whose name ends in .test.yaml (example test cases) are not
// definitions.
func IsDefinitionFile(path string) bool {
	l := strings.ToLower(path)
	if strings.HasSuffix(l, ".test.yaml") || strings.HasSuffix(l, ".test.yml") || strings.HasSuffix(l, ".test.json") {
		return false
	}
	return strings.HasSuffix(l, ".yaml") || strings.HasSuffix(l, ".yml") || strings.HasSuffix(l, ".json")
}

// LoadSources parses, validates and compiles definitions. It never panics;
// the error, when not nil, is an [ErrorList] with every problem, and the
// returned bundle then holds whatever could be loaded (for tooling).
func LoadSources(srcs ...Source) (*Bundle, error) {
	var errs ErrorList
	var docs []*Document
	for _, s := range srcs {
		docs = append(docs, parseSource(s, &errs)...)
	}
	b := link(docs, &errs)
	if len(errs) > 0 {
		errs.sort()
		return b, errs.dedupe()
	}
	return b, nil
}

// ParseDocuments parses and structurally validates one source without
// cross-document checks or compilation (for editors and the apply diff).
func ParseDocuments(s Source) ([]*Document, error) {
	var errs ErrorList
	docs := parseSource(s, &errs)
	if len(errs) > 0 {
		errs.sort()
		return docs, errs.dedupe()
	}
	return docs, nil
}

var reYAMLLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseSource splits a file into documents and decodes each.
func parseSource(s Source, errs *ErrorList) (docs []*Document) {
	f := newSrcFile(s.Name, s.Data)
	d := &decoder{file: f, errs: errs}
	defer func() {
		if r := recover(); r != nil {
			d.errAt(Pos{Line: 1, Col: 1}, "cannot parse file: %v", r)
			docs = nil
		}
	}()
	if len(s.Data) > MaxSourceSize {
		d.errAt(Pos{}, "file is larger than %d bytes", MaxSourceSize)
		return nil
	}
	data := s.Data
	if f.format == "json" {
		// JSON allows tabs where YAML does not; outside strings a tab is
		// only whitespace, and inside JSON strings it must be escaped.
		data = bytes.ReplaceAll(data, []byte("\t"), []byte(" "))
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var roots []*yaml.Node
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			break
		}
		if err != nil {
			msg := err.Error()
			p := Pos{Line: 1, Col: 1}
			if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
				p.Line, _ = strconv.Atoi(m[1])
				msg = m[2]
				text := f.line(p.Line)
				p.Col = len([]rune(text)) - len([]rune(strings.TrimLeft(text, " \t"))) + 1
			} else {
				msg = strings.TrimPrefix(msg, "yaml: ")
			}
			d.errAt(p, "%s", msg)
			break
		}
		if n.Kind != yaml.DocumentNode || len(n.Content) == 0 {
			continue
		}
		root := n.Content[0]
		if isNull(root) {
			continue
		}
		if root.Kind == yaml.SequenceNode {
			roots = append(roots, root.Content...)
			continue
		}
		roots = append(roots, root)
	}
	for i, root := range roots {
		doc := decodeDocument(d, root)
		if doc == nil {
			continue
		}
		doc.Version = s.Version
		doc.root = root
		doc.Source = docSource(f, roots, i)
		doc.Hash = canonicalHash(root)
		docs = append(docs, doc)
	}
	return docs
}

// docSource returns the text of document i: its lines up to the next
// document, without separators.
func docSource(f *srcFile, roots []*yaml.Node, i int) string {
	if len(roots) == 1 {
		return string(f.data)
	}
	start := roots[i].Line
	end := len(f.lines)
	if i+1 < len(roots) {
		end = roots[i+1].Line - 1
	}
	if f.format == "json" || start < 1 || end < start {
		out, err := json.MarshalIndent(nodeValue(roots[i], 0), "", "  ")
		if err != nil {
			return ""
		}
		return string(out) + "\n"
	}
	lines := f.lines[start-1 : end]
	for j, l := range lines {
		if j > 0 && (strings.HasPrefix(l, "---") || strings.HasPrefix(l, "...")) {
			lines = lines[:j]
			break
		}
	}
	for len(lines) > 0 {
		l := strings.TrimSpace(lines[len(lines)-1])
		if l == "" || l == "---" || l == "..." || strings.HasPrefix(l, "--- ") {
			lines = lines[:len(lines)-1]
			continue
		}
		break
	}
	return strings.Join(lines, "\n") + "\n"
}

// canonicalHash hashes a document's canonical JSON form.
func canonicalHash(n *yaml.Node) string {
	b, _ := json.Marshal(nodeValue(n, 0))
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// nodeValue converts a node to plain Go values for canonical JSON.
func nodeValue(n *yaml.Node, depth int) any {
	if depth > 100 {
		return nil
	}
	switch n.Kind {
	case yaml.MappingNode:
		m := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			m[n.Content[i].Value] = nodeValue(n.Content[i+1], depth+1)
		}
		return m
	case yaml.SequenceNode:
		s := make([]any, len(n.Content))
		for i, c := range n.Content {
			s[i] = nodeValue(c, depth+1)
		}
		return s
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return nil
		case "!!bool", "!!int", "!!float":
			var v any
			if err := n.Decode(&v); err == nil {
				return v
			}
		}
		return n.Value
	}
	return nil
}

// rawNode keeps a node for a later, kind-dependent decode.
type rawNode struct{ n *yaml.Node }

func (r *rawNode) decodeNode(_ *decoder, n *yaml.Node) { r.n = n }

type header struct {
	APIVersion string   `yaml:"apiVersion" def:"required,enum=recoup/v1"`
	Kind       Kind     `yaml:"kind" def:"required,enum=Form|Rule|Template|Workflow"`
	Metadata   Metadata `yaml:"metadata" def:"required"`
	Spec       rawNode  `yaml:"spec" def:"required"`
}

func decodeDocument(d *decoder, root *yaml.Node) *Document {
	if root.Kind != yaml.MappingNode {
		d.errorf(root, "expected a document (a mapping with apiVersion, kind, metadata and spec), got %s", kindName(root))
		return nil
	}
	var h header
	before := len(*d.errs)
	d.decodeStruct(root, reflectValueOf(&h))
	doc := &Document{APIVersion: h.APIVersion, Kind: h.Kind, Metadata: h.Metadata, File: d.file.name, Pos: posOf(root), Format: d.file.format, file: d.file}
	if h.Spec.n == nil || !h.Kind.valid() {
		if len(*d.errs) == before {
			return nil
		}
		return doc
	}
	doc.Spec = *h.Spec.n
	switch h.Kind {
	case KindForm:
		doc.Form = new(FormSpec)
		d.decode(h.Spec.n, reflectValueOf(doc.Form))
	case KindRule:
		doc.Rule = new(RuleSpec)
		d.decode(h.Spec.n, reflectValueOf(doc.Rule))
	case KindTemplate:
		doc.Template = new(TemplateSpec)
		d.decode(h.Spec.n, reflectValueOf(doc.Template))
	case KindWorkflow:
		doc.Workflow = new(WorkflowSpec)
		d.decode(h.Spec.n, reflectValueOf(doc.Workflow))
	}
	return doc
}

// Name returns the document's metadata name.
func (d *Document) Name() string { return d.Metadata.Name.Value }

// String renders Kind/name.
func (d *Document) String() string { return fmt.Sprintf("%s/%s", d.Kind, d.Name()) }

// docError positions a problem inside doc's file.
func docError(doc *Document, p Pos, msg string) *Error {
	e := &Error{File: doc.File, Line: p.Line, Col: p.Col, Msg: msg}
	if doc.file != nil {
		e.srcLine = doc.file.line(p.Line)
	}
	return e
}

// documentValue returns the document as plain Go values (maps, slices,
// scalars), e.g. for JSON Schema validation or JSON export.
func documentValue(d *Document) any {
	if d.root == nil {
		return nil
	}
	return nodeValue(d.root, 0)
}
