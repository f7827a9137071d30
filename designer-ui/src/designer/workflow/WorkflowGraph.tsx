// The workflow drawn from its model: a box per stage (its kind, title, name
// and entry condition), the schedule and the outcomes as labelled arrows,
// start_when / stop_when / pause_when above, validation problems as badges on
// their stage. Each stage is a button: click or Enter opens its settings.
// The layout is computed on every change (layout.ts); nothing is stored.
import { memo, useEffect, useMemo, useRef, type ReactNode } from 'react';
import {
  BaseEdge,
  Controls,
  EdgeLabelRenderer,
  Handle,
  MarkerType,
  Position,
  ReactFlow,
  ReactFlowProvider,
  getBezierPath,
  type Edge,
  type EdgeProps,
  type EdgeTypes,
  type Node,
  type NodeProps,
  type NodeTypes,
  useReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import {
  AuditOutlined,
  CheckCircleOutlined,
  ClockCircleOutlined,
  ExclamationCircleOutlined,
  MailOutlined,
  PauseCircleOutlined,
  PlayCircleOutlined,
  ThunderboltOutlined,
  UserOutlined,
} from '@ant-design/icons';
import { Grid } from 'antd';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { layoutWorkflow, type EdgeKind, type GraphEdge, type GraphNode, type TerminalKind } from './layout';
import { localizedText, problemsByNode, type NodeKind, type NodeModel, type Problem, type WorkflowModel } from './workflowModel';
import { conditionText, routeText, shorten } from './graphText';
import './workflowGraph.css';

/** GraphHighlight marks nodes by name, for comparing two versions. */
export interface GraphHighlight {
  added?: readonly string[];
  changed?: readonly string[];
  removed?: readonly string[];
}

/** NodePositions says which invoices are in which node (by name), for a simulation's day. */
export type NodePositions = Readonly<Record<string, { invoices: readonly string[] }>>;

export interface WorkflowGraphProps {
  /** the model of the YAML (parseWorkflow / useWorkflowModel; the last good one while the text does not parse). */
  model: WorkflowModel;
  /** validation problems at line:column of the same text; each is shown on the node whose lines hold it. */
  problems?: readonly Problem[];
  highlight?: GraphHighlight;
  positions?: NodePositions;
  /** the selected node's name. */
  selected?: string | undefined;
  /** called with a node's name when it is clicked or chosen with the keyboard. */
  onSelect?: (name: string) => void;
  /** the canvas height (default 420). */
  height?: number | string;
  /** left to right, or top to bottom; by default top to bottom on a phone's width only. */
  direction?: 'LR' | 'TB';
}

type Highlight = 'added' | 'changed' | 'removed';

interface StepData extends Record<string, unknown> {
  node: NodeModel;
  title: string;
  condition: string;
  problems: Problem[];
  highlight?: Highlight;
  invoices: readonly string[];
  selected: boolean;
  onSelect?: (name: string) => void;
  /** drawn top to bottom (a phone): arrows leave at the bottom and arrive at the top */
  down: boolean;
}

interface TerminalData extends Record<string, unknown> {
  terminal: TerminalKind;
  label: string;
  down: boolean;
}

interface RouteData extends Record<string, unknown> {
  kind: EdgeKind;
  label: string;
  /** the n-th loop on the same node, to stack them. */
  loop: number;
}

type StepNode = Node<StepData, 'step'>;
type TerminalNode = Node<TerminalData, 'terminal'>;
type RouteEdge = Edge<RouteData, 'route'>;

const kindIcon: Record<NodeKind, ReactNode> = {
  approval: <AuditOutlined />,
  task: <UserOutlined />,
  notify: <MailOutlined />,
  actions: <ThunderboltOutlined />,
  wait: <ClockCircleOutlined />,
};

const terminalIcon: Record<TerminalKind, ReactNode> = {
  start: <PlayCircleOutlined />,
  end: <CheckCircleOutlined />,
  paused: <PauseCircleOutlined />,
};

const StepBox = memo(function StepBox({ data }: NodeProps<StepNode>) {
  const { t } = useTranslation('workflowGraph');
  const { node, title, condition, problems, highlight, invoices, selected, onSelect, down } = data;
  const kind = t(`kind.${node.kind}`);
  const problemText = problems.map((p) => t('graph.problemAt', { line: p.line, column: p.column, message: p.message })).join('\n');
  const label = [
    t('graph.openNode', { kind, title, name: node.name, condition }),
    highlight ? t(`highlight.${highlight}`) : '',
    problems.length > 0 ? t('graph.problems', { count: problems.length }) : '',
    invoices.length > 0 ? t('graph.invoices', { count: invoices.length }) : '',
  ]
    .filter(Boolean)
    .join('. ');
  return (
    <div className={`wfg-step wfg-kind-${node.kind}${selected ? ' wfg-selected' : ''}${highlight ? ` wfg-${highlight}` : ''}`}>
      <Handle type="target" position={down ? Position.Top : Position.Left} isConnectable={false} />
      <button
        type="button"
        className="wfg-step-button nodrag"
        aria-label={label}
        aria-pressed={selected}
        title={problemText || undefined}
        onClick={() => onSelect?.(node.name)}
      >
        <span className="wfg-step-head">
          <span className="wfg-icon" aria-hidden="true">
            {kindIcon[node.kind]}
          </span>
          <span className="wfg-kind">{kind}</span>
          {highlight && <span className={`wfg-tag wfg-tag-${highlight}`}>{t(`highlight.${highlight}`)}</span>}
        </span>
        <span className="wfg-title">{title}</span>
        <span className="wfg-name">{node.name}</span>
        <span className="wfg-condition">{condition}</span>
      </button>
      {problems.length > 0 && (
        <span className="wfg-badge wfg-badge-problem" aria-hidden="true" title={problemText}>
          <ExclamationCircleOutlined /> {problems.length}
        </span>
      )}
      {invoices.length > 0 && (
        <span className="wfg-badge wfg-badge-invoices" aria-hidden="true" title={invoices.join(', ')}>
          {invoices.length > 3
            ? `${invoices.slice(0, 3).join(', ')} ${t('graph.andMore', { count: invoices.length - 3 })}`
            : invoices.join(', ')}
        </span>
      )}
      <Handle type="source" position={down ? Position.Bottom : Position.Right} isConnectable={false} />
    </div>
  );
});

const TerminalBox = memo(function TerminalBox({ data }: NodeProps<TerminalNode>) {
  return (
    <div className={`wfg-terminal wfg-terminal-${data.terminal}`}>
      {data.terminal !== 'start' && <Handle type="target" position={data.down ? Position.Top : Position.Left} isConnectable={false} />}
      <span className="wfg-icon" aria-hidden="true">
        {terminalIcon[data.terminal]}
      </span>
      <span>{data.label}</span>
      {data.terminal === 'start' && <Handle type="source" position={data.down ? Position.Bottom : Position.Right} isConnectable={false} />}
    </div>
  );
});

/** RouteArrow draws an edge with its label in HTML (readable contrast), and a wait as a loop over its node. */
const RouteArrow = memo(function RouteArrow(props: EdgeProps<RouteEdge>) {
  const { id, source, target, sourceX, sourceY, targetX, targetY, sourcePosition, targetPosition, markerEnd, data } = props;
  let path: string;
  let lx: number;
  let ly: number;
  if (source === target && sourcePosition === Position.Bottom) {
    // top to bottom: from the bottom round the right side back to the top
    const reach = 190 + 34 * (data?.loop ?? 0);
    const side = Math.max(sourceX, targetX) + reach;
    path = `M ${sourceX} ${sourceY} C ${side} ${sourceY + 60}, ${side} ${targetY - 60}, ${targetX} ${targetY}`;
    lx = side - reach * 0.25;
    ly = (sourceY + targetY) / 2;
  } else if (source === target) {
    const lift = 70 + 34 * (data?.loop ?? 0);
    const top = Math.min(sourceY, targetY) - lift;
    path = `M ${sourceX} ${sourceY} C ${sourceX + 60} ${top}, ${targetX - 60} ${top}, ${targetX} ${targetY}`;
    lx = (sourceX + targetX) / 2;
    ly = top + lift * 0.25;
  } else {
    [path, lx, ly] = getBezierPath({ sourceX, sourceY, sourcePosition, targetX, targetY, targetPosition });
  }
  return (
    <>
      <BaseEdge id={id} path={path} markerEnd={markerEnd} className={`wfg-edge wfg-edge-${data?.kind ?? 'schedule'}`} />
      {data?.label && (
        <EdgeLabelRenderer>
          <div className={`wfg-edge-label wfg-edge-label-${data.kind}`} style={{ transform: `translate(-50%, -50%) translate(${lx}px, ${ly}px)` }}>
            {data.label}
          </div>
        </EdgeLabelRenderer>
      )}
    </>
  );
});

const nodeTypes: NodeTypes = { step: StepBox, terminal: TerminalBox };
const edgeTypes: EdgeTypes = { route: RouteArrow };

const edgeColor: Record<EdgeKind, string> = {
  start: '#595959',
  schedule: '#595959',
  next: '#0958d9',
  goto: '#531dab',
  wait_until: '#ad4e00',
  pause: '#a8071a',
  complete: '#237804',
};

function highlightOf(name: string, h: GraphHighlight | undefined): Highlight | undefined {
  if (!h) return undefined;
  if (h.added?.includes(name)) return 'added';
  if (h.changed?.includes(name)) return 'changed';
  if (h.removed?.includes(name)) return 'removed';
  return undefined;
}

/** toFlow turns the laid-out graph into React Flow's nodes and edges. */
function toFlow(
  layout: { nodes: GraphNode[]; edges: GraphEdge[] },
  model: WorkflowModel,
  props: WorkflowGraphProps,
  lang: string,
  t: TFunction,
): { nodes: (StepNode | TerminalNode)[]; edges: RouteEdge[] } {
  const byNode = problemsByNode(model, props.problems ?? []);
  const down = props.direction === 'TB';
  const nodes = layout.nodes.map((g): StepNode | TerminalNode => {
    const common = { id: g.id, position: { x: g.x, y: g.y }, width: g.width, height: g.height, draggable: false, connectable: false, selectable: false, focusable: false };
    if (g.node) {
      const n = g.node;
      return {
        ...common,
        type: 'step',
        data: {
          node: n,
          title: localizedText(n.title, lang) ?? n.name,
          condition: conditionText(n, t),
          problems: byNode.nodes[n.index] ?? [],
          ...(highlightOf(n.name, props.highlight) ? { highlight: highlightOf(n.name, props.highlight) } : {}),
          invoices: props.positions?.[n.name]?.invoices ?? [],
          selected: props.selected === n.name,
          ...(props.onSelect ? { onSelect: props.onSelect } : {}),
          down,
        },
      };
    }
    const terminal = g.terminal ?? 'start';
    const label = terminal === 'start' ? t('workflowGraph:graph.start') : terminal === 'end' ? t('workflowGraph:graph.end') : t('workflowGraph:graph.paused');
    return { ...common, type: 'terminal', data: { terminal, label, down } };
  });
  const loops = new Map<string, number>();
  const edges = layout.edges.map((e): RouteEdge => {
    const loop = e.source === e.target ? (loops.get(e.source) ?? 0) : 0;
    if (e.source === e.target) loops.set(e.source, loop + 1);
    const label = e.outcome ? routeText(e.outcome, t) : '';
    const ariaLabel = e.outcome ? routeText(e.outcome, t, true) : `${e.source} → ${e.target}`;
    return {
      id: e.id,
      source: e.source,
      target: e.target,
      type: 'route',
      ariaLabel,
      focusable: false,
      selectable: false,
      markerEnd: { type: MarkerType.ArrowClosed, color: edgeColor[e.kind], width: 18, height: 18 },
      style: { stroke: edgeColor[e.kind] },
      data: { kind: e.kind, label, loop },
    };
  });
  return { nodes, edges };
}

function WorkflowHeader({ model, problems }: { model: WorkflowModel; problems: Problem[] }) {
  const { t, i18n } = useTranslation('workflowGraph');
  const title = localizedText(model.title, i18n.language) ?? model.name;
  return (
    <div className="wfg-header">
      <h3 className="wfg-header-title">{title}</h3>
      <dl className="wfg-header-list">
        <div>
          <dt>{t('graph.startWhen')}</dt>
          <dd><code>{model.start_when ?? t('graph.none')}</code></dd>
        </div>
        <div>
          <dt>{t('graph.stopWhen')}</dt>
          <dd><code>{model.stop_when ?? t('graph.none')}</code></dd>
        </div>
        <div>
          <dt>{t('graph.pauseWhen')}</dt>
          <dd>
            {model.pause_when.length === 0 ? (
              t('graph.none')
            ) : (
              <ul className="wfg-pause-list">
                {model.pause_when.map((p, i) => (
                  <li key={i}>
                    {p.until
                      ? t('graph.pauseUntil', { when: shorten(p.when ?? '', 60), reason: p.reason ?? '', until: p.until })
                      : t('graph.pauseItem', { when: shorten(p.when ?? '', 60), reason: p.reason ?? '' })}
                  </li>
                ))}
              </ul>
            )}
          </dd>
        </div>
      </dl>
      {problems.length > 0 && (
        <div className="wfg-header-problems" role="group" aria-label={t('graph.workflowProblems')}>
          <span className="wfg-badge wfg-badge-problem wfg-badge-inline">
            <ExclamationCircleOutlined aria-hidden="true" /> {t('graph.problems', { count: problems.length })}
          </span>
          <ul>
            {problems.map((p, i) => (
              <li key={i}>{t('graph.problemAt', { line: p.line, column: p.column, message: p.message })}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

/**
 * FitOnResize fits the workflow to the canvas again when the canvas changes
 * size (a phone turned, a window resized) or stages are added or removed:
 * otherwise stages end up outside the visible part.
 */
function FitOnResize({ stages, first }: { stages: number; first: readonly string[] }) {
  const { fitView } = useReactFlow();
  const ref = useRef<HTMLDivElement>(null);
  const head = useRef(first);
  head.current = first;
  useEffect(() => {
    const canvas = ref.current?.closest('.wfg-canvas');
    if (!canvas) return undefined;
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => void fitView(fitFor(canvas, head.current)));
    });
    ro.observe(canvas);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
    };
  }, [fitView]);
  useEffect(() => {
    const canvas = ref.current?.closest('.wfg-canvas');
    const frame = requestAnimationFrame(() => void fitView(canvas ? fitFor(canvas, head.current) : fitOptions));
    return () => cancelAnimationFrame(frame);
  }, [fitView, stages]);
  return <div ref={ref} hidden />;
}

const fitOptions = { padding: 0.06, maxZoom: 1.1 };

/**
 * fitFor fits the whole workflow on a desk; on a phone's narrow canvas the
 * whole (drawn top to bottom) would be too small to read, so it fits the
 * start and the first stages, and the rest is a pan away.
 */
function fitFor(canvas: Element, first: readonly string[]): typeof fitOptions & { nodes?: { id: string }[] } {
  return canvas.clientWidth < 600 ? { ...fitOptions, nodes: first.map((id) => ({ id })) } : fitOptions;
}

/** WorkflowGraph draws a workflow's model. Wrap-free: it has its own React Flow provider. */
export function WorkflowGraph(props: WorkflowGraphProps) {
  const { model, problems, height = 420 } = props;
  const { t, i18n } = useTranslation('workflowGraph');
  const phone = !Grid.useBreakpoint().md;
  const direction = props.direction ?? (phone ? 'TB' : 'LR');
  const layout = useMemo(() => {
    // where "lays out and draws" starts, for the drawing benchmark (e2e/designer-perf.mjs)
    performance.mark('recoup:workflow-layout');
    return layoutWorkflow(model, { direction });
  }, [model, direction]);
  const { highlight, positions, selected, onSelect } = props;
  const lang = i18n.language;
  const flow = useMemo(
    () => toFlow(layout, model, { model, problems, highlight, positions, selected, onSelect, direction }, lang, t),
    [layout, model, problems, highlight, positions, selected, onSelect, direction, lang, t],
  );
  // what a phone shows first: the start and the first two stages
  const first = useMemo(() => layout.nodes.filter((n) => n.terminal === 'start' || (n.node && n.node.index < 2)).map((n) => n.id), [layout]);
  const workflowProblems = useMemo(() => problemsByNode(model, problems ?? []).workflow, [model, problems]);
  const aria = useMemo(
    () => ({
      'node.a11yDescription.default': t('controls.node'),
      'node.a11yDescription.keyboardDisabled': t('controls.node'),
      'edge.a11yDescription.default': t('controls.edge'),
      'controls.ariaLabel': t('controls.region'),
      'controls.zoomIn.ariaLabel': t('controls.zoomIn'),
      'controls.zoomOut.ariaLabel': t('controls.zoomOut'),
      'controls.fitView.ariaLabel': t('controls.fitView'),
      'controls.interactive.ariaLabel': t('controls.interactive'),
      'minimap.ariaLabel': t('controls.minimap'),
      'handle.ariaLabel': t('controls.handle'),
    }),
    [t],
  );
  const title = localizedText(model.title, i18n.language) ?? model.name;
  return (
    <section className="wfg" aria-label={t('graph.label', { name: title })}>
      <WorkflowHeader model={model} problems={workflowProblems} />
      <div className="wfg-canvas" style={{ height }}>
        <ReactFlowProvider>
          <ReactFlow<StepNode | TerminalNode, RouteEdge>
            aria-label={t('graph.canvas')}
            nodes={flow.nodes}
            edges={flow.edges}
            nodeTypes={nodeTypes}
            edgeTypes={edgeTypes}
            nodesDraggable={false}
            nodesConnectable={false}
            nodesFocusable={false}
            edgesFocusable={false}
            elementsSelectable={false}
            fitView
            fitViewOptions={fitOptions}
            minZoom={0.2}
            ariaLabelConfig={aria}
            disableKeyboardA11y
          >
            <Controls showInteractive={false} />
            <FitOnResize stages={model.nodes.length} first={first} />
          </ReactFlow>
        </ReactFlowProvider>
      </div>
    </section>
  );
}
