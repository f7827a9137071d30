package engine

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// FuzzLoad feeds arbitrary bytes to the loader as YAML and as JSON: it must
// never panic and must either load or report positioned errors.
//
//	go test -run='^$' -fuzz=FuzzLoad -fuzztime=20s ./engine/
func FuzzLoad(f *testing.F) {
	var seeds []string
	for _, pattern := range []string{"../rules-examples/*/*.yaml", "testdata/broken/*.yaml", "testdata/broken/*.json"} {
		files, _ := filepath.Glob(pattern)
		seeds = append(seeds, files...)
	}
	for _, path := range seeds {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data, filepath.Ext(path) == ".json")
	}
	f.Add([]byte("apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: r}\nspec:\n  on: invoice\n  when: |\n    invoice.balance > 0 &&\n    today > invoice.due_date\n  then: [{set: {invoice.status: overdue}}]\n"), false)
	f.Add([]byte(`[{"apiVersion":"recoup/v1","kind":"Template","metadata":{"name":"t"},"spec":{"body":"{{.invoice.number}}"}}]`), true)
	f.Fuzz(func(t *testing.T, data []byte, isJSON bool) {
		// A slow input is a denial of service: fail it, so the fuzzer
		// keeps it.
		done := make(chan struct{})
		defer close(done)
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				panic(fmt.Sprintf("loading took over 5s: %q", data))
			}
		}()
		name := "fuzz.yaml"
		if isJSON {
			name = "fuzz.json"
		}
		b, err := LoadSources(Source{Name: name, Data: data})
		if err != nil {
			el, ok := err.(ErrorList)
			if !ok || len(el) == 0 {
				t.Fatalf("error is not a non-empty ErrorList: %v", err)
			}
			for _, e := range el {
				if e.File != name || e.Msg == "" {
					t.Fatalf("badly formed error %#v", e)
				}
				_ = e.Snippet()
			}
			return
		}
		// whatever loads must also evaluate without panicking
		ev := b.NewEvaluator(benchClock)
		var res Result
		subjects := benchSubjects(3)
		for i := range subjects {
			ev.Evaluate(&subjects[i], nil, &res)
		}
	})
}
