// Package demo writes realistic, deterministic demo data as the four CSV
// files recoup imports: users.csv, customers.csv, invoices.csv and
// payments.csv. The same seed and reference day always give the same files.
//
// History then plays the weeks before the reference day in a database: the
// payments arrive on their days, the tick runs every morning, and the
// demo's Staff complete their tasks as people would, so that every screen
// of the web app has content and the dashboard has history. `recoup demo`
// (make run, the browser tests) does both.
package demo

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/money"
)

// Options size the data set.
type Options struct {
	Customers int           // default 200
	Invoices  int           // default 1000
	Seed      uint64        // default 1
	Today     calendar.Date // due dates spread from Today−90 to Today+30; required
	// Zone is where paid_at times are written; default Asia/Shanghai.
	Zone *time.Location
	// NotAfter is the latest instant a payment may be dated: the present
	// when Today is today (a payment "today" at 15:00 generated at 10:00
	// would be a payment from the future, which the importer refuses).
	// Default: the end of Today.
	NotAfter time.Time
}

// Files are the names Generate writes, in import order.
var Files = []string{"users.csv", "customers.csv", "invoices.csv", "payments.csv"}

// User is a demo login (the password is set by the server in demo mode).
type User struct{ Email, Name, Role, Team string }

// Users returns the fixed demo staff: an admin, a finance director, two
// finance clerks and three teams of one manager and three reps.
func Users() []User {
	us := []User{
		{"admin@demo.recoup.test", "Ada Admin", "admin", ""},
		{"director@demo.recoup.test", "Dora Director", "finance_director", ""},
		{"finance1@demo.recoup.test", "Fang Finance", "finance", ""},
		{"finance2@demo.recoup.test", "Frank Finance", "finance", ""},
	}
	first := []string{"Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun"}
	i := 0
	for _, team := range []string{"east", "west", "south"} {
		us = append(us, User{"manager." + team + "@demo.recoup.test", first[i] + " Manager (" + team + ")", "sales_manager", team})
		i++
		for r := 1; r <= 3; r++ {
			us = append(us, User{fmt.Sprintf("rep%d.%s@demo.recoup.test", r, team), first[i] + " Rep", "sales_rep", team})
			i++
		}
	}
	return us
}

// Generate writes the four files into dir (created if missing).
func Generate(dir string, o Options) error {
	if o.Customers <= 0 {
		o.Customers = 200
	}
	if o.Invoices <= 0 {
		o.Invoices = 1000
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	if o.Today.IsZero() {
		return fmt.Errorf("demo: Today is required")
	}
	if o.Zone == nil {
		z, err := time.LoadLocation("Asia/Shanghai")
		if err != nil {
			return err
		}
		o.Zone = z
	}
	if o.NotAfter.IsZero() {
		o.NotAfter = o.Today.AddDays(1).Time(o.Zone).Add(-time.Second)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	g := &gen{o: o, rnd: rand.New(rand.NewPCG(o.Seed, o.Seed^0x9e3779b97f4a7c15))}
	for _, f := range []struct {
		name string
		fn   func(*csv.Writer) error
	}{{"users.csv", g.users}, {"customers.csv", g.customers}, {"invoices.csv", g.invoices}, {"payments.csv", g.payments}} {
		if err := writeCSV(filepath.Join(dir, f.name), f.fn); err != nil {
			return err
		}
	}
	return nil
}

func writeCSV(path string, fn func(*csv.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<16)
	w := csv.NewWriter(bw)
	if err := fn(w); err != nil {
		f.Close()
		return err
	}
	w.Flush()
	if err := w.Error(); err != nil {
		f.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

type customer struct {
	id, currency string
}

type invoice struct {
	number, currency string
	amount           int64
	issue, due       calendar.Date
}

type gen struct {
	o         Options
	rnd       *rand.Rand
	reps      []User
	customerL []customer
	invoiceL  []invoice
}

func (g *gen) pick(xs []string) string { return xs[g.rnd.IntN(len(xs))] }

func (g *gen) users(w *csv.Writer) error {
	w.Write([]string{"email", "name", "role", "team"})
	for _, u := range Users() {
		if u.Role == "sales_rep" {
			g.reps = append(g.reps, u)
		}
		w.Write([]string{u.Email, u.Name, u.Role, u.Team})
	}
	return nil
}

var (
	namesZH    = []string{"华兴", "东方", "长城", "金桥", "天元", "瑞丰", "新达", "恒通", "宏远", "锦程", "博雅", "海川"}
	suffixZH   = []string{"贸易有限公司", "科技有限公司", "制造有限公司", "物流有限公司", "食品有限公司"}
	namesEN    = []string{"Northwind", "Contoso", "Fabrikam", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Acme", "Tyrell", "Soylent", "Hooli"}
	suffixEN   = []string{"Trading Ltd", "Industries", "Logistics", "Foods Inc", "Systems"}
	industries = []string{"Retail", "Manufacturing", "Logistics", "Food", "Technology", "Construction", "Healthcare"}
	regions    = map[string]string{"east": "East", "west": "West", "south": "South"}
	ratings    = []string{"AAA", "AA", "A", "BBB", "BB", "B", "CCC"}
)

func (g *gen) customers(w *csv.Writer) error {
	w.Write([]string{"id", "name", "email", "phone", "finance_email", "owner", "region", "industry",
		"credit_limit", "credit_rating", "risk", "locale", "timezone"})
	for i := 1; i <= g.o.Customers; i++ {
		id := fmt.Sprintf("C%05d", i)
		owner := g.reps[g.rnd.IntN(len(g.reps))]
		var name, locale, tz, currency string
		if g.rnd.IntN(10) < 7 {
			name, locale, tz, currency = g.pick(namesZH)+g.pick(suffixZH), "zh-CN", "Asia/Shanghai", "CNY"
		} else {
			name, locale, currency = g.pick(namesEN)+" "+g.pick(suffixEN), "en", "USD"
			tz = g.pick([]string{"America/New_York", "Europe/London", "Asia/Singapore", "America/Los_Angeles"})
		}
		name = fmt.Sprintf("%s %d", name, i)
		domain := fmt.Sprintf("c%05d.example.com", i)
		finance := ""
		if g.rnd.IntN(10) < 7 {
			finance = "finance@" + domain
		}
		phone := fmt.Sprintf("+86 1%02d %04d %04d", 30+g.rnd.IntN(60), g.rnd.IntN(10000), g.rnd.IntN(10000))
		risk := "low"
		switch r := g.rnd.IntN(10); {
		case r >= 9:
			risk = "high"
		case r >= 6:
			risk = "medium"
		}
		limit := int64(10_000+g.rnd.IntN(50)*10_000) * 100
		g.customerL = append(g.customerL, customer{id: id, currency: currency})
		w.Write([]string{id, name, "ap@" + domain, phone, finance, owner.Email, regions[owner.Team], g.pick(industries),
			money.FormatMinor(limit, currency) + " " + currency, g.pick(ratings), risk, locale, tz})
	}
	return nil
}

func (g *gen) invoices(w *csv.Writer) error {
	w.Write([]string{"number", "customer_id", "currency", "amount", "issue_date", "due_date", "owner", "po_number"})
	for i := 1; i <= g.o.Invoices; i++ {
		c := g.customerL[g.rnd.IntN(len(g.customerL))]
		due := g.o.Today.AddDays(-90 + g.rnd.IntN(121))
		terms := []int{15, 30, 45, 60}[g.rnd.IntN(4)]
		// Log-normal amounts: most invoices are a few thousand, a few are large.
		amount := int64(math.Exp(8+1.2*g.rnd.NormFloat64())*100) + 100
		amount = min(amount, 500_000_00)
		inv := invoice{number: fmt.Sprintf("INV-%07d", i), currency: c.currency, amount: amount, issue: due.AddDays(-terms), due: due}
		g.invoiceL = append(g.invoiceL, inv)
		po := ""
		if g.rnd.IntN(3) == 0 {
			po = fmt.Sprintf("PO-%06d", g.rnd.IntN(1_000_000))
		}
		w.Write([]string{inv.number, c.id, c.currency, money.FormatMinor(amount, c.currency), inv.issue.String(), due.String(), "", po})
	}
	return nil
}

func (g *gen) payments(w *csv.Writer) error {
	w.Write([]string{"invoice_number", "amount", "paid_at", "reference"})
	n := 0
	emit := func(inv invoice, amount int64, day calendar.Date) {
		if day.After(g.o.Today) {
			day = g.o.Today
		}
		if day.Before(inv.issue) {
			day = inv.issue
		}
		n++
		at := day.Time(g.o.Zone).Add(time.Duration(9+g.rnd.IntN(9))*time.Hour + time.Duration(g.rnd.IntN(60))*time.Minute)
		if at.After(g.o.NotAfter) {
			// Earlier on the same day, or not yet paid at all when the
			// invoice was issued only now.
			at = g.o.NotAfter.Add(-time.Duration(1+at.Minute()) * time.Minute).Truncate(time.Second)
			if calendar.In(at, g.o.Zone).Before(inv.issue) {
				n--
				return
			}
		}
		w.Write([]string{inv.number, money.FormatMinor(amount, inv.currency), at.Format(time.RFC3339), "PAY-" + strconv.Itoa(1_000_000+n)})
	}
	for _, inv := range g.invoiceL {
		overdue := g.o.Today.DaysSince(inv.due)
		r := g.rnd.IntN(100)
		switch {
		case overdue < 0 && r < 10: // paid early
			emit(inv, inv.amount, inv.due.AddDays(-g.rnd.IntN(10)))
		case overdue >= 0 && r < 45: // paid in full, on time or late
			emit(inv, inv.amount, inv.due.AddDays(g.rnd.IntN(min(overdue, 20)+1)-3))
		case overdue >= 0 && r < 60: // partial payments, balance still open
			part := inv.amount * int64(20+g.rnd.IntN(50)) / 100
			if part > 0 {
				emit(inv, part, inv.due.AddDays(g.rnd.IntN(overdue+1)))
			}
			if second := part / 2; second > 0 && g.rnd.IntN(2) == 0 {
				emit(inv, second, inv.due.AddDays(g.rnd.IntN(overdue+1)))
			}
		}
	}
	return nil
}
