// A one-line expression field for the side panels: CodeMirror with
// completion and hover help from the expression environment (invoice.,
// customer., payments., the functions), Enter commits like leaving the
// field. The value follows the props (an edit in the YAML shows here).
import { useEffect, useRef } from 'react';
import { EditorView, keymap, placeholder as placeholderExt, hoverTooltip } from '@codemirror/view';
import { hoverBox, wordAt } from './hover';
import { EditorState, Prec } from '@codemirror/state';
import { autocompletion, completionKeymap, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { describeName, exprCompletions, type Environment } from './exprHints';
import { smallestEdit } from './YamlEditor';

export interface ExpressionInputProps {
  id: string;
  value: string;
  onChange(value: string): void;
  onBlur?(): void;
  'aria-label': string;
  disabled?: boolean;
  environment: Environment | undefined;
  placeholder?: string;
}

export function ExpressionInput(props: ExpressionInputProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    if (!host.current) return undefined;
    const complete = (ctx: CompletionContext): CompletionResult | null => {
      const env = latest.current.environment;
      if (!env) return null;
      const r = exprCompletions(env, ctx.state.sliceDoc(0, ctx.pos));
      if (!r || (!ctx.explicit && r.replace === 0 && !/\.$/.test(ctx.state.sliceDoc(0, ctx.pos)))) return null;
      return { from: ctx.pos - r.replace, options: r.options.map((o) => ({ label: o.label, detail: o.detail, info: o.info, apply: o.apply, type: o.type === 'function' ? 'function' : 'property' })), validFor: /^\w*$/ };
    };
    const hover = hoverTooltip((v, pos) => {
      const env = latest.current.environment;
      if (!env) return null;
      const text = v.state.doc.toString();
      const [s, e] = wordAt(text, pos);
      const d = s < e ? describeName(env, text.slice(s, e)) : undefined;
      if (!d) return null;
      return { pos: s, end: e, above: true, create: () => hoverBox(d.title, d.doc) };
    });
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: latest.current.value,
        extensions: [
          history(),
          // one line: Enter commits instead of breaking the line
          Prec.highest(keymap.of([{ key: 'Enter', run: (ev) => { ev.contentDOM.blur(); return true; } }])),
          keymap.of([...completionKeymap, ...historyKeymap, ...defaultKeymap]),
          EditorState.transactionFilter.of((tr) => (tr.newDoc.lines > 1 ? [] : tr)),
          autocompletion({ override: [complete] }),
          hover,
          placeholderExt(latest.current.placeholder ?? ''),
          EditorView.editable.of(!latest.current.disabled),
          EditorView.contentAttributes.of({ 'aria-label': latest.current['aria-label'], id: latest.current.id, role: 'textbox', 'aria-multiline': 'false', spellcheck: 'false' }),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) latest.current.onChange(u.state.doc.toString());
            if (u.focusChanged && !u.view.hasFocus) latest.current.onBlur?.();
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

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const edit = smallestEdit(v.state.doc.toString(), props.value);
    if (edit) v.dispatch({ changes: edit });
  }, [props.value]);

  return <div ref={host} className="designer-expression" />;
}
