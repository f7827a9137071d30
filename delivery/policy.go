package delivery

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Duration is a time.Duration written "90s", "72h" or "3d" in config.
type Duration time.Duration

// ParseDuration accepts Go durations plus a whole-day suffix "d".
func ParseDuration(s string) (Duration, error) {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		var days int
		if _, err := fmt.Sscanf(n, "%d", &days); err == nil && fmt.Sprint(days) == n && days >= 0 {
			return Duration(time.Duration(days) * 24 * time.Hour), nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("duration %q: want e.g. 90s, 30m, 72h or 3d", s)
	}
	return Duration(d), nil
}

// UnmarshalYAML implements yaml.Unmarshaler.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %w", n.Line, err)
	}
	*d = v
	return nil
}

func (d Duration) String() string { return time.Duration(d).String() }

// Policy is the company's contact policy: when and how often customers may
// be contacted. The zero value of each field means its default.
type Policy struct {
	// QuietStart and QuietEnd bound the quiet hours ("HH:MM", local time
	// of the recipient) during which no email or SMS goes out; the window
	// may span midnight. Defaults 21:00 and 08:00. Equal values disable.
	QuietStart string `yaml:"quiet_start"`
	QuietEnd   string `yaml:"quiet_end"`
	// BusinessDays are the weekdays messages go out ("mon" … "sun").
	// Default mon–fri.
	BusinessDays []string `yaml:"business_days"`
	// Holidays are dates (YYYY-MM-DD, in the recipient's zone) treated as
	// non-business days.
	Holidays []string `yaml:"holidays"`
	// CapCount customer-facing messages, across all channels, per
	// CapWindow. Defaults 1 per 72h. Later messages wait, and merge into a
	// digest with whatever else is waiting when the window opens.
	CapCount  int      `yaml:"cap_count"`
	CapWindow Duration `yaml:"cap_window"`
	// MaxDelay is how long a customer-facing message may wait (for the
	// cap, quiet hours, a retry) before it is suppressed as stale.
	// Default 7d.
	MaxDelay Duration `yaml:"max_delay"`
	// NoDigest sends due messages one by one instead of merging several
	// for one customer into a single digest.
	NoDigest bool `yaml:"no_digest"`
	// NoFallback disables rerouting email without an address to SMS, and
	// SMS without a phone number to a task for the account owner.
	NoFallback bool `yaml:"no_fallback"`
	// LetterTemplates are the templates whose email carries the formal
	// letter as a PDF attachment. Default [formal-letter].
	LetterTemplates []string `yaml:"letter_templates"`
	// Footer is appended to every customer-facing email, per locale ("en",
	// "zh-CN"); {company} is replaced by the company name. Defaults say
	// why the customer receives it and how to opt out.
	Footer map[string]string `yaml:"footer"`
	// SMSFooter is appended to customer-facing SMS, per locale. Defaults
	// "Reply STOP to opt out." / "回复TD退订".
	SMSFooter map[string]string `yaml:"sms_footer"`
	// Unsubscribe is the List-Unsubscribe URI of customer-facing email
	// (mailto:… or https://…). Default: mailto: the reply-to address.
	Unsubscribe string `yaml:"unsubscribe"`

	quietStart, quietEnd int // minutes after midnight
	days                 [7]bool
	holidays             map[string]bool
}

var weekdays = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday, "thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

// WithDefaults fills unset fields and compiles the policy.
func (p Policy) WithDefaults() Policy {
	if p.QuietStart == "" && p.QuietEnd == "" {
		p.QuietStart, p.QuietEnd = "21:00", "08:00"
	}
	if len(p.BusinessDays) == 0 {
		p.BusinessDays = []string{"mon", "tue", "wed", "thu", "fri"}
	}
	if p.CapCount == 0 {
		p.CapCount = 1
	}
	if p.CapWindow == 0 {
		p.CapWindow = Duration(72 * time.Hour)
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = Duration(7 * 24 * time.Hour)
	}
	if p.LetterTemplates == nil {
		p.LetterTemplates = []string{"formal-letter"}
	}
	if p.Footer == nil {
		p.Footer = map[string]string{
			"en":    "You receive this message because you have an open account with {company}. If you no longer wish to receive payment reminders by email, reply with \"unsubscribe\" and we will contact you by other means.",
			"zh-CN": "您收到此邮件是因为您在{company}有未结账款。如不希望再通过邮件接收付款提醒，请回复“退订”，我们将改用其他方式与您联系。",
		}
	}
	if p.SMSFooter == nil {
		p.SMSFooter = map[string]string{"en": "Reply STOP to opt out.", "zh-CN": "回复TD退订"}
	}
	p.quietStart, _ = parseClock(p.QuietStart)
	p.quietEnd, _ = parseClock(p.QuietEnd)
	p.days = [7]bool{}
	for _, d := range p.BusinessDays {
		if wd, ok := weekdays[strings.ToLower(d)]; ok {
			p.days[wd] = true
		}
	}
	p.holidays = map[string]bool{}
	for _, h := range p.Holidays {
		p.holidays[h] = true
	}
	return p
}

// Validate reports every invalid field at once.
func (p Policy) Validate() error {
	var errs []error
	for _, c := range []struct{ name, v string }{{"quiet_start", p.QuietStart}, {"quiet_end", p.QuietEnd}} {
		if _, err := parseClock(c.v); err != nil {
			errs = append(errs, fmt.Errorf("policy: %s: %w", c.name, err))
		}
	}
	business := 0
	for _, d := range p.BusinessDays {
		if _, ok := weekdays[strings.ToLower(d)]; !ok {
			errs = append(errs, fmt.Errorf("policy: business day %q: want mon, tue, wed, thu, fri, sat or sun", d))
		} else {
			business++
		}
	}
	if business == 0 {
		errs = append(errs, errors.New("policy: no business day"))
	}
	for _, h := range p.Holidays {
		if _, err := time.Parse(time.DateOnly, h); err != nil {
			errs = append(errs, fmt.Errorf("policy: holiday %q: want YYYY-MM-DD", h))
		}
	}
	if p.CapCount < 0 {
		errs = append(errs, fmt.Errorf("policy: cap_count %d: want at least 1", p.CapCount))
	}
	if p.MaxDelay < p.CapWindow {
		errs = append(errs, fmt.Errorf("policy: max_delay %s is shorter than cap_window %s: capped messages would all expire", p.MaxDelay, p.CapWindow))
	}
	return errors.Join(errs...)
}

func parseClock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("%q: want HH:MM", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (p *Policy) quiet(minute int) bool {
	s, e := p.quietStart, p.quietEnd
	switch {
	case s == e:
		return false
	case s < e:
		return minute >= s && minute < e
	}
	return minute >= s || minute < e
}

func (p *Policy) businessDay(t time.Time) bool {
	return p.days[t.Weekday()] && !p.holidays[t.Format(time.DateOnly)]
}

// NextSendable returns the earliest instant at or after t at which a
// message may reach a recipient in loc: outside quiet hours, on a business
// day. When that is later than t, reason says why. Local times are
// computed in loc, so a DST change moves the instant, not the wall clock.
func (p *Policy) NextSendable(t time.Time, loc *time.Location) (time.Time, string) {
	lt := t.In(loc)
	at := lt
	for range 400 { // a year of holidays at most
		minute := at.Hour()*60 + at.Minute()
		if p.businessDay(at) && !p.quiet(minute) {
			break
		}
		y, m, d := at.Date()
		switch {
		case !p.businessDay(at):
			at = p.dayStart(y, m, d+1, loc)
		case p.quietStart > p.quietEnd && minute >= p.quietStart:
			at = time.Date(y, m, d+1, p.quietEnd/60, p.quietEnd%60, 0, 0, loc)
		default:
			at = time.Date(y, m, d, p.quietEnd/60, p.quietEnd%60, 0, 0, loc)
		}
	}
	if !at.After(lt) {
		return t, ""
	}
	var why string
	if !p.businessDay(lt) {
		why = fmt.Sprintf("%s is not a business day", lt.Format("Mon 2006-01-02"))
	} else {
		why = fmt.Sprintf("quiet hours %s–%s", p.QuietStart, p.QuietEnd)
	}
	return at, fmt.Sprintf("%s in %s (%s local): waits until %s", why, loc, lt.Format("15:04"), at.Format("2006-01-02 15:04 MST"))
}

// dayStart is the first sendable minute of a day: midnight, or the end of
// the quiet hours when midnight is quiet.
func (p *Policy) dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	if p.quiet(0) {
		return time.Date(y, m, d, p.quietEnd/60, p.quietEnd%60, 0, 0, loc)
	}
	return time.Date(y, m, d, 0, 0, 0, 0, loc)
}

// capFreeAt returns when the customer may be contacted again, given the
// instants of their recent contacts (any order) at now; zero when they may
// be contacted now.
func (p *Policy) capFreeAt(contacts []time.Time, now time.Time) time.Time {
	window := time.Duration(p.CapWindow)
	var recent []time.Time
	for _, c := range contacts {
		if c.After(now.Add(-window)) {
			recent = append(recent, c)
		}
	}
	if len(recent) < p.CapCount {
		return time.Time{}
	}
	// sort newest first; the slot frees when the CapCount-th newest
	// leaves the window
	for i := 1; i < len(recent); i++ {
		for j := i; j > 0 && recent[j].After(recent[j-1]); j-- {
			recent[j], recent[j-1] = recent[j-1], recent[j]
		}
	}
	return recent[p.CapCount-1].Add(window)
}

// AttachesLetter reports whether an email of template carries the formal
// letter as a PDF (LetterTemplates).
func (p *Policy) AttachesLetter(template string) bool {
	return slices.Contains(p.LetterTemplates, template)
}

// SMSText is a customer-facing SMS as it is sent: text with the policy's
// footer for locale.
func (p *Policy) SMSText(text, locale string) string {
	if f := localized(p.SMSFooter, locale); f != "" {
		return strings.TrimSpace(text) + " " + f
	}
	return text
}
