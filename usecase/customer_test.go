package usecase_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
	"github.com/recoup/recoup/usecase"
)

var shanghai, _ = time.LoadLocation("Asia/Shanghai")

type customerBundle struct {
	svc                 *usecase.Service
	s                   *store.Store
	rep, other, finance usecase.Actor
	mine, theirs        string // customers of rep and of another rep
	now                 time.Time
}

func setupCustomers(t *testing.T, s *store.Store) customerBundle {
	t.Helper()
	ctx := context.Background()
	storetest.SeedDemo(t, s, demo.Options{Customers: 20, Invoices: 60, Seed: 5, Today: calendar.MustParse("2026-11-01"), Zone: shanghai},
		engine.Company{Name: "T", TimeZone: "Asia/Shanghai", Currency: "CNY", TickTime: "09:00"})
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, shanghai)
	b := customerBundle{s: s, now: now, svc: usecase.New(s, func() time.Time { return now }, slog.New(slog.NewTextHandler(io.Discard, nil)))}
	user := func(email string) usecase.Actor {
		u, err := s.UserByEmail(ctx, email)
		if err != nil {
			t.Fatal(err)
		}
		return usecase.Actor{User: u, Via: usecase.ViaSession}
	}
	b.rep, b.other, b.finance = user("rep1.east@demo.recoup.test"), user("rep2.south@demo.recoup.test"), user("finance1@demo.recoup.test")
	for _, c := range []struct {
		by  usecase.Actor
		out *string
	}{{b.rep, &b.mine}, {b.other, &b.theirs}} {
		page, err := s.Customers(ctx, c.by.Viewer(), store.CustomerFilter{Today: calendar.MustParse("2026-11-02"), Limit: 1})
		if err != nil || len(page.Items) == 0 {
			t.Fatalf("no customer of %s: %v", c.by.User.Email, err)
		}
		*c.out = page.Items[0].ID
	}
	return b
}

// compact is JSON as SQLite keeps it (PostgreSQL's jsonb adds spaces).
func compact(raw []byte) string {
	return strings.ReplaceAll(strings.ReplaceAll(string(raw), ": ", ":"), ", ", ",")
}

func ptr[T any](v T) *T { return &v }

// audits returns the audit entries of action, newest first.
func audits(t *testing.T, s *store.Store, action string) []store.AuditEntry {
	t.Helper()
	page, err := s.Audit(context.Background(), store.AuditFilter{Action: action, Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	return page.Items
}

func TestEditCustomerContacts(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := setupCustomers(t, s)
		for _, tc := range []struct {
			name string
			by   usecase.Actor
			id   string
			edit usecase.ContactsEdit
			want string // the error, "" for none
		}{
			{"every bad field at once", b.rep, b.mine, usecase.ContactsEdit{Email: ptr("not-an-email"), Phone: ptr("call me"), FinanceEmail: ptr("a@b@c"), Locale: ptr("fr")},
				`invalid submission: email: "not-an-email" is not an email address; finance_email: "a@b@c" is not an email address; phone: "call me" is not a phone number: digits, spaces and + - ( ) . only, at least 5 digits; locale: "fr" is not a language recoup writes in: want one of en, zh-CN`},
			{"nothing to change", b.rep, b.mine, usecase.ContactsEdit{}, "invalid submission: email: nothing to change: give email, phone, finance_email or locale"},
			{"another rep's customer", b.rep, b.theirs, usecase.ContactsEdit{Locale: ptr("en")}, "hidden"},
			{"own customer", b.rep, b.mine, usecase.ContactsEdit{Email: ptr(" ap@new.example.com "), Phone: ptr("+86 21 5555 0101"), FinanceEmail: ptr(""), Locale: ptr("zh-CN")}, ""},
		} {
			before, _ := s.CustomerContactsOf(ctx, store.Viewer{Role: store.RoleAdmin}, tc.id)
			got, err := b.svc.EditCustomerContacts(ctx, tc.by, tc.id, tc.edit)
			after, _ := s.CustomerContactsOf(ctx, store.Viewer{Role: store.RoleAdmin}, tc.id)
			switch {
			case tc.want == "hidden":
				if !errors.Is(err, store.ErrHidden) {
					t.Errorf("%s: %v, want hidden", tc.name, err)
				}
			case tc.want != "":
				var fe engine.FormErrors
				if !errors.As(err, &fe) || err.Error() != tc.want {
					t.Errorf("%s:\n got %v\nwant %s", tc.name, err, tc.want)
				}
			case err != nil:
				t.Errorf("%s: %v", tc.name, err)
			default:
				if got.Email != "ap@new.example.com" || got.Phone != "+86 21 5555 0101" || got.FinanceEmail != "" || got.Locale != "zh-CN" || got != after {
					t.Errorf("%s: answered %+v, stored %+v", tc.name, got, after)
				}
				a := audits(t, s, store.ActionCustomerContacts)
				if len(a) != 1 || a[0].Actor != b.rep.User.Email || string(a[0].After) == "" || string(a[0].Before) == "" {
					t.Errorf("%s: audit %+v", tc.name, a)
				}
			}
			if tc.want != "" && before != after {
				t.Errorf("%s: refused, yet written: %+v -> %+v", tc.name, before, after)
			}
		}
	})
}

func TestDoNotContactAndRisk(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := setupCustomers(t, s)
		if _, err := b.svc.SetDoNotContact(ctx, b.rep, b.mine, true, " "); err == nil || err.Error() != "invalid submission: reason: is required, at most 500 characters" {
			t.Errorf("no reason: %v", err)
		}
		c, err := b.svc.SetDoNotContact(ctx, b.rep, b.mine, true, "replied STOP")
		if err != nil || !c.DoNotContact {
			t.Fatalf("on: %+v %v", c, err)
		}
		if c, err = b.svc.SetDoNotContact(ctx, b.rep, b.mine, false, "asked to hear from us again"); err != nil || c.DoNotContact {
			t.Fatalf("off: %+v %v", c, err)
		}
		if a := audits(t, s, store.ActionCustomerDoNotContact); len(a) != 2 || compact(a[0].After) != `{"do_not_contact":false}` {
			t.Errorf("audit: %+v", a)
		}

		if _, err := b.svc.SetRiskTier(ctx, b.rep, b.mine, "low", "paid everything"); !errors.Is(err, usecase.ErrForbidden) {
			t.Errorf("a rep lowering a tier: %v, want forbidden", err)
		}
		if _, err := b.svc.SetRiskTier(ctx, b.finance, b.mine, "none", ""); err == nil ||
			err.Error() != `invalid submission: reason: is required, at most 500 characters; risk: "none" is not a risk tier: want low, medium or high` {
			t.Errorf("bad tier: %v", err)
		}
		for _, tier := range []string{"high", "low"} {
			c, err := b.svc.SetRiskTier(ctx, b.finance, b.mine, tier, "reviewed with the director")
			if err != nil || c.Risk != tier {
				t.Fatalf("to %s: %+v %v", tier, c, err)
			}
		}
		a := audits(t, s, store.ActionCustomerRisk)
		if len(a) != 2 || compact(a[0].Before) != `{"risk":"high"}` || compact(a[0].After) != `{"risk":"low"}` {
			t.Errorf("audit: %+v", a)
		}
	})
}

func TestCreateTask(t *testing.T) {
	t.Parallel()
	storetest.Each(t, func(t *testing.T, s *store.Store) {
		ctx := context.Background()
		b := setupCustomers(t, s)
		due := b.now.Add(48 * time.Hour)
		for _, tc := range []struct {
			name string
			by   usecase.Actor
			task usecase.NewTask
			want string
		}{
			{"every bad field at once", b.finance, usecase.NewTask{Invoice: "X", Customer: "Y", Role: "boss", Priority: "now", DueAt: b.now.Add(-time.Hour)},
				`invalid submission: invoice: give an invoice or a customer, one of them; title: is required, at most 200 characters; role: "boss" is not a role; priority: "now" is not a priority: want low, normal, high or urgent; due_at: is required and must not be in the past`},
			{"a rep for someone else", b.rep, usecase.NewTask{Customer: b.mine, Title: "Visit", Role: store.RoleFinance, DueAt: due},
				"invalid submission: assignee: a sales rep creates tasks for itself only"},
			{"an unknown user", b.finance, usecase.NewTask{Customer: b.mine, Title: "Visit", Assignee: "nobody@x.test", DueAt: due}, "assignable"},
			{"a rep on another's customer", b.rep, usecase.NewTask{Customer: b.theirs, Title: "Visit", Assignee: b.rep.User.Email, DueAt: due}, "hidden"},
			{"a rep for itself", b.rep, usecase.NewTask{Customer: b.mine, Title: "Visit the customer", Assignee: b.rep.User.Email, DueAt: due}, ""},
			{"finance for a role", b.finance, usecase.NewTask{Customer: b.theirs, Title: "Check the credit limit", Role: store.RoleSalesManager, Priority: "high", DueAt: due}, ""},
		} {
			got, err := b.svc.CreateTask(ctx, tc.by, tc.task)
			switch tc.want {
			case "":
				if err != nil || got.ID == 0 {
					t.Errorf("%s: %+v %v", tc.name, got, err)
					continue
				}
				d, err := s.VisibleTask(ctx, store.Viewer{Role: store.RoleAdmin}, got.ID, b.now)
				if err != nil || d.Title != tc.task.Title || d.Status != "open" || !d.DueAt.Equal(due) {
					t.Errorf("%s: stored %+v %v", tc.name, d, err)
				}
			case "hidden":
				if !errors.Is(err, store.ErrHidden) {
					t.Errorf("%s: %v, want hidden", tc.name, err)
				}
			case "assignable":
				if !errors.Is(err, store.ErrNotAssignable) {
					t.Errorf("%s: %v, want not assignable", tc.name, err)
				}
			default:
				if err == nil || err.Error() != tc.want {
					t.Errorf("%s:\n got %v\nwant %s", tc.name, err, tc.want)
				}
			}
		}
		if a := audits(t, s, store.ActionTaskCreated); len(a) != 2 || a[0].Actor != b.finance.User.Email {
			t.Errorf("audit: %+v", a)
		}
	})
}
