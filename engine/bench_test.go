package engine

import (
	"fmt"
	"testing"
	"time"
	"unsafe"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/vm"

	"github.com/recoup/recoup/calendar"
)

// The three-clause condition used to compare evaluators side by side.
const benchCond = `invoice.balance > 0 && invoice.days_overdue > 30 && customer.risk == "low"`

func benchBundle(tb testing.TB) *Bundle {
	tb.Helper()
	b, err := LoadPaths("../rules-examples")
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// benchSubjects returns n invoices spread over due dates, balances and risks.
func benchSubjects(n int) []Subject {
	out := make([]Subject, n)
	base := calendar.MustParse("2026-01-01")
	risks := []RiskTier{RiskLow, RiskLow, RiskMedium, RiskHigh}
	for i := range out {
		bal := int64(i%7) * 150000
		out[i] = Subject{
			Invoice: Invoice{ID: int64(i + 1), Number: fmt.Sprintf("INV-%06d", i), Currency: "CNY", AmountMinor: 1000000,
				BalanceMinor: bal, DueDate: base.AddDays(i % 120), Status: StatusOpen, OwnerEmail: "rep@example.com"},
			Customer: Customer{ID: int64(i%50 + 1), Name: "Customer", Risk: risks[i%4], CreditRating: "A", OwnerEmail: "rep@example.com"},
			Payments: PaymentStats{LateInvoices12M: i % 2},
		}
	}
	return out
}

var benchClock = Clock{Now: time.Date(2026, 3, 10, 1, 0, 0, 0, time.UTC), Location: time.FixedZone("CST", 8*3600)}

// allFired is a FireState where every rule already fired: the steady state
// of a daily tick, where conditions are evaluated but effects are not
// produced again.
type allFired struct{}

func (allFired) Fired(FireKey) bool                       { return true }
func (allFired) LastCondition(string, int64) (bool, bool) { return true, true }

// BenchmarkEvaluateBatch runs the whole example pack over a batch of
// invoices with a reused Evaluator and Result; ns/rule is the figure the
// performance budget (≤ 150 ns, ≤ 3 allocs per rule evaluation) refers to.
func BenchmarkEvaluateBatch(b *testing.B) {
	bundle := benchBundle(b)
	subjects := benchSubjects(1000)
	for _, tc := range []struct {
		name  string
		state FireState
	}{{"steady", allFired{}}, {"first-tick", nil}} {
		b.Run(tc.name, func(b *testing.B) {
			ev := bundle.NewEvaluator(benchClock)
			var res Result
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				res.Reset()
				for i := range subjects {
					ev.Evaluate(&subjects[i], tc.state, &res)
				}
			}
			evals := float64(b.N) * float64(len(subjects)) * float64(len(bundle.Rules))
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/evals, "ns/rule")
			b.ReportMetric(float64(len(res.Effects)), "effects/op")
			b.ReportMetric(float64(testing.AllocsPerRun(1, func() {
				res.Reset()
				for i := range subjects {
					ev.Evaluate(&subjects[i], tc.state, &res)
				}
			}))/float64(len(subjects)*len(bundle.Rules)), "allocs/rule")
		})
	}
}

// BenchmarkCondition compares, on one three-clause condition: recoup's
// evaluator (closure-compiled fast path), expr with a reused vm.VM and a
// struct env, plain expr.Run, and the same condition written in Go.
func BenchmarkCondition(b *testing.B) {
	subjects := benchSubjects(64)
	envs := make([]Env, len(subjects))
	for i := range subjects {
		envs[i].fill(&subjects[i], benchClock, benchClock.Today())
	}
	x := &Expr{Src: benchCond}
	if err := compileExpr(x, ruleEnv(), kBool, "when"); err != nil {
		b.Fatal(err)
	}
	prog, err := expr.Compile(benchCond, expr.Env(Env{}), expr.AsBool())
	if err != nil {
		b.Fatal(err)
	}
	var sink bool
	b.Run("recoup", func(b *testing.B) {
		var m vm.VM
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			e := &envs[i%len(envs)]
			v, _ := x.prog.evalBool(unsafe.Pointer(e), e, &m)
			sink = sink != v
		}
	})
	b.Run("expr-reused-vm", func(b *testing.B) {
		var m vm.VM
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			v, _ := m.Run(prog, &envs[i%len(envs)])
			sink = sink != v.(bool)
		}
	})
	b.Run("expr.Run", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			v, _ := expr.Run(prog, &envs[i%len(envs)])
			sink = sink != v.(bool)
		}
	})
	b.Run("go", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			e := &envs[i%len(envs)]
			v := e.Invoice.Balance > 0 && e.Invoice.DaysOverdue > 30 && e.Customer.Risk == "low"
			sink = sink != v
		}
	})
	_ = sink
}

// BenchmarkCompile measures compiling one rule condition (parse, type
// check, optimize, VM program and fast path).
func BenchmarkCompile(b *testing.B) {
	env := ruleEnv()
	b.ReportAllocs()
	for b.Loop() {
		x := &Expr{Src: benchCond}
		if err := compileExpr(x, env, kBool, "when"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkLoadExamples measures loading and compiling the whole example
// pack; ns/rule divides by its rule count for the compile budget.
func BenchmarkLoadExamples(b *testing.B) {
	b.ReportAllocs()
	var n int
	for b.Loop() {
		n = len(benchBundle(b).Rules)
	}
	_ = n
}
