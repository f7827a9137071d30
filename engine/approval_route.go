package engine

import (
	"fmt"
	"strconv"
	"unsafe"

	"github.com/expr-lang/expr/vm"
)

// Approval routing: an approval's `route` list chooses its approver's role
// by expressions, so that a large write-off needs a higher approver. The
// routes are tried in order, the first whose when holds gives its role,
// and the approval's own role is the default. They are evaluated twice:
// when the approval is created (nothing submitted: form.* are empty), which
// decides whom it goes to; and when someone decides it, with the submitted
// values, which decides whose decision these values need (a decision to
// write off 8,000.00 needs the finance director even when the approval went
// to finance). The use case refuses a decider who may not decide for either
// role ([Role.Decides]); docs/workflows.md describes it.

// approverPlan is one compiled route of an approval.
type approverPlan struct {
	when *program
	role Role
	src  string
}

// ApprovalRouting is whom an approval is for, and why.
type ApprovalRouting struct {
	Role Role
	// Route is the route that chose Role, from 1; 0 is the approval's own
	// role (no route held, or it has none).
	Route int
	// When is that route's condition.
	When string
}

// String says it in words: "finance_director (route 1: invoice.balance >= 500000)".
func (r ApprovalRouting) String() string {
	if r.Route == 0 {
		return string(r.Role) + " (the approval's role)"
	}
	return string(r.Role) + " (route " + strconv.Itoa(r.Route) + ": " + r.When + ")"
}

// Decides reports whether a user of role r may decide an approval for role
// want: a user of that role, the finance director (who decides every
// approval that is not an admin's, as the approvals queue shows them all)
// or an admin. It is the one approver check: the use case asks it for the
// role an approval is for and for the role its routes choose for the
// submitted values, and a direct write-off asks it for the finance
// director.
func (r Role) Decides(want Role) bool {
	switch {
	case r == RoleAdmin:
		return true
	case r == RoleFinanceDirector:
		return want != RoleAdmin
	}
	return r != "" && r == want
}

// MayDecide is the approver check of an approval: a user of role by may
// decide it when by decides for role, the role the approval is for now (as
// its routes chose it when it was created, or an SLA escalation moved it),
// and for routing.Role, whose decision the submitted values need (the
// routes evaluated with them: TaskRef.Routing; zero when unknown). The
// error says whose decision it needs.
func MayDecide(by, role Role, routing ApprovalRouting) error {
	if !by.Decides(role) {
		return fmt.Errorf("the approval is for %s", role)
	}
	if routing.Role != "" && !by.Decides(routing.Role) {
		return fmt.Errorf("a decision with these values is for %s", routing)
	}
	return nil
}

// approvalRoutes type-checks an approval's routes in the environment of its
// form's outcome routes (the rule environment plus form.*).
func (l *linker) approvalRoutes(f *Form, routes []ApprovalRoute) {
	env := ruleEnv()
	if f != nil {
		env = f.outcomeEnv()
	}
	for i := range routes {
		if e := compileExpr(&routes[i].When, env, kBool, "when"); e != nil {
			l.add(e)
		}
	}
}

func planApprovers(routes []ApprovalRoute) []approverPlan {
	out := make([]approverPlan, 0, len(routes))
	for i := range routes {
		if p := routes[i].When.prog; p != nil {
			out = append(out, approverPlan{when: p, role: routes[i].Role, src: routes[i].When.Src})
		}
	}
	return out
}

// approver is the routing of approval step s on env with values submitted
// (nil when nothing is: the approval is being created).
func (s *stepPlan) approver(env *Env, values map[string]any, m *vm.VM) (ApprovalRouting, error) {
	def := ApprovalRouting{Role: s.act.role}
	if len(s.approvers) == 0 {
		return def, nil
	}
	ptr, envAny := unsafe.Pointer(env), any(env)
	if s.form != nil {
		v, err := outcomeValue(s.form, env, values)
		if err != nil {
			return def, err
		}
		ptr, envAny = v.Addr().UnsafePointer(), v.Addr().Interface()
	}
	for i, a := range s.approvers {
		ok, err := a.when.evalBool(ptr, envAny, m)
		if err != nil {
			return def, fmt.Errorf("approval route %d: %w", i+1, err)
		}
		if ok {
			return ApprovalRouting{Role: a.role, Route: i + 1, When: a.src}, nil
		}
	}
	return def, nil
}

// ApprovalRole returns whose decision the workflow approval with key (the
// key of the effect that created it) needs when decided with values on
// env: its routes evaluated with form.* holding values. ok is false when
// key is not an approval of b.
func (b *Bundle) ApprovalRole(key string, env *Env, values map[string]any) (routing ApprovalRouting, ok bool, err error) {
	s := b.approvalStep(key)
	if s == nil {
		return routing, false, nil
	}
	var m vm.VM
	routing, err = s.approver(env, values, &m)
	return routing, true, err
}

// approvalStep is the approval step of the workflow approval key, or nil.
func (b *Bundle) approvalStep(key string) *stepPlan {
	k, ok := ParseWorkflowKey(key)
	if !ok || k.Part != "approval" {
		return nil
	}
	p := plansFor(b).plans[k.Workflow]
	if p == nil {
		return nil
	}
	i, ok := p.w.NodeIndex[k.Node]
	if !ok {
		return nil
	}
	return p.nodes[i].approval
}

// routedApproval is the approval action of step as the instance enters its
// node now: a copy carrying the role its routes choose, or the step's own.
func (r *run) routedApproval(step *stepPlan) (*action, ApprovalRouting, error) {
	routing, err := step.approver(&r.e.env, nil, &r.e.vm)
	if err != nil || routing.Role == step.act.role {
		return step.act, routing, err
	}
	a := *step.act
	a.role = routing.Role
	return &a, routing, nil
}
