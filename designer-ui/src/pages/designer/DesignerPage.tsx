// One definition in the designer. The YAML is the source of truth: the
// text is what is saved, byte for byte; the picture (a workflow's graph, a
// form's field list) edits the same text. The server validates while the
// admin types (debounced, nothing saved) and its problems show in the text
// and in the Problems panel. A draft may be saved while invalid; publishing
// needs a valid, saved draft. Saving over someone else's newer version is
// refused and shown with their change to compare. Tabs: edit, try it (a
// rule on a live invoice, a template rendered), impact, simulation, test
// cases, history (compare, roll back).
import { Suspense, useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { Alert, App, Breadcrumb, Button, Grid, Segmented, Select, Space, Tabs, Tag, Tooltip, Typography } from 'antd';
import { RedoOutlined, SaveOutlined, UndoOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorView, useErrorMessage } from '../../components/ErrorView';
import { AaTheme } from '../../components/invoices/AaTheme';
import { tagColors } from '../../components/invoices/labels';
import { formatInstant, localeOf } from '../../format';
import { YamlEditor, type YamlEditorHandle } from '../../designer/editor/YamlEditor';
import { ProblemsPanel } from '../../designer/ProblemsPanel';
import { HistoryPanel } from '../../designer/HistoryPanel';
import { ImpactPanel } from '../../designer/ImpactPanel';
import { PublishDialog } from '../../designer/PublishDialog';
import { CompareView } from '../../designer/CompareView';
import { catalogKey, fetchHistory, useDesignerCatalogs, historyKey, isKind, saveDraft, schemaOf, titleOf, useHistory, useLanguage, validateText, type Definition, type Kind, type Problem } from '../../designer/data';
import { useDesignerExtras } from '../../designer/extras';
import '../../designer/designer.css';

/** validateDelay is how long typing pauses before the text is validated. */
const validateDelay = 250;

type View = 'both' | 'picture' | 'text';

function titleFromText(text: string): { en?: string; 'zh-CN'?: string } {
  const en = /^\s*title:\s*\{en:\s*("?)([^,"}]+)\1/m.exec(text)?.[2];
  const zh = /zh-CN:\s*("?)([^,"}]+)\1\s*\}/m.exec(text)?.[2];
  return { en: en?.trim(), 'zh-CN': zh?.trim() };
}

function Designer({ kind, name }: { kind: Kind; name: string }) {
  const { t, i18n } = useTranslation('designer');
  const locale = localeOf(i18n);
  const { can } = useSession();
  const canWrite = can('definitions:write');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const errorMessage = useErrorMessage();
  const screens = Grid.useBreakpoint();
  const history = useHistory(kind, name);
  const lang = useLanguage();
  const editor = useRef<YamlEditorHandle>(null);

  const [text, setText] = useState<string>();
  const [base, setBase] = useState<Definition>();
  const [problems, setProblems] = useState<Problem[]>();
  const [checking, setChecking] = useState(false);
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState<Definition>();
  const [publishing, setPublishing] = useState(false);
  const [tab, setTab] = useState('edit');
  const [view, setView] = useState<View>('both');
  // a workflow's picture is drawn first; the editor (the heavier mount) in
  // the frame after (a plain copy of the text holds its place until then)
  const [editorMounted, setEditorMounted] = useState(false);
  const loaded = text !== undefined;
  useEffect(() => {
    if (!loaded || editorMounted) return undefined;
    let timer = 0;
    const frame = requestAnimationFrame(() => { timer = window.setTimeout(() => setEditorMounted(true), 0); });
    return () => {
      cancelAnimationFrame(frame);
      window.clearTimeout(timer);
    };
  }, [loaded, editorMounted]);

  // open the latest version (a draft when there is one) once loaded
  useEffect(() => {
    if (text === undefined && history.data?.[0]) {
      setText(history.data[0].source);
      setBase(history.data[0]);
    }
  }, [history.data, text]);

  // validate while typing: debounced, the older request abandoned
  useEffect(() => {
    if (text === undefined) return undefined;
    const ctl = new AbortController();
    const timer = window.setTimeout(() => {
      setChecking(true);
      validateText(kind, name, text, ctl.signal)
        .then((v) => setProblems(v.problems))
        .catch(() => undefined)
        .finally(() => { if (!ctl.signal.aborted) setChecking(false); });
    }, validateDelay);
    return () => {
      window.clearTimeout(timer);
      ctl.abort();
    };
  }, [kind, name, text]);

  const dirty = text !== undefined && text !== base?.source;
  useEffect(() => {
    if (!dirty) return undefined;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [dirty]);

  /** freshHistory reads the versions again (after a save, a conflict or a publish) and caches them. */
  const freshHistory = useCallback(() => qc.fetchQuery({ queryKey: historyKey(kind, name), queryFn: () => fetchHistory(kind, name), staleTime: 0 }), [qc, kind, name]);

  const refresh = useCallback(async () => {
    await Promise.all([qc.invalidateQueries({ queryKey: historyKey(kind, name) }), qc.invalidateQueries({ queryKey: catalogKey })]);
  }, [qc, kind, name]);

  /** save stores the text as a draft; it resolves to the saved version, or undefined when refused. */
  const save = useCallback(async (over?: Definition): Promise<Definition | undefined> => {
    if (text === undefined) return undefined;
    setSaving(true);
    try {
      const out = await saveDraft(kind, name, text, over?.version ?? base?.version ?? 0);
      setProblems(out.problems);
      setConflict(undefined);
      const fresh = await freshHistory();
      const saved = fresh.find((d) => d.version === out.version);
      setBase(saved);
      void qc.invalidateQueries({ queryKey: catalogKey });
      void message.success(out.action === 'unchanged' ? t('save.unchanged', { version: out.version }) : out.valid ? t('save.saved', { version: out.version }) : t('save.savedInvalid', { version: out.version, count: out.problems.length }));
      return saved;
    } catch (err) {
      if (err instanceof ApiError && err.status === 409) {
        const fresh = await freshHistory();
        setConflict(fresh[0]);
      } else {
        void message.error(errorMessage(err));
      }
      return undefined;
    } finally {
      setSaving(false);
    }
  }, [text, kind, name, base, qc, message, t, errorMessage, freshHistory]);

  const extras = useDesignerExtras({ kind, name, text: text ?? '', setText, problems: problems ?? [], language: lang.data, readOnly: !canWrite, version: base?.version, dirty: text !== undefined && text !== base?.source, onSelectProblem: (l, c) => editor.current?.focusAt(l, c) });

  if (history.isError) return <ErrorView error={history.error} onRetry={() => void history.refetch()} />;
  if (text === undefined || !history.data) return <Typography.Text>{t('loading')}</Typography.Text>;

  const published = history.data.find((d) => d.status === 'published');
  const title = titleOf({ name, title: titleFromText(text) }, i18n.language);
  const valid = problems !== undefined && problems.length === 0;
  const phone = !screens.md;
  const picture = extras.picture;
  const effectiveView: View = !picture ? 'text' : phone && view === 'both' ? 'picture' : view;
  // the picture above the text: a workflow drawn left to right needs the page's width

  const textPane = (
    <div className="designer-text-pane">
      {editorMounted || !picture ? (
        <YamlEditor ref={editor} value={text} onChange={setText} problems={problems} schema={schemaOf(lang.data, kind)} environment={lang.data?.environment}
          label={t('edit.textLabel', { name })} readOnly={!canWrite} />
      ) : <div className="designer-editor"><pre className="designer-editor-placeholder">{text}</pre></div>}
      <ProblemsPanel problems={problems} checking={checking} onGo={(l, c) => editor.current?.focusAt(l, c)} />
    </div>
  );
  const editTab: ReactNode = (
    <Space orientation="vertical" style={{ width: '100%' }}>
      {picture && (
        <Segmented<View> aria-label={t('edit.view')} value={effectiveView} onChange={setView} options={[
          ...(phone ? [] : [{ value: 'both' as const, label: t('edit.both') }]),
          { value: 'picture', label: t(`edit.picture${kind}`, { defaultValue: t('edit.picture') }) },
          { value: 'text', label: t('edit.text') },
        ]} />
      )}
      <div className="designer-stack">
        {picture && effectiveView !== 'text' && <div className="designer-picture-pane">{picture}</div>}
        <div hidden={effectiveView === 'picture'}>{textPane}</div>
        {effectiveView === 'picture' && <ProblemsPanel problems={problems} checking={checking} onGo={(l, c) => { setView('text'); window.setTimeout(() => editor.current?.focusAt(l, c), 0); }} />}
      </div>
    </Space>
  );
  const items = [
    { key: 'edit', label: t('tabs.edit'), children: editTab },
    ...extras.tabs,
    { key: 'impact', label: t('tabs.impact'), children: (
      <ImpactPanel kind={kind} name={name} version={base?.version} disabled={dirty ? t('impact.saveFirst') : undefined} />
    ) },
    { key: 'history', label: t('tabs.history'), children: (
      <HistoryPanel kind={kind} name={name} history={history.data} canWrite={canWrite} current={text} compareExtra={extras.compareExtra} />
    ) },
  ];

  return (
    <Space orientation="vertical" size="small" style={{ width: '100%' }}>
      <Breadcrumb items={[{ title: <Link to="/designer">{t('home.title')}</Link> }, { title: t(`kind.${kind}`) }, { title: name }]} />
      <div className="designer-head">
        <div>
          <Typography.Title level={1} style={{ margin: 0 }}>{title}</Typography.Title>
          <Space size={4} wrap className="designer-status" aria-live="polite">
            <Tag>{t(`kind.${kind}`)}</Tag>
            {published ? <Tag color={tagColors.green}>{t('head.published', { version: published.version })}</Tag> : <Tag color={tagColors.grey}>{t('home.neverPublished')}</Tag>}
            {base && base.status === 'draft' && <Tag color={tagColors.gold}>{t('head.draft', { version: base.version, by: base.created_by, at: formatInstant(base.created_at, locale) })}</Tag>}
            {dirty && <Tag color={tagColors.orange}>{t('head.unsaved')}</Tag>}
            {problems !== undefined && (valid ? <Tag color={tagColors.green}>{t('home.valid')}</Tag> : <Tag color={tagColors.red}>{t('home.problems', { count: problems.length })}</Tag>)}
          </Space>
        </div>
        {canWrite && (
          <Space wrap>
            <Tooltip title={t('head.undo')}><Button icon={<UndoOutlined />} aria-label={t('head.undo')} onClick={() => editor.current?.undo()} /></Tooltip>
            <Tooltip title={t('head.redo')}><Button icon={<RedoOutlined />} aria-label={t('head.redo')} onClick={() => editor.current?.redo()} /></Tooltip>
            <Button icon={<SaveOutlined />} loading={saving} disabled={!dirty} onClick={() => void save()}>{t('head.save')}</Button>
            <Button type="primary" disabled={!valid} onClick={() => setPublishing(true)}>{t('head.publish')}</Button>
          </Space>
        )}
      </div>
      {conflict && (
        <Alert type="warning" role="alert" showIcon title={t('conflict.title', { version: conflict.version, by: conflict.created_by, at: formatInstant(conflict.created_at, locale) })}
          description={(
            <Space orientation="vertical" style={{ width: '100%' }}>
              <span>{t('conflict.body')}</span>
              <CompareView a={conflict.source} b={text} labelA={t('conflict.theirs', { version: conflict.version })} labelB={t('conflict.mine')} />
              <Space wrap>
                <Button onClick={() => { setText(conflict.source); setBase(conflict); setConflict(undefined); }}>{t('conflict.takeTheirs')}</Button>
                <Button danger onClick={() => void save(conflict)}>{t('conflict.keepMine')}</Button>
              </Space>
            </Space>
          )} />
      )}
      {/* one Tabs at every width, so that turning a tablet keeps what a tab holds (a simulation, a
          result); a phone has no room for six tabs (antd would fold some into a menu inside the tab
          list), so its bar is a select */}
      <Tabs activeKey={tab} onChange={setTab} items={items} renderTabBar={(barProps, DefaultTabBar) => phone
        ? <Select aria-label={t('tabs.section')} value={tab} onChange={setTab} options={items.map((i) => ({ value: i.key, label: i.label }))} style={{ width: '100%', marginBottom: 12 }} />
        : <DefaultTabBar {...barProps} />} />
      {publishing && (
        <PublishDialog kind={kind} name={name} dirty={dirty} base={base} save={() => save()} onClose={() => setPublishing(false)} onPublished={async () => {
          setPublishing(false);
          await refresh();
          const fresh = await freshHistory();
          setBase(fresh.find((d) => d.status === 'published'));
        }} testsPanel={extras.testsForPublish} />
      )}
    </Space>
  );
}

function DesignerRoute() {
  const { kind = '', name = '' } = useParams();
  const { t } = useTranslation('designer');
  if (!isKind(kind)) return <Alert type="error" showIcon title={t('unknownKind', { kind })} />;
  return <Designer key={`${kind}/${name}`} kind={kind} name={name} />;
}

export default function DesignerPage() {
  const ready = useDesignerCatalogs();
  return <AaTheme><Suspense fallback={null}>{ready ? <DesignerRoute /> : null}</Suspense></AaTheme>;
}

