// Reading a simulation (POST /api/simulate): which workflow node each
// invoice is in on each day, from the workflows' node effects. A node
// effect carries its workflow, node and event (engine/workflow_run.go):
// "entered" puts the invoice in the node; "completed" (the visit, or the
// whole run on its last node) and "stopped" take it out; "waiting",
// "paused" and "resumed" keep it there in another state; "skipped" and
// "started" place it nowhere. The state that counts for a day is the one
// after that day's tick.
import { parse } from 'yaml';
import type { Schemas } from '../api/client';

export type Simulation = Schemas['Simulation'];
export type SimulationRequest = Schemas['SimulateRequest'];
export type SimulationAnswer = Schemas['SimulationAnswer'];

/** SimEffect is the part of an engine effect the designer reads, with its invoice. */
export interface SimEffect {
  invoice: string;
  kind: string;
  rule: string;
  workflow?: string;
  node?: string;
  event?: string;
  reason?: string;
  field?: string;
  value?: string;
  title?: string;
  channel?: string;
  to?: string;
  toRole?: string;
  role?: string;
  assignee?: string;
  template?: string;
  subject?: string;
  /** an amount (add_fee, accrue_interest, write_off) in integer minor units */
  amount?: { minor: number; currency: string };
}

function str(o: Record<string, unknown>, k: string): string | undefined {
  const v = o[k];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function moneyOf(v: unknown): { minor: number; currency: string } | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const m = v as Record<string, unknown>;
  return typeof m.minor === 'number' && Number.isInteger(m.minor) && typeof m.currency === 'string' ? { minor: m.minor, currency: m.currency } : undefined;
}

/** readEffect reads one effect of a simulated day as the API sends it. */
export function readEffect(raw: Record<string, unknown>): SimEffect {
  return {
    invoice: str(raw, 'invoice') ?? '',
    kind: str(raw, 'kind') ?? '',
    rule: str(raw, 'rule') ?? '',
    workflow: str(raw, 'workflow'),
    node: str(raw, 'node'),
    event: str(raw, 'event'),
    reason: str(raw, 'reason'),
    field: str(raw, 'field'),
    value: str(raw, 'value'),
    title: str(raw, 'title'),
    channel: str(raw, 'channel'),
    to: str(raw, 'to'),
    toRole: str(raw, 'to_role'),
    role: str(raw, 'role'),
    assignee: str(raw, 'assignee'),
    template: str(raw, 'template'),
    subject: str(raw, 'subject'),
    amount: moneyOf(raw.fee) ?? moneyOf(raw.write_off),
  };
}

/** StageStatus is how an invoice stands in its node. */
export type StageStatus = 'running' | 'waiting' | 'paused';

/** Stage is where one invoice's run of one workflow stands. */
export interface Stage {
  workflow: string;
  node: string;
  status: StageStatus;
}

type Positions = Map<string, Stage>; // key: invoice + "\u0000" + workflow

const sep = '\u0000';

/** apply moves the positions by one day's node effects, in their order. */
function apply(pos: Positions, effects: Record<string, unknown>[], workflow: string | undefined) {
  for (const raw of effects) {
    const e = readEffect(raw);
    if (e.kind !== 'node' || !e.workflow || (workflow && e.workflow !== workflow)) continue;
    const key = e.invoice + sep + e.workflow;
    const cur = pos.get(key);
    switch (e.event) {
      case 'entered':
        if (e.node) pos.set(key, { workflow: e.workflow, node: e.node, status: 'running' });
        break;
      case 'completed':
        if (cur && (!e.node || e.node === cur.node)) pos.delete(key);
        break;
      case 'stopped':
      case 'started': // a new run starts outside any node
        pos.delete(key);
        break;
      case 'waiting':
      case 'paused':
      case 'resumed': {
        const node = e.node ?? cur?.node;
        if (node) pos.set(key, { workflow: e.workflow, node, status: e.event === 'resumed' ? 'running' : e.event });
        break;
      }
      default: // skipped: passed over, never stayed
    }
  }
}

/** addDays adds n days to a civil date YYYY-MM-DD. */
export function addDays(date: string, n: number): string {
  const [y, m, d] = date.split('-').map(Number);
  const t = new Date(Date.UTC(y ?? 1970, (m ?? 1) - 1, (d ?? 1) + n));
  return t.toISOString().slice(0, 10);
}

/** daysBetween is the number of days from a to b (civil dates). */
export function daysBetween(a: string, b: string): number {
  const ms = (s: string) => {
    const [y, m, d] = s.split('-').map(Number);
    return Date.UTC(y ?? 1970, (m ?? 1) - 1, d ?? 1);
  };
  return Math.round((ms(b) - ms(a)) / 86_400_000);
}

/** stagesOnDay is where every invoice stands after the tick of date, by invoice and workflow. */
function stagesOnDay(sim: Simulation, date: string, workflow?: string): Positions {
  const pos: Positions = new Map();
  for (const d of sim.days) {
    if (d.date > date) break;
    apply(pos, d.effects, workflow);
  }
  return pos;
}

/**
 * positionsOnDay lists, for each workflow node, the invoices in it after the
 * tick of date (YYYY-MM-DD), sorted; a node nobody is in is absent. Waiting
 * and paused invoices are in their node. With workflow, only that
 * workflow's runs count (node names of different workflows would merge).
 */
export function positionsOnDay(sim: Simulation, date: string, workflow?: string): { [node: string]: string[] } {
  const out: { [node: string]: string[] } = {};
  for (const [key, st] of stagesOnDay(sim, date, workflow)) {
    const invoice = key.slice(0, key.indexOf(sep));
    (out[st.node] ??= []).push(invoice);
  }
  for (const list of Object.values(out)) list.sort();
  return out;
}

/** Segment is a stretch of days an invoice spent in one node in one state. */
export interface Segment extends Stage {
  from: string;
  to: string;
  days: number;
}

/** InvoiceStages is one invoice's segments, day by day, in date order. */
export interface InvoiceStages {
  invoice: string;
  segments: Segment[];
}

/**
 * stageTimeline walks the simulation's range day by day and returns, for
 * every invoice with a node effect, the stretches it spent in each node
 * (one per workflow run state: running, waiting, paused), invoices sorted.
 */
export function stageTimeline(sim: Simulation, workflow?: string): InvoiceStages[] {
  const byDate = new Map(sim.days.map((d) => [d.date, d.effects]));
  const pos: Positions = new Map();
  const open = new Map<string, Segment>(); // by invoice+workflow
  const done = new Map<string, Segment[]>(); // by invoice
  const seen = new Set<string>();
  const close = (key: string) => {
    const s = open.get(key);
    if (!s) return;
    const inv = key.slice(0, key.indexOf(sep));
    done.set(inv, [...(done.get(inv) ?? []), s]);
    open.delete(key);
  };
  const total = daysBetween(sim.from, sim.to);
  for (let i = 0; i <= total; i++) {
    const date = addDays(sim.from, i);
    const effects = byDate.get(date);
    if (effects) {
      apply(pos, effects, workflow);
      for (const raw of effects) {
        const e = readEffect(raw);
        if (e.kind === 'node' && (!workflow || e.workflow === workflow)) seen.add(e.invoice);
      }
    }
    for (const key of [...open.keys()]) {
      const st = pos.get(key);
      const s = open.get(key);
      if (!st || !s || st.node !== s.node || st.status !== s.status) close(key);
    }
    for (const [key, st] of pos) {
      const s = open.get(key);
      if (s) {
        s.to = date;
        s.days++;
      } else {
        open.set(key, { ...st, from: date, to: date, days: 1 });
      }
    }
  }
  for (const key of [...open.keys()]) close(key);
  return [...seen].sort().map((invoice) => ({
    invoice,
    segments: (done.get(invoice) ?? []).sort((a, b) => a.from.localeCompare(b.from) || a.workflow.localeCompare(b.workflow)),
  }));
}

/** WorkflowNode is a node of a workflow's YAML with the form a person answers it with. */
export interface WorkflowNode {
  name: string;
  /** the form of its task or approval; absent for a node nobody answers */
  form?: string;
  answer?: 'task' | 'approval';
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * workflowNodes reads a workflow's nodes from its YAML text, with the form
 * of each node's task or approval; text that does not parse (while it is
 * typed) has none.
 */
export function workflowNodes(source: string): WorkflowNode[] {
  let doc: unknown;
  try {
    doc = parse(source);
  } catch {
    return [];
  }
  const spec = isObj(doc) ? doc.spec : undefined;
  const nodes = isObj(spec) && Array.isArray(spec.nodes) ? spec.nodes : [];
  const out: WorkflowNode[] = [];
  for (const n of nodes) {
    if (!isObj(n) || typeof n.name !== 'string' || n.name === '') continue;
    const node: WorkflowNode = { name: n.name };
    for (const part of ['task', 'approval'] as const) {
      const p = n[part];
      if (isObj(p)) {
        node.answer = part;
        if (typeof p.form === 'string' && p.form !== '') node.form = p.form;
        break;
      }
    }
    out.push(node);
  }
  return out;
}

/** workflowName is the metadata.name of a workflow's YAML text, if it parses. */
export function workflowName(source: string): string | undefined {
  try {
    const doc: unknown = parse(source);
    const meta = isObj(doc) ? doc.metadata : undefined;
    return isObj(meta) && typeof meta.name === 'string' ? meta.name : undefined;
  } catch {
    return undefined;
  }
}
