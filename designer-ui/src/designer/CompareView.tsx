// Two versions of a definition side by side (CodeMirror's merge view):
// changed lines highlighted, unchanged stretches collapsed.
import { useEffect, useRef } from 'react';
import { EditorView, basicSetup } from 'codemirror';
import { EditorState } from '@codemirror/state';
import { yaml } from '@codemirror/lang-yaml';
import { MergeView } from '@codemirror/merge';
import { useTranslation } from 'react-i18next';

// the merge view marks collapsed lines with ⦚, which common fonts lack
const marks = EditorView.theme({ '.cm-collapsedLines:before': { content: '"↕"' }, '.cm-collapsedLines:after': { content: '"↕"' } });

export function CompareView({ a, b, labelA, labelB }: { a: string; b: string; labelA: string; labelB: string }) {
  const host = useRef<HTMLDivElement>(null);
  const { t } = useTranslation('designer');
  const unchanged = t('history.unchangedLines');
  useEffect(() => {
    if (!host.current) return undefined;
    const ext = (label: string) => [basicSetup, yaml(), marks, EditorState.phrases.of({ '$ unchanged lines': unchanged }), EditorState.readOnly.of(true),
      EditorView.editable.of(false), EditorView.contentAttributes.of({ 'aria-label': label, tabindex: '0' })];
    const view = new MergeView({
      a: { doc: a, extensions: ext(labelA) },
      b: { doc: b, extensions: ext(labelB) },
      parent: host.current,
      collapseUnchanged: { margin: 3, minSize: 6 },
      gutter: true,
    });
    return () => view.destroy();
  }, [a, b, labelA, labelB, unchanged]);
  return (
    <div className="designer-compare">
      <div className="designer-compare-heads" aria-hidden="true"><span>{labelA}</span><span>{labelB}</span></div>
      <div ref={host} data-testid="compare-view" />
    </div>
  );
}
