// The workflow designer's picture: its model read from the YAML, the edits
// that rewrite only what changed, the layout, the graph, the side panel and
// the undo history they share. Load it lazily: it brings React Flow and dagre.
export { parseWorkflow, problemsByNode, nodeAtLine, localizedText } from './workflowModel';
export type {
  ActionModel,
  ApprovalModel,
  HumanTaskModel,
  LineRange,
  Localized,
  NodeKind,
  NodeModel,
  OutcomeModel,
  ParseError,
  ParseResult,
  PauseWhenModel,
  Problem,
  RouteKind,
  WorkflowModel,
  YamlPath,
} from './workflowModel';
export { addNode, applyEdits, nodeFieldPath, parseDays, removeNode, setIn, setNodeField, writeDays } from './workflowEdit';
export type { DaysRange, Edit, EditResult, EditValue, NewNode } from './workflowEdit';
export { layoutWorkflow, workflowEdges } from './layout';
export type { GraphEdge, GraphLayout, GraphNode, LayoutOptions } from './layout';
export { WorkflowGraph } from './WorkflowGraph';
export type { GraphHighlight, NodePositions, WorkflowGraphProps } from './WorkflowGraph';
export { NodePanel } from './NodePanel';
export type { ExpressionInputProps, NodePanelProps, PickerOption } from './NodePanel';
export { createHistory, pushText, redoText, undoText, useUndoableText } from './textHistory';
export type { TextHistory, UndoableText } from './textHistory';
export { useWorkflowModel } from './useWorkflowModel';
export { compareWorkflows } from './compareWorkflows';
