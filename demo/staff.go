package demo

import (
	"encoding/binary"
	"hash/fnv"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// OpenTask is an open task or approval as the demo's staff see it.
type OpenTask struct {
	Key, Kind, Form, Assignee, Role, Invoice string
	Created, Due                             time.Time
}

// Completion is a task someone completes: by whom, when, with what values.
type Completion struct {
	Task   string
	By     string
	At     time.Time
	Values map[string]any
}

// Staff decides, day by day, which open tasks the demo's people complete
// and with which outcome, as the people of a collections team would: most
// work on the day a task falls due, some early, some late, a few never.
// A rep records a promise to pay on the day the customer will in fact pay
// (the Book knows), or, for a customer who will not pay soon, a promise
// that will be broken. The director decides most approvals within a few
// days. Every choice is a deterministic function of the seed and the
// task's key.
type Staff struct {
	book     *Book
	seed     uint64
	loc      *time.Location
	managers map[string]string // team → its sales manager
	finance  []string
	director string
}

// NewStaff returns the demo staff (Users) working on book's invoices,
// with days counted in loc.
func NewStaff(book *Book, seed uint64, loc *time.Location) *Staff {
	s := &Staff{book: book, seed: seed, loc: loc, managers: map[string]string{}}
	for _, u := range Users() {
		switch u.Role {
		case "sales_manager":
			s.managers[u.Team] = u.Email
		case "finance":
			s.finance = append(s.finance, u.Email)
		case "finance_director":
			s.director = u.Email
		}
	}
	return s
}

// never is a lag meaning the task is left open.
const never = -1

// lags are, per kind of work, the chances (in percent, summing to 100)
// that a task is done 0, 1, 2… days after the day it was created; what
// is left to 100 is never.
var lags = map[string][]int{
	"todo":     {10, 78, 6, 4},     // due in a day: mostly done on its due day
	"call":     {40, 45, 8, 3},     // due in two days; a late call is escalated first
	"approval": {35, 35, 15, 8, 4}, // due in three days
	"manager":  {35, 35, 15, 8},
	"finance":  {40, 35, 12, 6},
}

// Work returns what the staff complete on day, in time order: each open
// task whose day to be done has come. Workflow tasks of an invoice already
// paid are left to the workflow, which cancels them on the next tick.
func (s *Staff) Work(day calendar.Date, open []OpenTask) []Completion {
	var out []Completion
	for _, t := range open {
		work, by := s.worker(t)
		if by == "" {
			continue
		}
		created := calendar.In(t.Created, s.loc)
		lag := s.lag(t.Key, lags[work])
		if lag == never || created.AddDays(lag).After(day) {
			continue
		}
		// Between 09:30 and 17:30, after the morning's tick and after the
		// task was made.
		at := day.Time(s.loc).Add(9*time.Hour + 30*time.Minute + time.Duration(s.roll(t.Key, "at")*8*60)*time.Minute)
		if !at.After(t.Created) {
			at = t.Created.Add(10 * time.Minute)
		}
		inv := s.book.invoices[t.Invoice]
		if strings.HasPrefix(t.Key, "workflow/") && inv != nil && inv.balanceAt(at) <= 0 {
			continue
		}
		values := map[string]any{}
		switch t.Form {
		case "call-outcome":
			values = s.callOutcome(t.Key, calendar.In(at, s.loc), at, inv)
		case "escalation-decision":
			values = s.decision(t.Key, calendar.In(at, s.loc), at, inv)
		}
		out = append(out, Completion{Task: t.Key, By: by, At: at, Values: values})
	}
	slices.SortFunc(out, func(a, b Completion) int {
		if c := a.At.Compare(b.At); c != 0 {
			return c
		}
		return strings.Compare(a.Task, b.Task)
	})
	return out
}

// worker names the kind of work t is and who does it: its assignee, or
// for a role task the manager of the invoice owner's team, a finance
// clerk, or the director.
func (s *Staff) worker(t OpenTask) (work, by string) {
	switch {
	case t.Kind == "approval":
		by = t.Assignee
		if by == "" {
			by = s.director
		}
		return "approval", by
	case t.Form == "call-outcome":
		return "call", t.Assignee
	case t.Assignee != "":
		return "todo", t.Assignee
	case t.Role == "sales_manager":
		if inv := s.book.invoices[t.Invoice]; inv != nil {
			return "manager", s.managers[s.book.teams[inv.owner]]
		}
	case t.Role == "finance" && len(s.finance) > 0:
		return "finance", s.finance[int(s.roll(t.Key, "clerk")*float64(len(s.finance)))]
	case t.Role == "finance_director":
		return "approval", s.director
	}
	return "", ""
}

// callOutcome is what the rep hears on the phone.
func (s *Staff) callOutcome(key string, today calendar.Date, at time.Time, inv *bookInvoice) map[string]any {
	if inv != nil {
		if p, ok := inv.nextPayment(at, today.AddDays(30), s.loc); ok && s.roll(key, "keeps") < 0.8 {
			v := map[string]any{"outcome": "promised", "promised_date": calendar.In(p.At, s.loc).String(),
				"notes": "Customer confirmed the transfer date."}
			if p.Minor < inv.balanceAt(at) {
				v["promised_amount"] = p.Amount + " " + inv.currency
				v["notes"] = "Customer will pay part now, the rest later."
			}
			return v
		}
	}
	switch r := s.roll(key, "outcome"); {
	case r < 0.45:
		return map[string]any{"outcome": "promised", "promised_date": today.AddDays(1 + int(s.roll(key, "date")*6)).String(),
			"notes": "Customer says the payment run is this week."}
	case r < 0.62:
		return map[string]any{"outcome": "refused", "notes": "Customer disputes the terms and will not pay now."}
	case r < 0.66:
		return map[string]any{"outcome": "disputed", "dispute_reason": "Part of the delivery arrived damaged."}
	default:
		return map[string]any{"outcome": "unreachable", "notes": "No answer; voicemail left."}
	}
}

// decision is the finance director's answer to an approval.
func (s *Staff) decision(key string, today calendar.Date, at time.Time, inv *bookInvoice) map[string]any {
	switch r := s.roll(key, "decision"); {
	case r < 0.45:
		return map[string]any{"decision": "continue", "comment": "Keep collecting; review again in two weeks."}
	case r < 0.70:
		return map[string]any{"decision": "payment_plan", "installments": 3 + int(s.roll(key, "n")*4),
			"first_installment_date": today.AddDays(14).String(), "comment": "Agreed instalments with the customer."}
	case r < 0.85 || inv == nil:
		return map[string]any{"decision": "legal_action", "comment": "No payment after reminders, calls and a formal letter."}
	default:
		return map[string]any{"decision": "write_off", "write_off_amount": money.New(inv.balanceAt(at), inv.currency).String(),
			"comment": "The customer is insolvent; the balance is written off."}
	}
}

// lag is the number of days after its creation a task is done, or never,
// drawn from chances (percentages).
func (s *Staff) lag(key string, chances []int) int {
	r := int(s.roll(key, "lag") * 100)
	for i, c := range chances {
		if r < c {
			return i
		}
		r -= c
	}
	return never
}

// roll is a number in [0, 1) fixed by the seed, the task and what is
// being decided.
func (s *Staff) roll(key, what string) float64 {
	h := fnv.New64a()
	var b [8]byte
	binary.LittleEndian.PutUint64(b[:], s.seed)
	h.Write(b[:])
	h.Write([]byte(key))
	h.Write([]byte{0})
	h.Write([]byte(what))
	return float64(h.Sum64()>>11) / math.Exp2(53)
}
