package engine

import (
	"sync"
	"testing"
)

func TestBundleCache(t *testing.T) {
	t.Parallel()
	src := Source{Name: "r.yaml", Version: 1, Data: []byte("apiVersion: recoup/v1\nkind: Rule\nmetadata: {name: r}\nspec: {on: invoice, when: 'true', then: [{set: {invoice.status: x}}]}\n")}
	var c BundleCache
	a, err := c.Load(src)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Load(src)
	if a != b {
		t.Error("same sources compiled twice")
	}
	src.Version = 2
	if b2, _ := c.Load(src); b2 == a || b2.Rules[0].Version != 2 {
		t.Error("a new version was not compiled")
	}
	bad := Source{Name: "bad.yaml", Data: []byte("kind: Nope")}
	if _, err := c.Load(bad); err == nil {
		t.Error("want an error")
	}
}

// TestConcurrentEvaluators shares one bundle between goroutines, each with
// its own Evaluator (run with -race).
func TestConcurrentEvaluators(t *testing.T) {
	t.Parallel()
	b := benchBundle(t)
	subjects := benchSubjects(200)
	var want Result
	b.NewEvaluator(benchClock).evaluateAll(subjects, &want)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var got Result
			b.NewEvaluator(benchClock).evaluateAll(subjects, &got)
			if len(got.Effects) != len(want.Effects) || len(got.Effects) == 0 {
				t.Errorf("got %d effects, want %d", len(got.Effects), len(want.Effects))
				return
			}
			for i := range got.Effects {
				if got.Effects[i].Key != want.Effects[i].Key || got.Effects[i].Title != want.Effects[i].Title {
					t.Errorf("effect %d differs: %v vs %v", i, got.Effects[i].Key, want.Effects[i].Key)
					return
				}
			}
		}()
	}
	wg.Wait()
}

func (e *Evaluator) evaluateAll(subjects []Subject, out *Result) {
	for i := range subjects {
		e.Evaluate(&subjects[i], nil, out)
	}
}
