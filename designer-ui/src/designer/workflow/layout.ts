// The workflow model as boxes and arrows, placed left to right by dagre.
// Positions are computed on every change and never stored, so a workflow's
// versions differ only in their YAML. Pure: no React, no DOM.
import dagre from '@dagrejs/dagre';
import type { NodeModel, OutcomeModel, RouteKind, WorkflowModel } from './workflowModel';

/** The boxes besides the workflow's nodes: where it starts, completes, and waits paused. */
export type TerminalKind = 'start' | 'end' | 'paused';

export interface GraphNode {
  /** "n<index>" for a workflow node (names may repeat in a text being typed), else the terminal kind. */
  id: string;
  terminal?: TerminalKind;
  node?: NodeModel;
  /** top-left corner, as React Flow places nodes. */
  x: number;
  y: number;
  width: number;
  height: number;
}

/** schedule: the instance moves on to the next node when its when/after holds; start: the instance starts. */
export type EdgeKind = 'start' | 'schedule' | Exclude<RouteKind, 'invalid'>;

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  kind: EdgeKind;
  /** the outcome the edge routes (kinds other than start and schedule). */
  outcome?: OutcomeModel;
}

export interface GraphLayout {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** a box's size; by default 240×104 for a node, 140×56 for a terminal. */
  size?: (n: { node?: NodeModel; terminal?: TerminalKind }) => { width: number; height: number };
  /** the width of an edge's label, for spacing; by default from its outcome's length. */
  labelWidth?: (e: GraphEdge) => number;
  /** left to right (LR, the default: a desk's wide canvas) or top to bottom (TB: a phone's narrow one). */
  direction?: 'LR' | 'TB';
}

export const nodeWidth = 240;
export const nodeHeight = 104;
export const terminalWidth = 140;
export const terminalHeight = 56;

export function nodeId(index: number): string {
  return `n${index}`;
}

/**
 * workflowEdges lists the graph's boxes and arrows: start → first node, each
 * node → the next (the schedule), and each outcome as its route goes (next,
 * goto, a wait that comes back to its node, a pause, complete). A route to
 * an unknown node draws nothing: its problem is shown on the node.
 */
export function workflowEdges(model: WorkflowModel): { ids: { id: string; terminal?: TerminalKind; node?: NodeModel }[]; edges: GraphEdge[] } {
  const ids: { id: string; terminal?: TerminalKind; node?: NodeModel }[] = [{ id: 'start', terminal: 'start' }];
  const edges: GraphEdge[] = [];
  const byName = new Map<string, number>();
  model.nodes.forEach((n) => {
    if (!byName.has(n.name)) byName.set(n.name, n.index);
    ids.push({ id: nodeId(n.index), node: n });
  });
  const first = model.nodes[0];
  if (first) edges.push({ id: 'start', source: 'start', target: nodeId(first.index), kind: 'start' });
  let usesEnd = false;
  let usesPaused = false;
  for (const n of model.nodes) {
    const next = model.nodes[n.index + 1];
    const from = nodeId(n.index);
    if (next) edges.push({ id: `${from}-schedule`, source: from, target: nodeId(next.index), kind: 'schedule' });
    n.outcomes.forEach((o, k) => {
      const id = `${from}-o${k}`;
      let target: string | undefined;
      switch (o.route) {
        case 'next':
          target = next ? nodeId(next.index) : 'end';
          break;
        case 'goto': {
          const t = o.target !== undefined ? byName.get(o.target) : undefined;
          target = t !== undefined ? nodeId(t) : undefined;
          break;
        }
        case 'wait_until':
          target = from;
          break;
        case 'pause':
          target = 'paused';
          break;
        case 'complete':
          target = 'end';
          break;
        default:
          target = undefined;
      }
      if (target === undefined || o.route === 'invalid') return;
      if (target === 'end') usesEnd = true;
      if (target === 'paused') usesPaused = true;
      edges.push({ id, source: from, target, kind: o.route, outcome: o });
    });
  }
  if (usesPaused) ids.push({ id: 'paused', terminal: 'paused' });
  if (usesEnd) ids.push({ id: 'end', terminal: 'end' });
  return { ids, edges };
}

function defaultSize(n: { node?: NodeModel; terminal?: TerminalKind }): { width: number; height: number } {
  return n.terminal ? { width: terminalWidth, height: terminalHeight } : { width: nodeWidth, height: nodeHeight };
}

function defaultLabelWidth(e: GraphEdge): number {
  const o = e.outcome;
  if (!o) return 0;
  return Math.min(220, 16 + 7 * (o.value.length + (o.until?.length ?? o.reason?.length ?? 0)));
}

/**
 * layoutWorkflow places the workflow's graph left to right (or top to
 * bottom, opts.direction). dagre places the
 * start, the nodes, the schedule and the goto routes; the terminals (paused,
 * end) are set beside what leads to them, and a wait's loop stays on its
 * node: routed through dagre, those long edges made a 30-node layout take
 * several times longer for no better picture (layout.bench.ts).
 */
export function layoutWorkflow(model: WorkflowModel, opts: LayoutOptions = {}): GraphLayout {
  const size = opts.size ?? defaultSize;
  const labelWidth = opts.labelWidth ?? defaultLabelWidth;
  const { ids, edges } = workflowEdges(model);
  const ranksep = 90;
  const g = new dagre.graphlib.Graph({ multigraph: true });
  const down = opts.direction === 'TB';
  g.setGraph({ rankdir: down ? 'TB' : 'LR', nodesep: 36, ranksep, edgesep: 24, marginx: 16, marginy: 16 });
  g.setDefaultEdgeLabel(() => ({}));
  const placed = ids.filter((n) => n.terminal !== 'end' && n.terminal !== 'paused');
  for (const n of placed) g.setNode(n.id, { ...size(n) });
  for (const e of edges) {
    if (e.target === 'end' || e.target === 'paused' || e.source === e.target) continue;
    // the schedule weighs most, so the stages keep their order and outcomes bend around them
    const weight = e.kind === 'schedule' || e.kind === 'start' ? 4 : 1;
    g.setEdge(e.source, e.target, { width: labelWidth(e), height: e.outcome ? 20 : 0, labelpos: 'c', weight }, e.id);
  }
  dagre.layout(g);
  const nodes: GraphNode[] = placed.map((n) => {
    const p = g.node(n.id);
    const { width, height } = size(n);
    return { ...n, x: Math.round(p.x - width / 2), y: Math.round(p.y - height / 2), width, height };
  });
  const at = new Map(nodes.map((n) => [n.id, n]));
  let right = Math.max(0, ...nodes.map((n) => n.x + n.width));
  let bottom = Math.max(0, ...nodes.map((n) => n.y + n.height));
  const sourcesOf = (target: string): GraphNode[] =>
    edges.filter((e) => e.target === target).flatMap((e) => at.get(e.source) ?? []);
  for (const n of ids) {
    if (n.terminal !== 'end' && n.terminal !== 'paused') continue;
    const { width, height } = size(n);
    const from = sourcesOf(n.id);
    const cx = from.reduce((s, f) => s + f.x + f.width / 2, 0) / Math.max(1, from.length);
    const cy = from.reduce((s, f) => s + f.y + f.height / 2, 0) / Math.max(1, from.length);
    // the end follows the flow (right, or below); paused stands aside (below, or right)
    const onward = (n.terminal === 'end') !== down;
    const box: GraphNode = onward
      ? { ...n, x: right + (down ? 60 : ranksep), y: Math.round(cy - height / 2), width, height }
      : { ...n, x: Math.round(cx - width / 2), y: bottom + (down ? ranksep : 60), width, height };
    nodes.push(box);
    right = Math.max(right, box.x + width);
    bottom = Math.max(bottom, box.y + height);
  }
  return { nodes, edges, width: right + 16, height: bottom + 16 };
}
