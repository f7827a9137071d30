package delivery

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"net/mail"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/recoup/recoup/calendar"
	"github.com/recoup/recoup/engine"
	"github.com/recoup/recoup/letter"
	"github.com/recoup/recoup/store"
)

// Options are the dispatcher's collaborators.
type Options struct {
	// Now is the clock; default time.Now.
	Now func() time.Time
	// Logger; default discards.
	Logger *slog.Logger
	// Worker names this dispatcher in claims; default host:pid.
	Worker string
}

// Dispatcher drains the outbox. One dispatcher may run several passes
// concurrently with dispatchers of other replicas (PostgreSQL).
type Dispatcher struct {
	s       Store
	cfg     Config
	senders map[string]Sender
	now     func() time.Time
	log     *slog.Logger
	worker  string

	lettersOnce sync.Once
	letters     *letter.Renderer
	lettersErr  error

	// crashAfterSend makes a pass stop after sending and before recording
	// the outcome, as a crash would (tests).
	crashAfterSend bool
}

// ErrCrashed is returned by a pass stopped by the crash test hook.
var errCrashed = errors.New("delivery: simulated crash after send")

// New builds a dispatcher for the channels cfg configures.
func New(s Store, cfg Config, o Options) (*Dispatcher, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Worker == "" {
		host, _ := os.Hostname()
		o.Worker = fmt.Sprintf("%s:%d", host, os.Getpid())
	}
	d := &Dispatcher{s: s, cfg: cfg, senders: map[string]Sender{}, now: o.Now, log: o.Logger, worker: o.Worker}
	if cfg.Email != nil {
		e, err := NewEmail(*cfg.Email)
		if err != nil {
			return nil, err
		}
		d.senders[ChannelEmail] = e
	}
	if cfg.SMS != nil {
		h, err := NewHTTP(*cfg.SMS, DefaultSMSBody, o.Now)
		if err != nil {
			return nil, fmt.Errorf("sms: %w", err)
		}
		d.senders[ChannelSMS] = h
	}
	if cfg.Webhook != nil {
		h, err := NewHTTP(cfg.Webhook.HTTPConfig, DefaultWebhookBody, o.Now)
		if err != nil {
			return nil, fmt.Errorf("webhook: %w", err)
		}
		d.senders[ChannelWebhook] = h
	}
	return d, nil
}

// Close releases the channels' connections.
func (d *Dispatcher) Close() error {
	if e, ok := d.senders[ChannelEmail].(*Email); ok {
		return e.Close()
	}
	return nil
}

// Channels lists the channels this dispatcher drains.
func (d *Dispatcher) Channels() []string {
	var out []string
	for _, c := range []string{ChannelEmail, ChannelSMS, ChannelWebhook} {
		if d.senders[c] != nil {
			out = append(out, c)
		}
	}
	if *d.cfg.InApp {
		out = append(out, ChannelInApp)
	}
	return out
}

// Stats counts what a run did.
type Stats struct {
	Claimed    int `json:"claimed"`
	Sent       int `json:"sent"`
	Retried    int `json:"retried"`
	Dead       int `json:"dead"`
	Delayed    int `json:"delayed"`
	Suppressed int `json:"suppressed"`
	Merged     int `json:"merged"`
	Digests    int `json:"digests"`
	Rerouted   int `json:"rerouted"`
	Tasks      int `json:"tasks"`
	Recovered  int `json:"recovered"`
	Webhooks   int `json:"webhooks_queued"`
}

func (s *Stats) add(o Stats) {
	s.Claimed += o.Claimed
	s.Sent += o.Sent
	s.Retried += o.Retried
	s.Dead += o.Dead
	s.Delayed += o.Delayed
	s.Suppressed += o.Suppressed
	s.Merged += o.Merged
	s.Digests += o.Digests
	s.Rerouted += o.Rerouted
	s.Tasks += o.Tasks
	s.Recovered += o.Recovered
	s.Webhooks += o.Webhooks
}

// RunOnce queues webhook events, then claims and handles due messages
// until none is left.
func (d *Dispatcher) RunOnce(ctx context.Context) (Stats, error) {
	var total Stats
	if d.senders[ChannelWebhook] != nil {
		n, err := d.feedWebhooks(ctx)
		total.Webhooks += n
		if err != nil {
			return total, err
		}
	}
	for {
		st, err := d.pass(ctx)
		total.add(st)
		if err != nil {
			return total, err
		}
		if st.Claimed < d.cfg.Batch {
			return total, nil
		}
	}
}

// Run drains the outbox every Poll until ctx ends; errors are logged and
// retried at the next poll.
func (d *Dispatcher) Run(ctx context.Context) {
	t := time.NewTicker(time.Duration(d.cfg.Poll))
	defer t.Stop()
	for {
		st, err := d.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			d.log.Error("delivery failed", "err", err)
		}
		if st.Claimed > 0 || st.Webhooks > 0 {
			d.log.Info("delivered", "claimed", st.Claimed, "sent", st.Sent, "retried", st.Retried, "dead", st.Dead,
				"delayed", st.Delayed, "suppressed", st.Suppressed, "merged", st.Merged, "rerouted", st.Rerouted)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// item is one message decided to go out now.
type item struct {
	row      *row   // the outbox row (the digest row for a digest)
	channel  string // after fallback
	to       []string
	cust     *customer
	facing   bool
	letter   *letter.Letter
	invoices []int64
	language string // staff mail: the language all its readers chose, when they agree
}

// plan is a claim's decisions.
type plan struct {
	now   time.Time
	sends []*item
	st    Stats
}

func (d *Dispatcher) pass(ctx context.Context) (Stats, error) {
	now := d.now().UTC().Truncate(time.Microsecond)
	companyLoc, companyName := time.UTC, ""
	if c, err := d.s.Company(ctx); err == nil {
		companyName = c.Name
		if loc, err := c.Location(); err == nil {
			companyLoc = loc
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return Stats{}, err
	}
	var dc *decider
	claim, digests, err := d.s.ClaimOutbox(ctx, store.ClaimOptions{Now: now, Channels: d.Channels(), Limit: d.cfg.Batch,
		ContactsSince: now.Add(-time.Duration(d.cfg.Policy.CapWindow))}, func(c *store.OutboxClaim) (*store.OutboxPlan, error) {
		rows := make([]*row, len(c.Rows))
		for i, r := range c.Rows {
			rows[i] = rowOf(r)
		}
		dc = &decider{d: d, sn: snapshotOf(c), p: &plan{now: now}, loc: companyLoc, company: companyName}
		dc.decide(rows)
		return dc.storePlan(), nil
	})
	if err != nil {
		return Stats{}, err
	}
	if claim.Claimed == 0 {
		return Stats{}, nil
	}
	p := dc.p
	p.st.Claimed = claim.Claimed
	for _, it := range p.sends {
		if it.row.digest != 0 {
			it.row.id = digests[it.row.digest-1]
		}
	}
	results := d.send(ctx, p.sends, companyName)
	if d.crashAfterSend {
		return p.st, errCrashed
	}
	if err := d.record(ctx, p, results); err != nil {
		return p.st, err
	}
	return p.st, nil
}

// send delivers items with the configured number of workers.
func (d *Dispatcher) send(ctx context.Context, items []*item, company string) []error {
	results := make([]error, len(items))
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(d.cfg.Workers, len(items)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = d.sendOne(ctx, items[i], company)
			}
		}()
	}
	for i := range items {
		next <- i
	}
	close(next)
	wg.Wait()
	return results
}

func (d *Dispatcher) sendOne(ctx context.Context, it *item, company string) error {
	sender := d.senders[it.channel]
	if sender == nil {
		return fmt.Errorf("channel %s is not configured", it.channel)
	}
	m := d.message(it, company)
	if it.letter != nil {
		pdf, err := d.letterPDF(ctx, it)
		if err != nil {
			// The letter's text is the email body; a missing attachment
			// is recorded, not a reason to withhold the message.
			d.log.Warn("letter not attached", "key", it.row.key, "err", err)
			_ = d.s.AddOutboxEvent(ctx, store.OutboxEvent{ID: it.row.id, At: d.now().UTC(), Event: EventLetter, Reason: "letter not attached: " + err.Error()})
		} else {
			m.Attachments = append(m.Attachments, Attachment{Name: it.letter.Filename(), ContentType: "application/pdf", Data: pdf})
		}
	}
	return sender.Send(ctx, m)
}

// message builds what the channel sends for it; company names the sender
// in the footer.
func (d *Dispatcher) message(it *item, company string) *Message {
	r := it.row
	m := &Message{Key: r.key, Channel: it.channel, To: it.to, Subject: r.subject, Text: r.body, Locale: r.locale}
	if t, ok := r.texts[it.language]; ok && it.language != r.locale && t.Title != "" {
		m.Subject, m.Text, m.Locale = t.Title, t.Body, it.language
	}
	switch it.channel {
	case ChannelEmail:
		m.Cc = r.cc
		if it.facing {
			if f := localized(d.cfg.Policy.Footer, r.locale); f != "" {
				m.Text = strings.TrimRight(m.Text, "\n") + "\n\n-- \n" + strings.ReplaceAll(f, "{company}", cmp.Or(d.cfg.Letterhead.Name, company))
			}
			m.Unsubscribe = d.cfg.Policy.Unsubscribe
			if m.Unsubscribe == "" && d.cfg.Email != nil {
				addr := d.cfg.Email.ReplyTo
				if addr == "" {
					addr = d.cfg.Email.From
				}
				if a, err := mail.ParseAddress(addr); err == nil {
					m.Unsubscribe = "mailto:" + a.Address + "?subject=unsubscribe"
				}
			}
		}
	case ChannelSMS:
		if m.Text == "" || r.channel == ChannelEmail { // rerouted email: the subject is the short form
			if r.subject != "" {
				m.Text = r.subject
			}
		}
		if it.facing {
			m.Text = d.cfg.Policy.SMSText(m.Text, r.locale)
		}
	case ChannelWebhook:
		m.Event = r.template
		m.Payload = []byte(r.payload)
	}
	return m
}

func localized(m map[string]string, locale string) string {
	if v, ok := m[locale]; ok {
		return v
	}
	return m["en"]
}

// backoff is base·2^(attempts−1), at most max, with ±10% jitter derived
// from the key so that retries of many messages spread out.
func (d *Dispatcher) backoff(key string, attempts int) time.Duration {
	b := time.Duration(d.cfg.BackoffBase)
	for i := 1; i < attempts && b < time.Duration(d.cfg.BackoffMax); i++ {
		b *= 2
	}
	b = min(b, time.Duration(d.cfg.BackoffMax))
	h := fnv.New32a()
	fmt.Fprintf(h, "%s#%d", key, attempts)
	jitter := float64(h.Sum32()%2001)/10000 - 0.1 // −0.1 … +0.1
	return b + time.Duration(float64(b)*jitter)
}

// record stores the outcome of the sends of p.
func (d *Dispatcher) record(ctx context.Context, p *plan, results []error) error {
	now := d.now().UTC()
	outcomes, events := d.outcomes(p, results, now)
	return d.s.RecordOutbox(ctx, d.worker, now, outcomes, events)
}

// outcomes decides what each send of p left: sent, retried later, dead,
// or an email that bounced turned into an SMS.
func (d *Dispatcher) outcomes(p *plan, results []error, now time.Time) ([]store.OutboxOutcome, []store.OutboxEvent) {
	var out []store.OutboxOutcome
	var events []store.OutboxEvent
	event := func(id int64, ev, reason string) {
		events = append(events, store.OutboxEvent{ID: id, At: now, Event: ev, Reason: reason})
	}
	for i, it := range p.sends {
		r := it.row
		err := results[i]
		if err == nil {
			out = append(out, store.OutboxOutcome{ID: r.id, Do: store.OutcomeSent})
			p.st.Sent++
			continue
		}
		msg := err.Error()
		if len(msg) > 2000 {
			msg = msg[:2000]
		}
		if IsPermanent(err) && d.bounceToSMS(it) {
			// The address bounced: as with no address, the customer is
			// reached by SMS. The row becomes an SMS row (its subject is
			// the text) and goes through the policy again.
			reason := fmt.Sprintf("email to %s rejected, rerouted to SMS %s: %s", strings.Join(it.to, ", "), it.cust.phone, msg)
			text := r.body
			if r.subject != "" {
				text = r.subject
			}
			out = append(out, store.OutboxOutcome{ID: r.id, Do: store.OutcomeSMS, At: now, Error: msg, Reason: reason, Phone: it.cust.phone, Text: text})
			event(r.id, EventRerouted, reason)
			p.st.Rerouted++
			continue
		}
		if IsPermanent(err) || r.attempts >= d.cfg.MaxAttempts {
			why := fmt.Sprintf("gave up after %d attempts", r.attempts)
			if IsPermanent(err) {
				why = "permanent failure"
			}
			out = append(out, store.OutboxOutcome{ID: r.id, Do: store.OutcomeDead, Error: msg, Reason: why})
			event(r.id, EventDead, why+": "+msg)
			p.st.Dead++
			d.log.Warn("message dead-lettered", "key", r.key, "channel", it.channel, "attempts", r.attempts, "err", msg)
			continue
		}
		at := now.Add(d.backoff(r.key, r.attempts))
		out = append(out, store.OutboxOutcome{ID: r.id, Do: store.OutcomeRetry, At: at, Error: msg})
		event(r.id, EventRetry, fmt.Sprintf("attempt %d failed, next at %s: %s", r.attempts, at.Format(time.RFC3339), msg))
		p.st.Retried++
	}
	return out, events
}

// bounceToSMS reports whether a permanently failed message falls back to
// SMS: a customer-facing email, and a phone number and gateway to use.
func (d *Dispatcher) bounceToSMS(it *item) bool {
	return it.facing && it.channel == ChannelEmail && it.cust != nil && !d.cfg.Policy.NoFallback &&
		validPhone(it.cust.phone) && d.senders[ChannelSMS] != nil
}

// decider makes one claim's decisions, in Go: what it decides is written
// by the store afterwards, in the claim's transaction (storePlan).
type decider struct {
	d       *Dispatcher
	sn      *snapshot
	p       *plan
	loc     *time.Location // the company's
	company string

	decisions []store.OutboxDecision
	events    []store.OutboxEvent
	digests   []store.OutboxDigest
	tasks     []store.NewTask
	inbox     []store.InAppDelivery
}

// event records a decision about r, in the order decided.
func (dc *decider) event(r *row, event, reason string) {
	dc.events = append(dc.events, store.OutboxEvent{ID: r.id, Digest: r.digest, At: dc.p.now, Event: event, Reason: reason})
}

func (dc *decider) delay(r *row, until time.Time, reason string) {
	dc.p.st.Delayed++
	dc.decisions = append(dc.decisions, store.OutboxDecision{ID: r.id, Digest: r.digest, Do: store.DecideDelay, Until: until.UTC(), Reason: reason})
	dc.event(r, EventDelayed, reason)
}

func (dc *decider) suppress(r *row, reason string) {
	dc.p.st.Suppressed++
	dc.decisions = append(dc.decisions, store.OutboxDecision{ID: r.id, Digest: r.digest, Do: store.DecideSuppress, Reason: reason})
	dc.event(r, EventSuppressed, reason)
}

func (dc *decider) claim(it *item) {
	it.row.attempts++
	dc.p.sends = append(dc.p.sends, it)
}

// storePlan is the claim's decisions as the store writes them: the rows to
// send are claimed, customer contacts recording the instant against the
// cap.
func (dc *decider) storePlan() *store.OutboxPlan {
	p := &store.OutboxPlan{Now: dc.p.now, Worker: dc.d.worker, Lease: dc.p.now.Add(time.Duration(dc.d.cfg.Lease)),
		Decisions: dc.decisions, Digests: dc.digests, Tasks: dc.tasks, InApp: dc.inbox, Events: dc.events}
	for _, it := range dc.p.sends {
		p.Decisions = append(p.Decisions, store.OutboxDecision{ID: it.row.id, Digest: it.row.digest, Do: store.DecideSend, Contact: it.facing})
	}
	return p
}

func (dc *decider) recipientLoc(c *customer) *time.Location {
	if c != nil && c.tz != "" {
		if loc, err := time.LoadLocation(c.tz); err == nil {
			return loc
		}
	}
	return dc.loc
}

// staff resolves a role to users: sales_rep means the account's owner.
func (dc *decider) staff(role string, c *customer) []user {
	var out []user
	if role == string(engine.RoleSalesRep) && c != nil && c.owner != 0 {
		for _, u := range dc.sn.users {
			if u.id == c.owner {
				return []user{u}
			}
		}
	}
	for _, u := range dc.sn.users {
		if u.role == role {
			out = append(out, u)
		}
	}
	return out
}

func validEmail(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && strings.Contains(a.Address, "@")
}

func validPhone(s string) bool {
	digits := 0
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case strings.ContainsRune("+-() .", r):
		default:
			return false
		}
	}
	return digits >= 5
}

// decide sorts every claimed row into send, delay, suppress, merge or
// reroute.
func (dc *decider) decide(rows []*row) {
	p := dc.p
	facing := map[int64][]*item{} // customer-facing, ready, by customer
	var order []int64
	for _, r := range rows {
		if r.status == StatusSending {
			p.st.Recovered++
			dc.event(r, EventRecovered, "claim lease expired (dispatcher stopped before recording the outcome); sending again with the same key")
		}
		c := dc.sn.customers[r.customerID]
		switch r.channel {
		case ChannelWebhook:
			dc.claim(&item{row: r, channel: r.channel})
			continue
		case ChannelInApp:
			dc.inApp(r, c)
			continue
		}
		// email or sms
		internal := r.role != ""
		if !internal && r.recipient != "" {
			_, internal = dc.sn.byEmail[strings.ToLower(r.recipient)]
		}
		if internal || c == nil {
			dc.internal(r, c)
			continue
		}
		it := dc.customerMessage(r, c)
		if it == nil { // delayed, suppressed or rerouted to a task
			continue
		}
		if _, seen := facing[c.id]; !seen {
			order = append(order, c.id)
		}
		facing[c.id] = append(facing[c.id], it)
	}
	for _, cid := range order {
		dc.capAndMerge(dc.sn.customers[cid], facing[cid])
	}
}

// customerMessage applies do-not-contact, payment, staleness, fallback and
// quiet hours to a customer-facing row; nil means it was decided already.
func (dc *decider) customerMessage(r *row, c *customer) *item {
	p, pol := dc.p, &dc.d.cfg.Policy
	if c.dnc {
		dc.suppress(r, fmt.Sprintf("customer %s is marked do-not-contact", c.name))
		return nil
	}
	if iv := dc.sn.invoices[r.invoiceID]; iv != nil && (iv.balance <= 0 || iv.status == engine.StatusPaid) {
		dc.suppress(r, fmt.Sprintf("invoice %s is paid (balance %s)", iv.number, engine.FormatMoney(iv.balance, iv.currency, "en")))
		return nil
	}
	if why := dc.sn.invoices[r.invoiceID].noContact(); why != "" { // hold.go
		dc.suppress(r, why)
		return nil
	}
	if age := p.now.Sub(r.createdAt); age > time.Duration(pol.MaxDelay) {
		dc.suppress(r, fmt.Sprintf("stale: waited %s, longer than max_delay %s", age.Round(time.Minute), pol.MaxDelay))
		return nil
	}
	it := &item{row: r, channel: r.channel, cust: c, facing: true}
	if r.invoiceID != 0 {
		it.invoices = []int64{r.invoiceID}
	}
	// Fallback: email without an address → SMS → a task for the owner.
	to := r.recipient
	if r.channel == ChannelEmail {
		if to == "" {
			to = c.email
		}
		if !validEmail(to) {
			if pol.NoFallback {
				dc.suppress(r, fmt.Sprintf("no valid email address for %s (fallback disabled)", c.name))
				return nil
			}
			if validPhone(c.phone) && dc.d.senders[ChannelSMS] != nil {
				// The row's own reason is what happens next (claimed,
				// delayed or merged); the event says why it is an SMS.
				it.channel, to = ChannelSMS, c.phone
				p.st.Rerouted++
				dc.event(r, EventRerouted, fmt.Sprintf("no valid email address (%q): rerouted to SMS %s", r.recipient, c.phone))
			} else {
				dc.ownerTask(r, c, "no valid email address and no phone number")
				return nil
			}
		}
	} else { // sms
		if to == "" {
			to = c.phone
		}
		if !validPhone(to) {
			if pol.NoFallback {
				dc.suppress(r, fmt.Sprintf("no valid phone number for %s (fallback disabled)", c.name))
				return nil
			}
			dc.ownerTask(r, c, "no valid phone number")
			return nil
		}
	}
	it.to = []string{to}
	if it.channel == ChannelEmail && pol.AttachesLetter(r.template) {
		it.letter = dc.letterFor(c, r.locale, r.body, r.key, it.invoices)
	}
	if at, why := pol.NextSendable(p.now, dc.recipientLoc(c)); at.After(p.now) {
		dc.delay(r, at, why)
		return nil
	}
	return it
}

// ownerTask turns an undeliverable customer message into a task for the
// account owner (or sales managers when the account has no owner).
func (dc *decider) ownerTask(r *row, c *customer, why string) {
	key := "delivery/fallback/" + r.key
	title := fmt.Sprintf("Contact %s: %s", c.name, r.subject)
	if r.locale == "zh-CN" {
		title = fmt.Sprintf("联系 %s：%s", c.name, r.subject)
	}
	if r.subject == "" {
		title = strings.TrimSuffix(title, ": ")
	}
	desc := fmt.Sprintf("This %s message could not be delivered (%s). Please contact the customer yourself and record the outcome.\n\n%s", r.channel, why, r.body)
	role := string(engine.RoleSalesRep)
	if c.owner == 0 {
		role = string(engine.RoleSalesManager)
	}
	dc.tasks = append(dc.tasks, store.NewTask{Key: key, Kind: "task", Title: title, Description: desc, AssigneeID: c.owner, Role: role,
		Priority: "normal", InvoiceID: r.invoiceID, CustomerID: c.id, Source: "delivery", At: dc.p.now})
	dc.p.st.Tasks++
	dc.p.st.Rerouted++
	reason := fmt.Sprintf("%s: task %s created for the account owner", why, key)
	dc.decisions = append(dc.decisions, store.OutboxDecision{ID: r.id, Digest: r.digest, Do: store.DecideSuppress, Reason: reason})
	dc.event(r, EventRerouted, reason)
}

// internal sends a staff message: a role resolves to its users, email in
// company hours; SMS to staff becomes an in-app message (users have no
// phone numbers).
func (dc *decider) internal(r *row, c *customer) {
	var (
		to      []string
		readers []user
	)
	if r.role != "" {
		readers = dc.staff(r.role, c)
		for _, u := range readers {
			to = append(to, u.email)
		}
	} else if r.recipient != "" {
		to = []string{r.recipient}
		if u := dc.sn.byEmail[strings.ToLower(r.recipient)]; u != nil {
			readers = []user{*u}
		}
	}
	if len(to) == 0 {
		dc.suppress(r, fmt.Sprintf("no active user for role %q", r.role))
		return
	}
	if r.channel == ChannelSMS {
		dc.inApp(r, c)
		return
	}
	if at, why := dc.d.cfg.Policy.NextSendable(dc.p.now, dc.loc); at.After(dc.p.now) {
		dc.delay(r, at, why)
		return
	}
	dc.claim(&item{row: r, channel: ChannelEmail, to: to, cust: c, language: commonLanguage(readers)})
}

// commonLanguage is the language every reader chose ("" when they differ
// or one follows the browser: the message then keeps its own).
func commonLanguage(readers []user) string {
	if len(readers) == 0 {
		return ""
	}
	for _, u := range readers[1:] {
		if u.language != readers[0].language {
			return ""
		}
	}
	return readers[0].language
}

// inApp puts the message in the inbox of each recipient user, in the
// claim's transaction: it is delivered when the claim commits.
func (dc *decider) inApp(r *row, c *customer) {
	var users []user
	switch {
	case r.role != "":
		users = dc.staff(r.role, c)
	case r.recipient != "":
		if u := dc.sn.byEmail[strings.ToLower(r.recipient)]; u != nil {
			users = []user{*u}
		}
	case c != nil && c.owner != 0:
		users = dc.staff(string(engine.RoleSalesRep), c)
	}
	if len(users) == 0 {
		dc.suppress(r, fmt.Sprintf("no user to deliver to (recipient %q, role %q)", r.recipient, r.role))
		return
	}
	for _, u := range users {
		title, body := r.textFor(u.language)
		dc.inbox = append(dc.inbox, store.InAppDelivery{Key: r.key, UserID: u.id, OutboxID: r.id, Title: title, Body: body,
			InvoiceID: r.invoiceID, CustomerID: r.customerID})
	}
	dc.p.st.Sent++
	dc.decisions = append(dc.decisions, store.OutboxDecision{ID: r.id, Digest: r.digest, Do: store.DecideDelivered})
}

// capAndMerge applies the frequency cap to one customer's ready messages
// and merges messages to the same address into one digest.
func (dc *decider) capAndMerge(c *customer, items []*item) {
	p, pol := dc.p, &dc.d.cfg.Policy
	contacts := append([]time.Time(nil), dc.sn.contacts[c.id]...)
	// group by channel and address, in order of the first row
	type group struct{ items []*item }
	var groups []*group
	idx := map[string]*group{}
	for _, it := range items {
		k := it.channel + "\x00" + strings.ToLower(it.to[0])
		if it.row.template == "digest" { // a digest waiting for a retry stays as it is
			k += "\x00" + it.row.key
		}
		g := idx[k]
		if g == nil || pol.NoDigest {
			g = &group{}
			idx[k] = g
			groups = append(groups, g)
		}
		g.items = append(g.items, it)
	}
	loc := dc.recipientLoc(c)
	for _, g := range groups {
		if free := pol.capFreeAt(contacts, p.now); !free.IsZero() {
			at, _ := pol.NextSendable(free, loc)
			reason := fmt.Sprintf("frequency cap: at most %d message(s) per %s to %s, last at %s; waits until %s",
				pol.CapCount, pol.CapWindow, c.name, latest(contacts).In(loc).Format("2006-01-02 15:04 MST"), at.In(loc).Format("2006-01-02 15:04 MST"))
			for _, it := range g.items {
				dc.delay(it.row, at, reason)
			}
			continue
		}
		it := g.items[0]
		if len(g.items) > 1 {
			it = dc.digest(c, g.items)
		}
		dc.claim(it)
		contacts = append(contacts, p.now)
	}
}

func latest(ts []time.Time) time.Time {
	var l time.Time
	for _, t := range ts {
		if t.After(l) {
			l = t
		}
	}
	return l
}

// digest merges several messages to one customer address into a new
// outbox row listing every invoice; the members are suppressed with a
// pointer to it.
func (dc *decider) digest(c *customer, items []*item) *item {
	p := dc.p
	first := items[0]
	locale := first.row.locale
	var keys []string
	var invIDs []int64
	seen := map[int64]bool{}
	var members []*row
	withLetter := false
	for _, it := range items {
		keys = append(keys, it.row.key)
		members = append(members, it.row)
		withLetter = withLetter || it.letter != nil
		for _, id := range it.invoices {
			if !seen[id] {
				seen[id] = true
				invIDs = append(invIDs, id)
			}
		}
	}
	sort.Strings(keys)
	h := sha256.Sum256([]byte(strings.Join(keys, "\n")))
	day := calendar.In(p.now, dc.recipientLoc(c))
	key := fmt.Sprintf("digest/customer/%d/%s/%s/%s", c.id, first.channel, day, hex.EncodeToString(h[:6]))
	subject, body := dc.digestText(c, locale, first.channel, invIDs, items)
	payload, _ := json.Marshal(map[string]any{"members": keys})
	var cc []string
	for _, it := range items {
		cc = mergeCc(cc, it.row.cc)
	}
	dc.digests = append(dc.digests, store.OutboxDigest{Key: key, Channel: first.channel, Recipient: first.to[0], Cc: cc, Locale: locale,
		Subject: subject, Body: body, CustomerID: c.id, Payload: string(payload)})
	ref := len(dc.digests)
	p.st.Digests++
	reason := fmt.Sprintf("merged into digest %s with %d messages", key, len(items))
	for _, m := range members {
		p.st.Merged++
		dc.decisions = append(dc.decisions, store.OutboxDecision{ID: m.id, Digest: m.digest, Do: store.DecideSuppress, Reason: reason, MergedInto: ref})
		dc.event(m, EventMerged, reason)
	}
	dr := &row{digest: ref, key: key, channel: first.channel, recipient: first.to[0], template: "digest", locale: locale,
		subject: subject, body: body, customerID: c.id, status: StatusPending, createdAt: p.now, payload: string(payload), cc: cc}
	dc.event(dr, EventDigest, fmt.Sprintf("digest of %d messages: %s", len(keys), strings.Join(keys, ", ")))
	it := &item{row: dr, channel: first.channel, to: first.to, cust: c, facing: true, invoices: invIDs}
	if withLetter {
		it.letter = dc.letterFor(c, locale, body, key, invIDs)
	}
	return it
}

func mergeCc(a, b []string) []string {
	for _, x := range b {
		dup := false
		for _, y := range a {
			dup = dup || strings.EqualFold(x, y)
		}
		if !dup {
			a = append(a, x)
		}
	}
	return a
}

// digestText is the digest's subject and body in the customer's locale.
func (dc *decider) digestText(c *customer, locale, channel string, invIDs []int64, items []*item) (string, string) {
	zh := locale == "zh-CN"
	today := calendar.In(dc.p.now, dc.loc)
	var lines []string
	totals := map[string]int64{}
	var currencies []string
	for _, id := range invIDs {
		iv := dc.sn.invoices[id]
		if iv == nil {
			continue
		}
		if _, ok := totals[iv.currency]; !ok {
			currencies = append(currencies, iv.currency)
		}
		totals[iv.currency] += iv.balance
		due := iv.due.Time(time.UTC)
		days := today.DaysSince(iv.due)
		amount := engine.FormatMoney(iv.balance, iv.currency, locale)
		switch {
		case zh && days > 0:
			lines = append(lines, fmt.Sprintf("- 发票 %s：%s，到期日 %s（已逾期 %d 天）", iv.number, amount, engine.FormatDate(due, locale), days))
		case zh:
			lines = append(lines, fmt.Sprintf("- 发票 %s：%s，到期日 %s", iv.number, amount, engine.FormatDate(due, locale)))
		case days > 0:
			lines = append(lines, fmt.Sprintf("- Invoice %s: %s, due %s (%d days overdue)", iv.number, amount, engine.FormatDate(due, locale), days))
		default:
			lines = append(lines, fmt.Sprintf("- Invoice %s: %s, due %s", iv.number, amount, engine.FormatDate(due, locale)))
		}
	}
	var tot []string
	for _, cur := range currencies {
		tot = append(tot, engine.FormatMoney(totals[cur], cur, locale))
	}
	total := strings.Join(tot, " + ")
	n := len(lines)
	if n == 0 { // messages without invoices: list their subjects
		for _, it := range items {
			lines = append(lines, "- "+it.row.subject)
		}
		n = len(lines)
	}
	if channel == ChannelSMS {
		if zh {
			return "", fmt.Sprintf("%s：您有 %d 张发票（合计 %s）待付款，请尽快安排。", c.name, n, total)
		}
		return "", fmt.Sprintf("%s: %d invoices (total %s) are awaiting payment. Please arrange payment.", c.name, n, total)
	}
	if zh {
		return fmt.Sprintf("%s：您有 %d 张发票待付款", dc.company, n),
			fmt.Sprintf("尊敬的 %s：\n\n以下发票尚未结清：\n\n%s\n\n合计：%s\n\n如您已付款，请忽略本邮件。谢谢！", c.name, strings.Join(lines, "\n"), total)
	}
	return fmt.Sprintf("%d invoices from %s are awaiting payment", n, dc.company),
		fmt.Sprintf("Dear %s,\n\nThe following invoices are still open:\n\n%s\n\nTotal: %s\n\nIf you have already paid, please ignore this message. Thank you.", c.name, strings.Join(lines, "\n"), total)
}

// letterFor prepares the formal letter of a message about invIDs.
func (dc *decider) letterFor(c *customer, locale, body, ref string, invIDs []int64) *letter.Letter {
	head := dc.d.cfg.Letterhead
	if head.Name == "" {
		head.Name = dc.company
	}
	today := calendar.In(dc.p.now, dc.loc)
	l := &letter.Letter{Locale: locale, Company: head, Customer: letter.Party{Name: c.name},
		Date: engine.FormatDate(today.Time(time.UTC), locale), Body: body, Signature: head.Name}
	totals := map[string]int64{}
	var currencies []string
	for _, id := range invIDs {
		iv := dc.sn.invoices[id]
		if iv == nil {
			continue
		}
		if l.Reference == "" {
			l.Reference = iv.number
		}
		if _, ok := totals[iv.currency]; !ok {
			currencies = append(currencies, iv.currency)
		}
		totals[iv.currency] += iv.balance
		l.Invoices = append(l.Invoices, letter.Line{Number: iv.number, DueDate: engine.FormatDate(iv.due.Time(time.UTC), locale),
			Amount: engine.FormatMoney(iv.amount, iv.currency, locale), Balance: engine.FormatMoney(iv.balance, iv.currency, locale),
			DaysOverdue: max(0, today.DaysSince(iv.due))})
	}
	var tot []string
	for _, cur := range currencies {
		tot = append(tot, engine.FormatMoney(totals[cur], cur, locale))
	}
	l.Total = strings.Join(tot, " + ")
	if l.Reference == "" {
		l.Reference = ref
	}
	return l
}

// letterPDF returns the stored letter of the message, rendering and
// storing it the first time: a resend attaches the same document.
func (d *Dispatcher) letterPDF(ctx context.Context, it *item) ([]byte, error) {
	_, pdf, err := d.s.Letter(ctx, it.row.key)
	if err == nil {
		return pdf, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	d.lettersOnce.Do(func() {
		d.letters, d.lettersErr = letter.NewRenderer(d.cfg.LetterLatinFont, d.cfg.LetterFont)
	})
	if d.lettersErr != nil {
		return nil, d.lettersErr
	}
	if pdf, err = d.letters.Render(*it.letter); err != nil {
		return nil, err
	}
	var inv int64
	if len(it.invoices) == 1 {
		inv = it.invoices[0]
	}
	var cust int64
	if it.cust != nil {
		cust = it.cust.id
	}
	err = d.s.SaveLetter(ctx, store.StoredLetter{Key: it.row.key, InvoiceID: inv, CustomerID: cust, Locale: it.letter.Locale,
		Filename: it.letter.Filename(), PDF: pdf, CreatedAt: d.now().UTC()})
	return pdf, err
}

// Letter returns a stored letter by the key of the message that carried it
// (store.ErrNotFound when there is none).
func Letter(ctx context.Context, s LetterStore, key string) (filename string, pdf []byte, err error) {
	return s.Letter(ctx, key)
}

// textFor is the message's title and body for a staff member reading
// language: the message's own unless its template has that language too
// (a notice about a Chinese customer reads in English for an English
// speaker). The title is the subject, else the body's first line.
func (r *row) textFor(language string) (title, body string) {
	title, body = r.subject, r.body
	if t, ok := r.texts[language]; ok && language != r.locale && t.Title != "" {
		title, body = t.Title, t.Body
	}
	if title == "" {
		title, _, _ = strings.Cut(body, "\n")
	}
	return title, body
}
