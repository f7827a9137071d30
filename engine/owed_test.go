package engine

import (
	"testing"
)

func TestImpliesOwed(t *testing.T) {
	exprs := []struct {
		src  string
		owed bool
	}{
		{`invoice.balance > 0`, true},
		{`invoice.balance > 0 && today > invoice.due_date`, true},
		{`0 < invoice.balance`, true},
		{`invoice.balance >= 1`, true},
		{`invoice.balance >= money("50.00 CNY") && invoice.days_overdue > 3`, true},
		{`customer.risk != "high" && invoice.balance > 0 && (invoice.days_overdue > 60 || customer.credit_rating in ["C", "D"])`, true},
		{`invoice.custom.legal_hold == "true" and invoice.balance > 100`, true},
		{`(invoice.balance > 0 && invoice.disputed) || (invoice.balance > 5 && customer.do_not_contact)`, true},
		{`not invoice.disputed && invoice.balance > 0`, true},
		// not provably false for a settled invoice
		{`invoice.balance >= 0`, false},
		{`invoice.balance > -1`, false},
		{`invoice.balance != 0`, false},
		{`invoice.balance < 0`, false},
		{`invoice.days_overdue > 0`, false},
		{`invoice.balance > 0 || invoice.days_overdue > 0`, false},
		{`!(invoice.balance <= 0)`, false},
		{`invoice.amount > 0`, false},
		// a part before the balance test might fail: an error would be
		// recorded for a settled invoice too
		{`100 / invoice.days_overdue > 1 && invoice.balance > 0`, false},
		{`len(invoice.custom.note) > 2 && invoice.balance > 0`, false},
		{`invoice.balance > 0 && len(invoice.custom.note) > 2`, true},
	}
	settled := benchSubjects(60)
	for i := range settled {
		settled[i].Invoice.BalanceMinor = int64(-(i % 3)) * 500 // 0 and credits
		if i%4 == 0 {
			settled[i].Invoice.Custom = map[string]string{"legal_hold": "true", "note": "x"}
		}
	}
	env := ruleEnv()
	for _, tt := range exprs {
		x := &Expr{Src: tt.src}
		if e := compileExpr(x, env, kBool, "when"); e != nil {
			t.Fatalf("%s: %v", tt.src, e)
		}
		if x.prog.owed != tt.owed {
			t.Errorf("%s: owed %v, want %v", tt.src, x.prog.owed, tt.owed)
		}
		if x.prog.owed {
			checkFalseWhenSettled(t, x, settled)
		}
	}
}

// checkFalseWhenSettled evaluates x on the VM for every settled subject.
func checkFalseWhenSettled(t *testing.T, x *Expr, settled []Subject) {
	t.Helper()
	for i := range settled {
		var e Env
		e.fill(&settled[i], benchClock, benchClock.Today())
		got, err := x.prog.evalAny(&e)
		if err != nil || got != false {
			t.Errorf("%s on a settled invoice (balance %d): %v, %v; want false", x.Src, settled[i].Invoice.BalanceMinor, got, err)
		}
	}
}

func TestExamplesOwedOnly(t *testing.T) {
	b, err := LoadPaths("../rules-examples")
	if err != nil {
		t.Fatal(err)
	}
	if !b.OwedOnly() {
		for _, r := range b.Rules {
			t.Logf("rule %s: owed %v", r.Name, r.when.owed)
		}
		t.Fatal("the example pack acts only on owed invoices, but OwedOnly is false")
	}
	// One rule that may act on a paid invoice is enough to read them all.
	thanks := Source{Name: "thanks.yaml", Data: []byte(`apiVersion: recoup/v1
kind: Rule
metadata: {name: thanks}
spec:
  on: invoice
  refire: once
  when: invoice.status == "paid"
  then:
    - set: {invoice.custom.thanked: "yes"}
`)}
	if b, err = LoadSources(thanks); err != nil {
		t.Fatal(err)
	}
	if b.OwedOnly() {
		t.Fatal("a rule on paid invoices, yet OwedOnly")
	}
}

// FuzzImpliesOwed compiles arbitrary conditions; whenever one is judged
// owed-only, the VM must say false, without error, on settled invoices.
//
//	go test -run='^$' -fuzz=FuzzImpliesOwed -fuzztime=30s ./engine/
func FuzzImpliesOwed(f *testing.F) {
	for _, s := range []string{
		`invoice.balance > 0 && today > invoice.due_date`,
		`customer.risk == "low" && invoice.balance >= 100 || invoice.balance > 0 && invoice.disputed`,
		`invoice.days_overdue > 2 and 0 < invoice.balance`,
		`invoice.custom.x == "1" && invoice.balance > 0.5`,
	} {
		f.Add(s)
	}
	settled := benchSubjects(12)
	for i := range settled {
		settled[i].Invoice.BalanceMinor = -int64(i) * 100
	}
	env := ruleEnv()
	f.Fuzz(func(t *testing.T, src string) {
		x := &Expr{Src: src}
		if e := compileExpr(x, env, kBool, "when"); e != nil || x.prog == nil || !x.prog.owed {
			return
		}
		checkFalseWhenSettled(t, x, settled)
	})
}
