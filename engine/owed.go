package engine

import (
	"reflect"

	"github.com/expr-lang/expr/ast"
)

// A tick need not read a settled invoice (balance ≤ 0) when nothing in the
// bundle can act on it. That holds when every rule's condition and every
// workflow's start_when can only be true while the invoice is owed money
// (invoice.balance > 0 is one of its top-level conjuncts, or the like),
// because then, for such an invoice:
//
//   - no rule fires, and none records an error: the condition is false
//     without evaluating anything that could fail (see impliesOwed);
//   - no workflow starts, and an ended instance stays ended;
//   - no action can make the balance positive again within the tick,
//     since no rule fires on it.
//
// What still needs the invoice is an active workflow instance (its
// stop_when ends it and cancels its tasks), a rising_edge condition
// stored as true (it must be recorded false) and an active payment plan
// (paid in full, it is marked completed). The store reads exactly those
// besides the owed invoices (TickRun.OwedOnly).

// OwedOnly reports whether every rule's condition and every workflow's
// start_when implies invoice.balance > 0.
func (b *Bundle) OwedOnly() bool {
	for _, r := range b.Rules {
		if r.when == nil || !r.when.owed {
			return false
		}
	}
	for _, w := range b.Workflows {
		if p := w.Spec.StartWhen.prog; p == nil || !p.owed {
			return false
		}
	}
	return true
}

// impliesOwed reports whether the boolean expression n, evaluated (left
// to right, short-circuit, as expr does) for an invoice whose balance is
// ≤ 0, is false without error. It knows conjunctions, disjunctions and
// comparisons of invoice.balance with a constant; anything else is
// "can't tell" (false).
func impliesOwed(n ast.Node) bool {
	b, ok := n.(*ast.BinaryNode)
	if !ok {
		return false
	}
	switch b.Operator {
	case "&&", "and":
		// The left side stops it, or runs without fail and the right
		// side stops it.
		return impliesOwed(b.Left) || neverFails(b.Left) && impliesOwed(b.Right)
	case "||", "or":
		return impliesOwed(b.Left) && impliesOwed(b.Right)
	}
	// balance OP c, or c OP balance read the other way round.
	op, c := b.Operator, b.Right
	if !isBalance(b.Left) {
		if !isBalance(b.Right) {
			return false
		}
		c = b.Left
		op = map[string]string{">": "<", ">=": "<=", "<": ">", "<=": ">=", "==": "=="}[op]
	}
	v, ok := constant(c)
	if !ok {
		return false
	}
	switch op {
	case ">":
		return v >= 0
	case ">=", "==":
		return v > 0
	}
	return false
}

func isBalance(n ast.Node) bool {
	m, ok := n.(*ast.MemberNode)
	if !ok || m.Optional {
		return false
	}
	id, ok := m.Node.(*ast.IdentifierNode)
	prop, ok2 := m.Property.(*ast.StringNode)
	return ok && ok2 && id.Value == "invoice" && prop.Value == "balance"
}

func constant(n ast.Node) (float64, bool) {
	switch c := n.(type) {
	case *ast.IntegerNode:
		return float64(c.Value), true
	case *ast.FloatNode:
		return c.Value, true
	}
	return 0, false
}

// neverFails reports whether evaluating n cannot fail: comparisons and
// logic over fields and constants. Calls, arithmetic (division by zero)
// and anything else count as "might".
func neverFails(n ast.Node) bool {
	switch n := n.(type) {
	case *ast.BoolNode, *ast.IntegerNode, *ast.FloatNode, *ast.StringNode, *ast.NilNode, *ast.IdentifierNode:
		return true
	case *ast.MemberNode:
		// A field of a struct of the environment, or a key of a
		// custom-field map (a missing key is nil, not an error); through
		// a pointer it could be nil.
		_, prop := n.Property.(*ast.StringNode)
		t := n.Node.Type()
		return prop && !n.Optional && t != nil && (t.Kind() == reflect.Struct || t.Kind() == reflect.Map) && neverFails(n.Node)
	case *ast.UnaryNode:
		return (n.Operator == "!" || n.Operator == "not") && neverFails(n.Node)
	case *ast.ArrayNode:
		for _, x := range n.Nodes {
			if !neverFails(x) {
				return false
			}
		}
		return true
	case *ast.BinaryNode:
		switch n.Operator {
		case "&&", "and", "||", "or", "==", "!=":
			return neverFails(n.Left) && neverFails(n.Right)
		case "<", ">", "<=", ">=", "in":
			// The checker let the operand types through; order and
			// membership of checked operands do not fail.
			return neverFails(n.Left) && neverFails(n.Right) && n.Left.Type() != nil && n.Right.Type() != nil &&
				n.Left.Type().Kind() != reflect.Interface && n.Right.Type().Kind() != reflect.Interface
		}
	}
	return false
}
