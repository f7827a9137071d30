// The designer's text editor: CodeMirror 6 with YAML highlighting, the
// server's problems as inline markers, completion and hover help from the
// published JSON Schema of the definition's kind and the expression
// environment. A change made elsewhere (the graph, the form designer)
// arrives as a new value and is applied as the smallest edit, so that the
// editor's own undo and redo cover it too.
import { forwardRef, useEffect, useImperativeHandle, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { Compartment, EditorState, type Text } from '@codemirror/state';
import { hoverTooltip } from '@codemirror/view';
import { hoverBox, wordAt } from './hover';
import { yaml } from '@codemirror/lang-yaml';
import { lintGutter, setDiagnostics, type Diagnostic } from '@codemirror/lint';
import { autocompletion, type Completion, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { redo, undo } from '@codemirror/commands';
import { positionAt } from './yamlPath';
import { describeKey, isExpression, keysAt, valuesAt, type JsonSchema } from './schemaHints';
import { describeName, exprCompletions, type Environment } from './exprHints';

export interface EditorProblem {
  line?: number;
  column?: number;
  message: string;
  source?: string;
}

export interface YamlEditorHandle {
  /** focusAt puts the cursor at a 1-based line and column and scrolls there. */
  focusAt(line: number, column: number): void;
  undo(): void;
  redo(): void;
}

export interface YamlEditorProps {
  value: string;
  onChange(value: string): void;
  problems?: EditorProblem[];
  schema?: JsonSchema;
  environment?: Environment;
  label: string;
  readOnly?: boolean;
}

/** offsetOf turns a 1-based line and column into an offset of doc, clamped. */
export function offsetOf(doc: Text, line: number, column: number): number {
  const l = doc.line(Math.min(Math.max(1, line), doc.lines));
  return Math.min(l.to, l.from + Math.max(0, column - 1));
}

/** smallestEdit is the one change turning a into b: the differing middle. */
export function smallestEdit(a: string, b: string): { from: number; to: number; insert: string } | undefined {
  if (a === b) return undefined;
  let start = 0;
  const max = Math.min(a.length, b.length);
  while (start < max && a.charCodeAt(start) === b.charCodeAt(start)) start++;
  let endA = a.length;
  let endB = b.length;
  while (endA > start && endB > start && a.charCodeAt(endA - 1) === b.charCodeAt(endB - 1)) {
    endA--;
    endB--;
  }
  return { from: start, to: endA, insert: b.slice(start, endB) };
}

function diagnostics(doc: Text, problems: EditorProblem[]): Diagnostic[] {
  return problems
    .filter((p) => !p.source && p.line)
    .map((p) => {
      const from = offsetOf(doc, p.line ?? 1, p.column ?? 1);
      const line = doc.lineAt(from);
      // mark the word at the column (at least one character)
      const rest = doc.sliceString(from, line.to);
      const word = /^[\w.-]+/.exec(rest)?.[0].length ?? 0;
      return { from, to: Math.min(line.to, from + Math.max(1, word)), severity: 'error', message: p.message };
    });
}

export const YamlEditor = forwardRef<YamlEditorHandle, YamlEditorProps>(function YamlEditor(props, ref) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  // the latest props, read by the editor's callbacks
  const latest = useRef(props);
  latest.current = props;
  const readOnly = useRef(new Compartment());

  useEffect(() => {
    if (!host.current) return undefined;
    const complete = (ctx: CompletionContext): CompletionResult | null => {
      const { schema, environment } = latest.current;
      const line = ctx.state.doc.lineAt(ctx.pos);
      const lineBefore = ctx.state.sliceDoc(line.from, ctx.pos);
      // inside {{ … }} of a template: the fields a template reads
      const open = lineBefore.lastIndexOf('{{');
      if (environment && open >= 0 && lineBefore.indexOf('}}', open) < 0) {
        const r = exprCompletions(environment, lineBefore.slice(open + 2));
        return r ? { from: ctx.pos - r.replace, options: r.options.map(toCompletion), validFor: /^\w*$/ } : null;
      }
      const text = ctx.state.doc.toString();
      const p = positionAt(text, ctx.pos);
      if (p.inKey) {
        if (!schema || (!ctx.explicit && p.prefix === '' && !ctx.matchBefore(/^\s*-?\s*$/))) return null;
        const keys = keysAt(schema, p.path);
        if (keys.length === 0) return null;
        return {
          from: p.from,
          options: keys.map((k) => ({ label: k.key, type: 'property', detail: k.required ? '*' : undefined, info: k.description, apply: `${k.key}: ` })),
          validFor: /^[\w-]*$/,
        };
      }
      if (!p.key) return null;
      if (environment && (!schema || isExpression(schema, p.path, p.key) || /\{\{/.test(p.prefix))) {
        const r = exprCompletions(environment, p.prefix);
        if (r && (ctx.explicit || p.prefix !== '')) return { from: ctx.pos - r.replace, options: r.options.map(toCompletion), validFor: /^\w*$/ };
      }
      if (!schema) return null;
      const values = valuesAt(schema, p.path, p.key);
      if (values.length === 0) return null;
      return { from: p.from, options: values.map((v) => ({ label: v, type: 'enum' })), validFor: /^[\w-]*$/ };
    };
    const hover = hoverTooltip((v, pos) => {
      const { schema, environment } = latest.current;
      const line = v.state.doc.lineAt(pos);
      const text = line.text;
      const [s, e] = wordAt(text, pos - line.from);
      if (s === e) return null;
      const word = text.slice(s, e);
      let title: string | undefined;
      let doc: string | undefined;
      if (environment) {
        const d = describeName(environment, word);
        if (d) ({ title, doc } = d);
      }
      if (!title && schema && text.slice(e).startsWith(':')) {
        const p = positionAt(v.state.doc.toString(), line.from + s);
        const d = describeKey(schema, p.path, word);
        if (d) [title, doc] = [word, d];
      }
      if (!title) return null;
      return {
        pos: line.from + s,
        end: line.from + e,
        above: true,
        create: () => hoverBox(title ?? '', doc),
      };
    });
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: latest.current.value,
        extensions: [
          basicSetup,
          yaml(),
          lintGutter(),
          autocompletion({ override: [complete], activateOnTyping: true }),
          hover,
          readOnly.current.of(EditorState.readOnly.of(latest.current.readOnly ?? false)),
          EditorView.contentAttributes.of({ 'aria-label': latest.current.label, tabindex: '0' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) {
              const text = u.state.doc.toString();
              if (text !== latest.current.value) latest.current.onChange(text);
            }
          }),
        ],
      }),
    });
    view.current = v;
    return () => {
      v.destroy();
      view.current = null;
    };
  }, []);

  // a new value from outside: the smallest edit, kept in the editor's history
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const edit = smallestEdit(v.state.doc.toString(), props.value);
    if (edit) v.dispatch({ changes: edit });
  }, [props.value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    v.dispatch(setDiagnostics(v.state, diagnostics(v.state.doc, props.problems ?? [])));
  }, [props.problems]);

  useEffect(() => {
    view.current?.dispatch({ effects: readOnly.current.reconfigure(EditorState.readOnly.of(props.readOnly ?? false)) });
  }, [props.readOnly]);

  useImperativeHandle(ref, () => ({
    focusAt(line, column) {
      const v = view.current;
      if (!v) return;
      const pos = offsetOf(v.state.doc, line, column);
      v.dispatch({ selection: { anchor: pos }, effects: EditorView.scrollIntoView(pos, { y: 'center' }) });
      v.focus();
    },
    undo() {
      if (view.current) undo(view.current);
    },
    redo() {
      if (view.current) redo(view.current);
    },
  }), []);

  return <div ref={host} className="designer-editor" data-testid="yaml-editor" />;
});

function toCompletion(o: { label: string; type: string; detail: string; info?: string; apply: string }): Completion {
  return { label: o.label, type: o.type === 'function' ? 'function' : o.type === 'object' ? 'namespace' : 'property', detail: o.detail, info: o.info, apply: o.apply };
}
