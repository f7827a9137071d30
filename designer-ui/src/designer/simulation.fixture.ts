// A simulation as POST /api/simulate returns it, for the tests: the
// example pack's overdue escalation over 60 days for five invoices, built
// from the engine's effect shape (engine/eval.go Effect with its invoice,
// usecase.SimulatedEffect) and the sequences of cli/testdata's 60-day
// simulation and api/simulate_answers_test.go (a promise answered on the
// call, a dispute, a payment in full).
import type { Simulation } from './simulation';

type Effect = Record<string, unknown>;

const ids: Record<string, number> = { 'INV-0000002': 2, 'INV-0000036': 36, 'INV-0000041': 41, 'INV-0000042': 42, 'INV-0000043': 43 };

function key(invoice: string, path: string, rule = 'overdue-escalation', workflow = true) {
  return { rule, subject: ids[invoice] ?? 0, period: path, workflow, action: 0 };
}

function node(invoice: string, n: string, event: string, reason = ''): Effect {
  return {
    invoice, key: key(invoice, n ? `1/${n}/1/${event}` : `1/${event}`), kind: 'node',
    rule: n ? `overdue-escalation/${n}` : 'overdue-escalation', version: 3, workflow: 'overdue-escalation',
    ...(n ? { node: n } : {}), event, ...(reason ? { reason } : {}), trace: [],
  };
}

function notify(invoice: string, n: string, channel: string, template: string): Effect {
  return {
    invoice, key: key(invoice, `1/${n}/1`), kind: 'notify', rule: `overdue-escalation/${n}`, version: 3,
    workflow: 'overdue-escalation', node: n, channel, to: channel === 'sms' ? '+8613800000000' : 'ap@customer.example', template, locale: 'en',
    subject: channel === 'email' ? 'Your invoice is overdue' : '', trace: [],
  };
}

function task(invoice: string, n: string, kind: 'task' | 'approval', extra: Effect): Effect {
  return {
    invoice, key: key(invoice, `1/${n}/1/${kind}`), kind, rule: `overdue-escalation/${n}`, version: 3,
    workflow: 'overdue-escalation', node: n, due_at: '2026-12-10T01:00:00Z', ...extra, trace: [],
  };
}

function started(invoice: string): Effect[] {
  return [node(invoice, '', 'started')];
}

export const simulation: Simulation = {
  from: '2026-12-01',
  to: '2027-01-29',
  totals: { node: 29, notify: 7, task: 4, approval: 2, set: 2, add_fee: 1, escalation: 1 },
  days: [
    {
      date: '2026-12-01',
      effects: [
        { invoice: 'INV-0000002', key: key('INV-0000002', '', 'mark-overdue', false), kind: 'set', rule: 'mark-overdue', version: 1, field: 'invoice.status', value: 'overdue', old_value: 'open', trace: [] },
        ...started('INV-0000002'),
        node('INV-0000002', 'reminder', 'skipped'),
        node('INV-0000002', 'call', 'skipped'),
        node('INV-0000002', 'review', 'skipped'),
        node('INV-0000002', 'decision', 'entered'),
        task('INV-0000002', 'decision', 'approval', { role: 'finance_director', title: 'Decide: Hooli Foods owes USD 541.61, 58 days overdue', form: 'escalation-decision' }),
        ...started('INV-0000036'),
        node('INV-0000036', 'reminder', 'entered'),
        notify('INV-0000036', 'reminder', 'email', 'reminder-email'),
        notify('INV-0000036', 'reminder', 'sms', 'reminder-sms'),
        ...started('INV-0000041'),
        node('INV-0000041', 'reminder', 'entered'),
        notify('INV-0000041', 'reminder', 'email', 'reminder-email'),
        ...started('INV-0000042'),
        node('INV-0000042', 'reminder', 'entered'),
        ...started('INV-0000043'),
        node('INV-0000043', 'reminder', 'entered'),
      ],
    },
    {
      date: '2026-12-04',
      effects: [
        { invoice: 'INV-0000002', key: key('INV-0000002', '1/decision/1/approval/escalated'), kind: 'escalation', rule: 'overdue-escalation/decision', version: 3, workflow: 'overdue-escalation', node: 'decision', role: 'finance_director', trace: [] },
        { invoice: 'INV-0000043', key: key('INV-0000043', '', 'late-fee', false), kind: 'add_fee', rule: 'late-fee', version: 2, fee: { minor: 2500, currency: 'CNY' }, trace: [] },
      ],
    },
    {
      date: '2026-12-05',
      effects: [node('INV-0000043', 'reminder', 'stopped', 'stop_when')],
    },
    {
      date: '2026-12-08',
      effects: [
        node('INV-0000036', 'reminder', 'completed'),
        node('INV-0000036', 'call', 'entered'),
        task('INV-0000036', 'call', 'task', { assignee: 'rep@demo.recoup.test', title: 'Call Initech about INV-0000036', form: 'call-outcome' }),
        node('INV-0000041', 'reminder', 'completed'),
        node('INV-0000041', 'call', 'entered'),
        task('INV-0000041', 'call', 'task', { assignee: 'rep@demo.recoup.test', title: 'Call Umbrella about INV-0000041', form: 'call-outcome' }),
        node('INV-0000042', 'reminder', 'completed'),
        node('INV-0000042', 'call', 'entered'),
        task('INV-0000042', 'call', 'task', { assignee: 'rep@demo.recoup.test', title: 'Call Globex about INV-0000042', form: 'call-outcome' }),
      ],
    },
    {
      date: '2026-12-10',
      effects: [node('INV-0000041', 'call', 'waiting', 'promised until 2026-12-20')],
    },
    {
      date: '2026-12-12',
      effects: [
        node('INV-0000042', 'call', 'paused', 'dispute'),
        { invoice: 'INV-0000042', key: key('INV-0000042', '1/call/1/task/outcome'), kind: 'set', rule: 'overdue-escalation/call', version: 3, workflow: 'overdue-escalation', node: 'call', field: 'invoice.disputed', value: 'true', old_value: 'false', trace: [] },
      ],
    },
    {
      date: '2026-12-16',
      effects: [
        node('INV-0000036', 'call', 'completed'),
        node('INV-0000036', 'review', 'entered'),
        task('INV-0000036', 'review', 'task', { role: 'sales_manager', title: 'Review INV-0000036' }),
        task('INV-0000036', 'review', 'task', { role: 'finance', title: 'Review INV-0000036' }),
        notify('INV-0000036', 'review', 'email', 'formal-letter'),
      ],
    },
    {
      date: '2026-12-21',
      effects: [
        node('INV-0000041', 'call', 'completed'),
        node('INV-0000041', 'review', 'entered'),
        notify('INV-0000041', 'review', 'email', 'formal-letter'),
      ],
    },
    {
      date: '2026-12-31',
      effects: [
        node('INV-0000036', 'review', 'completed'),
        node('INV-0000036', 'decision', 'entered'),
        task('INV-0000036', 'decision', 'approval', { role: 'finance_director', title: 'Decide: Initech owes CNY 9,539.21', form: 'escalation-decision' }),
      ],
    },
  ],
};
