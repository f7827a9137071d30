package usecase

import (
	"fmt"
	"slices"

	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
)

// Who decides an approval. An approval is for a role, chosen by its
// workflow's routes when it was created (the approval's role, or the role
// of the first route that held) and moved by an SLA escalation; a decision
// is also for the role the routes choose with the submitted values (a
// write-off of 8,000.00 may be the director's on an approval that went to
// finance). A user decides it when the user's role decides for both
// (engine.MayDecide: that role, the finance director, or an admin).
// Completing, claiming and reassigning an approval and recording a direct
// write-off all ask engine.Role.Decides, so the rule is written once.

// mayDecide is the approver check of approval t decided by by with values
// whose routing is routing (engine.TaskRef.Routing; zero before the
// values are known). A refusal is ErrForbidden, saying whose decision it
// is.
func mayDecide(by Actor, t store.TaskDetail, routing engine.ApprovalRouting) error {
	if by.Via == ViaSystem {
		return nil
	}
	if err := engine.MayDecide(engine.Role(by.User.Role), engine.Role(t.Role), routing); err != nil {
		return fmt.Errorf("%s (%s) may not decide approval %d: %v: %w", by.User.Email, by.User.Role, t.ID, err, ErrForbidden)
	}
	return nil
}

// decidesFor reports whether a user of role decides approvals for role want
// (and has the permission to decide approvals at all).
func decidesFor(role, want string) bool {
	return slices.Contains(RolePermissions[role], ApprovalsDecide) && engine.Role(role).Decides(engine.Role(want))
}
