package cli

import (
	"bytes"
	"context"
	"errors"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/demo"
	"github.com/recoup/recoup/store"
	"github.com/recoup/recoup/store/storetest"
)

type demoBundle struct {
	cfg   Config
	setup demoSetup
	out   *bytes.Buffer
	today calendar.Date
	now   time.Time // mid-morning of today, after its tick
	loc   *time.Location
}

func demoTestSetup(t *testing.T) *demoBundle {
	t.Helper()
	dir := t.TempDir()
	loc, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	today := calendar.MustParse("2026-12-07")
	b := &demoBundle{
		cfg: Config{DB: "sqlite:" + filepath.Join(dir, "demo.db"), CompanyName: "Demo Trading Co.", TimeZone: "Asia/Shanghai",
			Currency: "CNY"}.WithDefaults(),
		setup: demoSetup{Out: filepath.Join(dir, "demo"), Rules: "../rules-examples", Today: today.String(),
			Gen: demo.Options{Customers: 300, Invoices: 3000, Seed: 42}, Days: demo.DefaultDays},
		out:   &bytes.Buffer{},
		today: today,
		now:   time.Date(2026, 12, 7, 10, 30, 0, 0, loc),
		loc:   loc,
	}
	return b
}

func (b *demoBundle) run(t *testing.T) string {
	t.Helper()
	b.out.Reset()
	var errOut bytes.Buffer
	if err := setUpDemo(context.Background(), b.cfg, b.setup, b.now, b.out, &errOut); err != nil {
		t.Fatalf("demo: %v\n%s%s", err, b.out, &errOut)
	}
	return b.out.String()
}

// TestDemoSetup: `recoup demo` (make run's set-up) gives every screen content —
// each rep has tasks due today and overdue, the director open approvals,
// the dashboard recovery per stage and promises kept, broken and pending —
// and a second run changes nothing.
func TestDemoSetup(t *testing.T) {
	// Not parallel: it is the package's heaviest test, and the crash
	// tests' kills need the machine to themselves.
	b := demoTestSetup(t)
	first := b.run(t)
	t.Log(first)
	ctx := context.Background()
	s, _, err := openExisting(ctx, b.cfg)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	tasks, err := s.Tasks(ctx, store.TaskFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	startOfDay := b.today.Time(b.loc)
	endOfDay := b.today.AddDays(1).Time(b.loc)
	type counts struct{ open, dueToday, overdue, overdueBeforeToday int }
	per := map[string]*counts{}
	approvals := 0
	for _, u := range demo.Users() {
		per[u.Email] = &counts{}
	}
	for _, tk := range tasks {
		if tk.Status != "open" {
			continue
		}
		if tk.Kind == "approval" {
			approvals++
			continue
		}
		c := per[tk.Assignee]
		if c == nil {
			continue
		}
		c.open++
		if !tk.DueAt.Before(startOfDay) && tk.DueAt.Before(endOfDay) {
			c.dueToday++
		}
		if tk.DueAt.Before(b.now) {
			c.overdue++
		}
		if tk.DueAt.Before(startOfDay) {
			c.overdueBeforeToday++
		}
	}
	// Every rep has late work and not too much of it; most have something
	// due today too (a rep whose due-soon invoices were all paid has its
	// todos closed: a rule's task closes when its invoice is paid).
	reps, repsDueToday := 0, 0
	for _, u := range demo.Users() {
		c := per[u.Email]
		t.Logf("%-30s open %3d, due today %2d, overdue %2d (%d from before today)", u.Email, c.open, c.dueToday, c.overdue, c.overdueBeforeToday)
		if u.Role != "sales_rep" {
			continue
		}
		reps++
		if c.dueToday > 0 {
			repsDueToday++
		}
		if c.dueToday+c.overdueBeforeToday < 1 || c.overdue > 30 {
			t.Errorf("%s: %d due today, %d overdue from before today, %d overdue: want work due today or from before, and a few overdue", u.Email, c.dueToday, c.overdueBeforeToday, c.overdue)
		}
	}
	if repsDueToday*3 < reps*2 {
		t.Errorf("%d of %d reps have something due today, want most", repsDueToday, reps)
	}
	t.Logf("open approvals: %d", approvals)
	if approvals < 1 || approvals > 150 {
		t.Errorf("open approvals: %d, want some", approvals)
	}

	d, err := s.Dashboard(ctx, store.Viewer{Role: store.RoleFinanceDirector}, store.DashboardFilter{}, b.today, b.now)
	if err != nil {
		t.Fatal(err)
	}
	var kept, broken, pending int
	for _, p := range d.Promises {
		kept, broken, pending = kept+p.Kept, broken+p.Broken, pending+p.Pending
	}
	t.Logf("promises: %d kept, %d broken, %d pending", kept, broken, pending)
	if kept == 0 || broken == 0 || pending == 0 {
		t.Errorf("promises: %d kept, %d broken, %d pending: want each", kept, broken, pending)
	}
	stages := map[string]int64{}
	for _, r := range d.RecoveryByStage {
		stages[r.Node] += r.RecoveredMinor
	}
	t.Logf("recovered by stage: %v; tasks open %d, overdue %d", stages, d.TasksOpen, d.TasksOverdue)
	for _, node := range []string{"reminder", "call", "review", "decision"} {
		if stages[node] <= 0 {
			t.Errorf("recovery of stage %s: %d, want > 0", node, stages[node])
		}
	}
	// The customers of payment plans pay by their installments: most plans
	// run or are completed, a few are late, a few broke.
	var onTrack, late, broke, completed int
	for _, p := range d.Plans {
		onTrack, late, broke, completed = onTrack+p.OnTrack, late+p.Late, broke+p.Broken, completed+p.Completed
	}
	t.Logf("payment plans: %d on track, %d late, %d broken, %d completed; expected from plans %+v", onTrack, late, broke, completed, d.PlannedNext)
	if broke == 0 || late == 0 || onTrack+completed < 4*broke {
		t.Errorf("payment plans: %d on track, %d late, %d broken, %d completed: want most on track or completed, a few late and a few broken",
			onTrack, late, broke, completed)
	}
	if len(d.RecoveryByOwner) == 0 || len(d.RecoveryByTeam) == 0 {
		t.Errorf("recovery by owner: %d rows, by team: %d rows, want some", len(d.RecoveryByOwner), len(d.RecoveryByTeam))
	}

	// Again: the files come out the same, nothing is imported or
	// published anew, no day is played twice.
	second := b.run(t)
	for _, want := range []string{
		"(users): 0 inserted, 0 updated, 16 unchanged",
		"(customers): 0 inserted, 0 updated, 300 unchanged",
		"(invoices): 0 inserted, 0 updated, 3000 unchanged",
		"(payments): 0 inserted, 0 updated,",
		"0 published (0 new versions, 0 drafts published), 27 unchanged",
		"history 2026-09-14 to 2026-12-07: already played",
	} {
		if !strings.Contains(second, want) {
			t.Errorf("second run: no %q in\n%s", want, second)
		}
	}
	if regexp.MustCompile(`\n(created|published) `).MatchString(second) {
		t.Errorf("second run published definitions:\n%s", second)
	}
	again, err := s.Tasks(ctx, store.TaskFilter{Limit: 1 << 30})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(tasks, again) {
		t.Errorf("second run changed the tasks: %d before, %d after", len(tasks), len(again))
	}
}

// TestDemoRefusesTickedDatabase: a database ticked without the demo's
// history (an earlier make run's) is refused before anything is imported:
// days played after its tick would meet tasks from their future.
func TestDemoRefusesTickedDatabase(t *testing.T) {
	t.Parallel()
	storetest.EachURL(t, func(t *testing.T, url string) {
		ctx := context.Background()
		if _, _, err := run(t, ctx, "migrate", "--db", url); err != nil {
			t.Fatal(err)
		}
		if _, _, err := run(t, ctx, "tick", "--db", url); err != nil {
			t.Fatal(err)
		}
		out, _, err := run(t, ctx, "demo", "--db", url, "--out", t.TempDir(), "--rules", "../rules-examples")
		if !errors.Is(err, demo.ErrTicked) || out != "" {
			t.Errorf("demo on a ticked database: %v, output %q; want %v and nothing done", err, out, demo.ErrTicked)
		}
	})
}
