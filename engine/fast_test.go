package engine

import (
	"reflect"
	"testing"
	"time"
	"unsafe"
)

// TestFastPathMatchesVM evaluates expressions through the closure-compiled
// fast path and through expr's VM on varied subjects: results must agree.
func TestFastPathMatchesVM(t *testing.T) {
	t.Parallel()
	exprs := []struct {
		src  string
		fast bool // must take the fast path
	}{
		{`invoice.balance > 0 && today > invoice.due_date`, true},
		{`invoice.days_overdue > 30 && customer.risk == "low"`, true},
		{`invoice.days_until_due >= 0 && invoice.days_until_due <= 3`, true},
		{`customer.credit_rating in ["C", "D"] || payments.late_invoices_12m >= 3`, true},
		{`customer.risk not in ["high"]`, true},
		{`invoice.balance >= money("1500.00 CNY")`, true},
		{`payments.avg_days_late > 10 || payments.avg_days_late == 0`, true},
		{`invoice.balance * 2 - invoice.amount > -1 && invoice.paid + 1 != 0`, true},
		{`invoice.balance / 3 > 1000.5`, true},
		{`!(invoice.disputed) and not customer.do_not_contact`, true},
		{`invoice.aging_bucket == "31-60" || invoice.aging_bucket startsWith "9"`, true},
		{`invoice.number contains "00" && invoice.number endsWith "1"`, true},
		{`invoice.number matches "^INV-0+[1-3]$"`, true},
		{`daysBetween(invoice.due_date, today) > 5`, true},
		{`addDays(invoice.due_date, 30) < today`, true},
		{`invoice.issue_date <= invoice.due_date && now > today`, true},
		{`(invoice.days_overdue > 10 ? "late" : "fine") == "late"`, true},
		{`abs(invoice.days_until_due) < 7`, true},
		{`invoice.custom.region == "east"`, true},
		{`-invoice.days_overdue < -3 || +invoice.days_overdue == 0`, true},
		{`invoice.currency + "!" == "CNY!"`, true},
		// these take the VM
		{`invoice.days_overdue % 7 == 0`, false},
		{`len(invoice.number) > 9`, false},
		{`invoice.custom?.region == "east"`, false},
		{`any(["a", "b"], # == customer.risk)`, false},
	}
	subjects := benchSubjects(40)
	subjects[3].Invoice.Custom = map[string]string{"region": "east"}
	subjects[5].Invoice.Disputed = true
	env := ruleEnv()
	for _, tt := range exprs {
		x := &Expr{Src: tt.src}
		if e := compileExpr(x, env, kBool, "when"); e != nil {
			t.Fatalf("%s: %v", tt.src, e)
		}
		if got := x.prog.fast.b != nil; got != tt.fast {
			t.Errorf("%s: fast path %v, want %v", tt.src, got, tt.fast)
		}
		if x.prog.fast.b == nil {
			continue
		}
		for i := range subjects {
			var e Env
			e.fill(&subjects[i], benchClock, benchClock.Today())
			fast := x.prog.fast.b(unsafe.Pointer(&e))
			slow, err := x.prog.evalAny(&e)
			if err != nil {
				t.Fatalf("%s: vm: %v", tt.src, err)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Errorf("%s on invoice %d: fast %v, vm %v", tt.src, i, fast, slow)
			}
		}
	}
}

// FuzzFastPath compiles arbitrary expressions; whenever the fast path
// takes one, it must agree with expr's VM on every sample subject.
//
//	go test -run='^$' -fuzz=FuzzFastPath -fuzztime=30s ./engine/
func FuzzFastPath(f *testing.F) {
	for _, s := range []string{
		`invoice.balance > 0 && today > invoice.due_date`,
		`customer.risk in ["low", "medium"] || invoice.days_overdue * 2 >= 61`,
		`invoice.balance / 3 > 1000.5 == (payments.avg_days_late < 1)`,
		`(invoice.days_overdue > 10 ? invoice.number : customer.name) contains "0"`,
		`daysBetween(invoice.due_date, addDays(today, -3)) != -invoice.days_until_due`,
		`abs(invoice.days_until_due - 3) <= 2 and not invoice.disputed`,
	} {
		f.Add(s)
	}
	subjects := benchSubjects(12)
	subjects[3].Invoice.Custom = map[string]string{"region": "east"}
	envs := make([]Env, len(subjects))
	for i := range subjects {
		envs[i].fill(&subjects[i], benchClock, benchClock.Today())
	}
	env := ruleEnv()
	f.Fuzz(func(t *testing.T, src string) {
		x := &Expr{Src: src}
		if e := compileExpr(x, env, kNone, "expression"); e != nil || x.prog == nil || x.prog.fast.k == kNone {
			return
		}
		for i := range envs {
			slow, err := x.prog.evalAny(&envs[i])
			if err != nil {
				return // e.g. integer overflow checks the VM does not share
			}
			var fast any
			p := unsafe.Pointer(&envs[i])
			switch fn := x.prog.fast; fn.k {
			case kBool:
				fast = fn.b(p)
			case kInt:
				fast = fn.i(p)
			case kFloat:
				fast = fn.f(p)
			case kString:
				fast = fn.s(p)
			case kTime:
				fast = fn.t(p)
			}
			if fv, ok := fast.(float64); ok {
				if sv, ok := slow.(float64); ok && (fv != fv && sv != sv) {
					continue // both NaN
				}
			}
			if ft, ok := fast.(time.Time); ok {
				if st, ok := slow.(time.Time); ok && ft.Equal(st) {
					continue
				}
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("%s on subject %d: fast %#v, vm %#v", src, i, fast, slow)
			}
		}
	})
}
