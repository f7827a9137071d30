package delivery_test

import (
	"strings"
	"testing"
	"time"

	"github.com/recoup/recoup/delivery"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestNextSendable: quiet hours and business days in the recipient's zone,
// across DST changes and half-hour offsets.
func TestNextSendable(t *testing.T) {
	t.Parallel()
	utc := func(s string) time.Time {
		v, err := time.Parse("2006-01-02 15:04", s)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	everyDay := []string{"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
	for _, tc := range []struct {
		name   string
		policy delivery.Policy
		zone   string
		at     string // UTC
		want   string // UTC
		why    string
	}{
		{name: "Shanghai business hours", zone: "Asia/Shanghai", at: "2026-03-16 02:00", want: "2026-03-16 02:00"},
		{name: "Shanghai 23:00 waits for 08:00", zone: "Asia/Shanghai", at: "2026-03-16 15:00", want: "2026-03-17 00:00", why: "quiet hours 21:00–08:00"},
		{name: "Shanghai 06:30 waits for 08:00", zone: "Asia/Shanghai", at: "2026-03-16 22:30", want: "2026-03-17 00:00", why: "quiet hours"},
		{name: "Shanghai exactly 21:00 is quiet", zone: "Asia/Shanghai", at: "2026-03-16 13:00", want: "2026-03-17 00:00", why: "quiet hours"},
		{name: "Shanghai exactly 08:00 is open", zone: "Asia/Shanghai", at: "2026-03-17 00:00", want: "2026-03-17 00:00"},
		{name: "Shanghai Friday night waits for Monday", zone: "Asia/Shanghai", at: "2026-03-20 14:00", want: "2026-03-23 00:00", why: "quiet hours"},
		{name: "Shanghai Saturday noon", zone: "Asia/Shanghai", at: "2026-03-21 04:00", want: "2026-03-23 00:00", why: "Sat 2026-03-21 is not a business day"},
		{name: "same instant, Los Angeles morning", zone: "America/Los_Angeles", at: "2026-03-16 13:00", want: "2026-03-16 15:00", why: "quiet hours"},
		{name: "New York weekend across spring-forward: Monday 08:00 EDT", zone: "America/New_York", at: "2026-03-07 15:00", want: "2026-03-09 12:00", why: "not a business day"},
		{name: "New York Friday night across fall-back: Monday 08:00 EST", zone: "America/New_York", at: "2026-10-31 02:00", want: "2026-11-02 13:00", why: "quiet hours"},
		{name: "London night of the spring-forward", policy: delivery.Policy{BusinessDays: everyDay}, zone: "Europe/London", at: "2026-03-29 00:30", want: "2026-03-29 07:00", why: "quiet hours"},
		{name: "London night of the fall-back", policy: delivery.Policy{BusinessDays: everyDay}, zone: "Europe/London", at: "2026-10-25 01:30", want: "2026-10-25 08:00", why: "quiet hours"},
		{name: "Kolkata half-hour offset", zone: "Asia/Kolkata", at: "2026-03-16 02:00", want: "2026-03-16 02:30", why: "quiet hours"},
		{name: "quiet hours not spanning midnight", policy: delivery.Policy{QuietStart: "00:00", QuietEnd: "07:00"}, zone: "UTC", at: "2026-03-21 12:00", want: "2026-03-23 07:00", why: "not a business day"},
		{name: "holidays", policy: delivery.Policy{Holidays: []string{"2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06", "2026-10-07"}}, zone: "Asia/Shanghai", at: "2026-10-01 02:00", want: "2026-10-08 00:00", why: "Thu 2026-10-01 is not a business day"},
		{name: "no quiet hours", policy: delivery.Policy{QuietStart: "00:00", QuietEnd: "00:00", BusinessDays: everyDay}, zone: "Asia/Tokyo", at: "2026-03-21 18:00", want: "2026-03-21 18:00"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := tc.policy.WithDefaults()
			if err := p.Validate(); err != nil {
				t.Fatal(err)
			}
			got, why := p.NextSendable(utc(tc.at), zone(t, tc.zone))
			if !got.Equal(utc(tc.want)) {
				t.Errorf("NextSendable(%s UTC in %s) = %s UTC, want %s UTC", tc.at, tc.zone, got.UTC().Format("2006-01-02 15:04"), tc.want)
			}
			if tc.why == "" && why != "" || !strings.Contains(why, tc.why) {
				t.Errorf("reason %q, want one containing %q", why, tc.why)
			}
		})
	}
}

// TestFrequencyCap: when a customer may be contacted again.
func TestFrequencyCap(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 8, 12, 0, 0, 0, time.UTC)
	h := time.Hour
	for _, tc := range []struct {
		name     string
		count    int
		window   time.Duration
		contacts []time.Duration // before now
		want     time.Duration   // after now; 0 = free now
	}{
		{name: "never contacted", count: 1, window: 72 * h},
		{name: "one a day ago", count: 1, window: 72 * h, contacts: []time.Duration{24 * h}, want: 48 * h},
		{name: "one outside the window", count: 1, window: 72 * h, contacts: []time.Duration{80 * h}},
		{name: "exactly at the window edge", count: 1, window: 72 * h, contacts: []time.Duration{72 * h}},
		{name: "the newest decides", count: 1, window: 72 * h, contacts: []time.Duration{60 * h, 10 * h}, want: 62 * h},
		{name: "two per week, one used", count: 2, window: 168 * h, contacts: []time.Duration{24 * h}},
		{name: "two per week, both used", count: 2, window: 168 * h, contacts: []time.Duration{24 * h, 72 * h}, want: 96 * h},
		{name: "two per week, order does not matter", count: 2, window: 168 * h, contacts: []time.Duration{72 * h, 100 * h, 24 * h}, want: 96 * h},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := delivery.Policy{CapCount: tc.count, CapWindow: delivery.Duration(tc.window), MaxDelay: delivery.Duration(tc.window)}.WithDefaults()
			var cs []time.Time
			for _, c := range tc.contacts {
				cs = append(cs, now.Add(-c))
			}
			got := delivery.CapFreeAt(&p, cs, now)
			if tc.want == 0 {
				if !got.IsZero() {
					t.Errorf("capped until %s, want free now", got)
				}
				return
			}
			if !got.Equal(now.Add(tc.want)) {
				t.Errorf("free at %s, want %s", got, now.Add(tc.want))
			}
		})
	}
}

func TestPolicyValidate(t *testing.T) {
	t.Parallel()
	p := delivery.Policy{QuietStart: "25:00", QuietEnd: "08:00", BusinessDays: []string{"monday"}, Holidays: []string{"10/01"},
		CapWindow: delivery.Duration(10 * 24 * time.Hour)}.WithDefaults()
	err := p.Validate()
	want := []string{
		`policy: quiet_start: "25:00": want HH:MM`,
		`policy: business day "monday": want mon, tue, wed, thu, fri, sat or sun`,
		`policy: no business day`,
		`policy: holiday "10/01": want YYYY-MM-DD`,
		`policy: max_delay 168h0m0s is shorter than cap_window 240h0m0s: capped messages would all expire`,
	}
	if err == nil || err.Error() != strings.Join(want, "\n") {
		t.Errorf("Validate() =\n%v\nwant\n%s", err, strings.Join(want, "\n"))
	}
}
