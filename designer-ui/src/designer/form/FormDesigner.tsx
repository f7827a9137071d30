// FormDesigner edits a Form definition's fields as a list (add, reorder,
// edit, remove) beside a live preview drawn by the inbox's own FormRenderer,
// in English and Chinese. The YAML text stays the source of truth: every
// change is one edit of formModel.ts, spliced into the text and handed to
// onSourceChange; the parent owns the text (and so undo, saving, the editor).
//
// Usage:
//   <FormDesigner source={yaml} onSourceChange={setYaml} problems={validation.problems} />
import { useEffect, useId, useMemo, useRef, useState, type ReactNode } from 'react';
import { Alert, Button, Col, Empty, Flex, Form, Input, Row, Segmented, Select, Switch, Tag, Typography } from 'antd';
import { ArrowDownOutlined, ArrowUpOutlined, DeleteOutlined, EditOutlined, PlusOutlined, UpOutlined } from '@ant-design/icons';
import { I18nextProvider, useTranslation } from 'react-i18next';
import { tagColors } from '../../components/invoices/labels';
import { FormRenderer } from '../../components/FormRenderer';
import type { FormDefinition } from '../../components/formDefinition';
import {
  applyEdit, boundValue, emptyModel, fieldTypes, placeProblems, previewDefinition, readForm, roleNames, textLanguages, uniqueName,
  type EditRefusal, type FormEdit, type FormModel, type ModelField, type ScalarValue, type TextLanguage, type Texts,
} from './formModel';
import './formDesigner.css';

/** A problem the server found in the text (the validate endpoint's shape). */
export interface FormDesignerProblem {
  line: number;
  column: number;
  message: string;
}

export interface FormDesignerProps {
  /** The Form document's YAML, as the editor holds it. */
  source: string;
  /** Called with the whole new text after each change made here. */
  onSourceChange: (text: string) => void;
  /** The server's problems for this text; each is shown on the field whose lines hold it. */
  problems?: FormDesignerProblem[];
  /** The currency money fields show in the preview when they name none (default CNY). */
  currency?: string;
  /** Shows the fields and the preview without the controls that change them. */
  readOnly?: boolean;
  /**
   * Called when a field's editor opens, with the lines (1-based, inclusive)
   * its text spans: for a page that reveals them in the YAML editor.
   */
  onFieldOpen?: (field: { index: number; name: string; lines: { from: number; to: number } }) => void;
}

type PreviewChoice = 'both' | TextLanguage;

/** A problem placed on a field's key ("min", "label.zh-CN"; none for the field as a whole). */
interface PlacedProblem extends FormDesignerProblem {
  key?: string;
}

/** Where the keyboard focus goes after a change redraws the list. */
interface FocusRequest {
  index: number;
  action: 'edit' | 'up' | 'down' | 'add';
}

function showValue(v: ScalarValue | undefined): string {
  return v === undefined ? '' : String(v);
}

function boundKind(type: string): 'length' | 'number' | 'money' | 'date' | undefined {
  switch (type) {
    case 'string':
    case 'text':
      return 'length';
    case 'number':
    case 'integer':
      return 'number';
    case 'money':
      return 'money';
    case 'date':
      return 'date';
    default:
      return undefined;
  }
}

/**
 * FormDesigner shows a form's fields to add, reorder, edit and remove, and
 * its preview in both languages; see FormDesignerProps.
 */
export function FormDesigner({ source, onSourceChange, problems, currency = 'CNY', readOnly, onFieldOpen }: FormDesignerProps) {
  const { t, i18n } = useTranslation('formDesigner');
  const lastGood = useRef<FormModel>(emptyModel);
  const read = useMemo(() => readForm(source, lastGood.current), [source]);
  useEffect(() => {
    if (!read.error) lastGood.current = read.model;
  }, [read]);
  const { model } = read;
  const locked = readOnly === true || read.error !== undefined;

  const [open, setOpen] = useState<number | undefined>(undefined);
  const [refusal, setRefusal] = useState<EditRefusal | undefined>(undefined);
  const [status, setStatus] = useState('');
  const [focus, setFocus] = useState<FocusRequest | undefined>(undefined);
  const listRef = useRef<HTMLOListElement>(null);
  const addRef = useRef<HTMLButtonElement>(null);
  const headingId = useId();
  const previewHeadingId = useId();

  // told once per opening, not on every keystroke typed in the open editor
  const opened = useRef({ model, onFieldOpen });
  opened.current = { model, onFieldOpen };
  useEffect(() => {
    if (open === undefined) return;
    const f = opened.current.model.fields[open];
    if (f) opened.current.onFieldOpen?.({ index: open, name: f.name, lines: f.lines });
  }, [open]);

  useEffect(() => {
    if (!focus) return;
    setFocus(undefined);
    if (focus.action === 'add') {
      addRef.current?.focus();
      return;
    }
    const item = listRef.current?.querySelector<HTMLElement>(`[data-field-index="${focus.index}"]`);
    const wanted = item?.querySelector<HTMLButtonElement>(`[data-action="${focus.action}"]:not(:disabled)`)
      ?? item?.querySelector<HTMLButtonElement>('[data-action="edit"]');
    wanted?.focus();
  }, [focus]);

  const apply = (edit: FormEdit): boolean => {
    const r = applyEdit(source, edit);
    if (!r.ok) {
      setRefusal(r.reason);
      return false;
    }
    setRefusal(undefined);
    onSourceChange(r.text);
    return true;
  };

  const labelOf = (f: ModelField) => (i18n.language === 'zh-CN' ? f.label['zh-CN'] || f.label.en : f.label.en || f.label['zh-CN']) || f.name;

  const add = () => {
    const name = uniqueName(model);
    if (apply({ op: 'addField', field: { name, type: 'string' } })) {
      const index = model.fields.length;
      setOpen(index);
      setStatus(t('added', { name }));
      setFocus({ index, action: 'edit' });
    }
  };
  const move = (index: number, to: 'up' | 'down') => {
    const f = model.fields[index];
    if (!f || !apply({ op: 'moveField', index, to })) return;
    const next = to === 'up' ? index - 1 : index + 1;
    if (open === index) setOpen(next);
    else if (open === next) setOpen(index);
    setStatus(t('moved', { name: f.name, position: next + 1 }));
    setFocus({ index: next, action: to });
  };
  const remove = (index: number) => {
    const f = model.fields[index];
    if (!f || !apply({ op: 'removeField', index })) return;
    if (open === index) setOpen(undefined);
    else if (open !== undefined && open > index) setOpen(open - 1);
    setStatus(t('removed', { name: f.name }));
    const left = model.fields.length - 1;
    setFocus(left === 0 ? { index: 0, action: 'add' } : { index: Math.min(index, left - 1), action: 'edit' });
  };

  // the server's problems, on the field (and the control) their place is in
  const { byField, elsewhere } = useMemo(() => {
    const fields = new Map<number, PlacedProblem[]>();
    const other: FormDesignerProblem[] = [];
    const list = problems ?? [];
    const places = read.error || list.length === 0 ? [] : placeProblems(source, list);
    list.forEach((p, i) => {
      const place = places[i];
      if (!place) other.push(p);
      else fields.set(place.field, [...(fields.get(place.field) ?? []), { ...p, key: place.key }]);
    });
    return { byField: fields, elsewhere: other };
  }, [problems, source, read.error]);
  const problemText = (p: FormDesignerProblem) => t('problemAt', { line: p.line, column: p.column, message: p.message });

  const definition = useMemo(() => previewDefinition(model), [model]);

  return (
    <div className="form-designer">
      <div role="status" aria-live="polite" className="form-designer-status">{status}</div>
      {read.error && (
        <Alert type="warning" showIcon style={{ marginBottom: 16 }}
          title={t('textError', { line: read.error.line, column: read.error.column, message: read.error.message })}
          description={t('textErrorHint')} />
      )}
      {refusal && !read.error && (
        <Alert type="error" showIcon closable role="alert" style={{ marginBottom: 16 }} title={t(`editErrors.${refusal}`)}
          onClose={() => setRefusal(undefined)} />
      )}
      <Row gutter={[24, 24]}>
        <Col xs={24} xl={12}>
          <section aria-labelledby={headingId}>
            <Flex justify="space-between" align="baseline" wrap gap={8}>
              <Typography.Title level={3} id={headingId} style={{ margin: 0 }}>{t('fields')}</Typography.Title>
              <Typography.Text type="secondary">{t('fieldsCount', { count: model.fields.length })}</Typography.Text>
            </Flex>
            {elsewhere.length > 0 && (
              <Alert type="error" showIcon style={{ marginTop: 12 }} title={t('otherProblems')}
                description={<ul className="form-designer-problems">{elsewhere.map((p, i) => <li key={i}>{problemText(p)}</li>)}</ul>} />
            )}
            {model.fields.length === 0 ? (
              <Empty description={t('noFields')} />
            ) : (
              <ol ref={listRef} className="form-designer-fields" aria-labelledby={headingId}>
                {model.fields.map((f, i) => (
                  <FieldItem
                    // by position: a rename must not remount the panel being typed in
                    key={i}
                    field={f}
                    index={i}
                    count={model.fields.length}
                    title={labelOf(f)}
                    problems={byField.get(i) ?? []}
                    problemText={problemText}
                    open={open === i}
                    locked={locked}
                    onToggle={() => setOpen(open === i ? undefined : i)}
                    onMove={(to) => move(i, to)}
                    onRemove={() => remove(i)}
                    onEdit={(e) => apply(e)}
                  />
                ))}
              </ol>
            )}
            {!readOnly && (
              <Button ref={addRef} icon={<PlusOutlined aria-hidden />} onClick={add} disabled={locked} style={{ marginTop: 12 }}>
                {t('addField')}
              </Button>
            )}
          </section>
        </Col>
        <Col xs={24} xl={12}>
          <Preview headingId={previewHeadingId} definition={definition} currency={currency} />
        </Col>
      </Row>
    </div>
  );
}

interface FieldItemProps {
  field: ModelField;
  index: number;
  count: number;
  title: string;
  problems: PlacedProblem[];
  problemText: (p: FormDesignerProblem) => string;
  open: boolean;
  locked: boolean;
  onToggle: () => void;
  onMove: (to: 'up' | 'down') => void;
  onRemove: () => void;
  onEdit: (e: FormEdit) => boolean;
}

function FieldItem({ field: f, index, count, title, problems, problemText, open, locked, onToggle, onMove, onRemove, onEdit }: FieldItemProps) {
  const { t } = useTranslation('formDesigner');
  const panelId = useId();
  const known = (fieldTypes as readonly string[]).includes(f.type);
  const name = f.name || t('unnamed', { position: index + 1 });
  return (
    <li data-field-index={index} className={`form-designer-field${problems.length ? ' form-designer-field-bad' : ''}${open ? ' form-designer-field-open' : ''}`}>
      <div className="form-designer-field-head">
        <div className="form-designer-field-title">
          <strong>{title}</strong>
          <Tag>{f.name || '—'}</Tag>
          <Tag color={known ? 'blue' : 'red'}>{known ? t(`types.${f.type}`) : t('types.unknown', { type: f.type })}</Tag>
          {f.required && <Tag color={tagColors.gold}>{t('required')}</Tag>}
          {!f.required && f.requiredIf && <Tag>{t('requiredIfTag')}</Tag>}
          {problems.length > 0 && <Tag color="red">{t('fieldProblems', { count: problems.length, name })}</Tag>}
        </div>
        <div className="form-designer-field-actions">
          <Button size="small" data-action="edit" icon={open ? <UpOutlined /> : <EditOutlined />} aria-expanded={open} aria-controls={open ? panelId : undefined}
            aria-label={open ? t('closeField', { name }) : t('editField', { name })} onClick={onToggle}>
            {open ? t('close') : t('edit')}
          </Button>
          {!locked && (
            <>
              <Button size="small" data-action="up" icon={<ArrowUpOutlined />} aria-label={t('moveUp', { name })} disabled={index === 0} onClick={() => onMove('up')} />
              <Button size="small" data-action="down" icon={<ArrowDownOutlined />} aria-label={t('moveDown', { name })} disabled={index === count - 1} onClick={() => onMove('down')} />
              <Button size="small" danger data-action="remove" icon={<DeleteOutlined />} aria-label={t('remove', { name })} onClick={onRemove} />
            </>
          )}
        </div>
      </div>
      {problems.length > 0 && (
        <ul className="form-designer-problems form-designer-field-problems">
          {problems.map((p, i) => <li key={i}>{problemText(p)}</li>)}
        </ul>
      )}
      {open && <FieldPanel id={panelId} field={f} index={index} locked={locked} onEdit={onEdit} problems={problems} problemText={problemText} />}
    </li>
  );
}

interface FieldPanelProps {
  id: string;
  field: ModelField;
  index: number;
  locked: boolean;
  onEdit: (e: FormEdit) => boolean;
  problems: PlacedProblem[];
  problemText: (p: FormDesignerProblem) => string;
}

/** controlOf is the panel control a problem's key belongs to (a plain label or help is the English one). */
function controlOf(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  if (key === 'label' || key === 'help') return `${key}-en`;
  if (key === 'required_if') return 'required-if';
  return key.replace('.', '-');
}

function FieldPanel({ id, field: f, index, locked, onEdit, problems, problemText }: FieldPanelProps) {
  const { t } = useTranslation('formDesigner');
  const { t: tc } = useTranslation('common');
  const base = useId().replace(/[^a-zA-Z0-9_-]/g, '');
  const ids = (k: string) => `${base}-${k}`;
  const set = (key: Extract<FormEdit, { op: 'setField' }>['key'], value: ScalarValue | undefined) => onEdit({ op: 'setField', index, key, value });
  const setText = (key: 'label' | 'help', lang: TextLanguage, text: string) => onEdit({ op: 'setText', index, key, lang, text });
  // a bound the text has on a type without bounds is still shown, to be seen and removed
  const kind = boundKind(f.type) ?? (f.min !== undefined || f.max !== undefined ? 'number' : undefined);
  const item = (key: string, label: string, control: ReactNode, extra?: ReactNode) => {
    const here = problems.filter((p) => controlOf(p.key) === key);
    return (
      <Form.Item label={label} htmlFor={ids(key)} extra={extra} style={{ marginBottom: 12 }}
        validateStatus={here.length ? 'error' : undefined}
        help={here.length ? <div role="alert">{here.map((p, i) => <div key={i}>{problemText(p)}</div>)}</div> : undefined}>
        {control}
      </Form.Item>
    );
  };
  const texts = (key: 'label' | 'help', labels: Record<TextLanguage, string>, value: Texts) => textLanguages.map((lang) => (
    <Col xs={24} md={12} key={`${key}-${lang}`}>
      {item(`${key}-${lang}`, labels[lang], key === 'help'
        ? <Input.TextArea id={ids(`${key}-${lang}`)} lang={lang} disabled={locked} autoSize={{ minRows: 1, maxRows: 4 }} value={value[lang]} onChange={(e) => setText(key, lang, e.target.value)} />
        : <Input id={ids(`${key}-${lang}`)} lang={lang} disabled={locked} value={value[lang]} onChange={(e) => setText(key, lang, e.target.value)} />)}
    </Col>
  ));
  const known = (fieldTypes as readonly string[]).includes(f.type);

  return (
    <section id={id} aria-label={t('panel.title', { name: f.name || t('unnamed', { position: index + 1 }) })} className="form-designer-panel">
      <Form layout="vertical" component="div">
        <Row gutter={16}>
          <Col xs={24} md={12}>
            {item('name', t('panel.name'),
              <Input id={ids('name')} disabled={locked} value={f.name} autoComplete="off" spellCheck={false} onChange={(e) => set('name', e.target.value)} />,
              t('panel.nameHelp', { name: f.name || 'name' }))}
          </Col>
          <Col xs={24} md={12}>
            {item('type', t('panel.type'),
              <Select id={ids('type')} disabled={locked} value={f.type}
                options={[
                  ...fieldTypes.map((ft) => ({ value: ft, label: t(`types.${ft}`) })),
                  ...(known ? [] : [{ value: f.type, label: t('types.unknown', { type: f.type }) }]),
                ]}
                onChange={(v: string) => set('type', v)} />)}
          </Col>
          {texts('label', { en: t('panel.labelEn'), 'zh-CN': t('panel.labelZh') }, f.label)}
          {texts('help', { en: t('panel.helpEn'), 'zh-CN': t('panel.helpZh') }, f.help)}
          <Col xs={24} md={8}>
            {item('required', t('panel.required'),
              <Switch id={ids('required')} disabled={locked} checked={f.required} onChange={(on) => set('required', on)} />)}
          </Col>
          <Col xs={24} md={16}>
            {item('required-if', t('panel.requiredIf'),
              <Input id={ids('required-if')} disabled={locked} value={f.requiredIf} spellCheck={false} autoComplete="off" className="form-designer-code"
                placeholder='form.outcome == "promised"' onChange={(e) => set('required_if', e.target.value)} />,
              t('panel.requiredIfHelp'))}
          </Col>
          {kind && (['min', 'max'] as const).map((k) => (
            <Col xs={24} md={12} key={k}>
              {item(k, t(`panel.${k}`),
                <Input id={ids(k)} disabled={locked} value={showValue(f[k])} spellCheck={false} autoComplete="off" className="form-designer-code"
                  onChange={(e) => set(k, boundValue(e.target.value, f.type))} />,
                t(`boundHint.${kind}`))}
            </Col>
          ))}
          {(f.type === 'string' || f.type === 'text') && (
            <Col xs={24} md={12}>
              {item('pattern', t('panel.pattern'),
                <Input id={ids('pattern')} disabled={locked} value={f.pattern} spellCheck={false} className="form-designer-code" onChange={(e) => set('pattern', e.target.value)} />)}
            </Col>
          )}
          {f.type === 'money' && (
            <Col xs={24} md={12}>
              {item('currency', t('panel.currency'),
                <Input id={ids('currency')} disabled={locked} value={f.currency} maxLength={3} style={{ maxWidth: 120 }}
                  onChange={(e) => set('currency', e.target.value.toUpperCase())} />)}
            </Col>
          )}
          {f.type === 'user' && (
            <Col xs={24} md={12}>
              {item('role', t('panel.role'),
                <Select id={ids('role')} disabled={locked} value={f.role} onChange={(v: string) => set('role', v)}
                  options={[{ value: '', label: t('panel.anyRole') }, ...roleNames.map((r) => ({ value: r, label: tc(`roles.${r}`) }))]} />)}
            </Col>
          )}
          <Col xs={24} md={12}>
            {item('default', t('panel.default'),
              <Input id={ids('default')} disabled={locked} value={showValue(f.default)} onChange={(e) => set('default', boundValue(e.target.value, f.type))} />)}
          </Col>
        </Row>
        {(f.type === 'enum' || f.options.length > 0) && (
          <OptionsEditor field={f} index={index} locked={locked} onEdit={onEdit}
            problems={problems.filter((p) => p.key === 'options').map(problemText)} />
        )}
      </Form>
    </section>
  );
}

interface OptionsEditorProps {
  field: ModelField;
  index: number;
  locked: boolean;
  onEdit: (e: FormEdit) => boolean;
  /** The problems in the options, as texts. */
  problems: string[];
}

function OptionsEditor({ field: f, index, locked, onEdit, problems }: OptionsEditorProps) {
  const { t } = useTranslation('formDesigner');
  const headingId = useId();
  const addOption = () => {
    const taken = new Set(f.options.map((o) => o.value));
    let value = 'option';
    for (let n = 2; taken.has(value); n++) value = `option_${n}`;
    onEdit({ op: 'addOption', index, value });
  };
  return (
    <fieldset className="form-designer-options" aria-labelledby={headingId}>
      <legend id={headingId}>{t('panel.options')}</legend>
      {problems.length > 0 && (
        <ul className="form-designer-problems form-designer-field-problems">{problems.map((p, i) => <li key={i}>{p}</li>)}</ul>
      )}
      {f.options.length === 0 && <Typography.Paragraph type="secondary">{t('panel.noOptions')}</Typography.Paragraph>}
      <ol className="form-designer-option-list">
        {f.options.map((o, i) => {
          const position = i + 1;
          const name = o.value || String(position);
          return (
            <li key={i} className="form-designer-option">
              <Input aria-label={t('panel.optionValue', { position })} disabled={locked} value={o.value} spellCheck={false} className="form-designer-code"
                onChange={(e) => onEdit({ op: 'setOptionValue', index, option: i, value: e.target.value })} />
              <Input aria-label={t('panel.optionEn', { position })} lang="en" disabled={locked} value={o.label.en}
                onChange={(e) => onEdit({ op: 'setOptionText', index, option: i, lang: 'en', text: e.target.value })} />
              <Input aria-label={t('panel.optionZh', { position })} lang="zh-CN" disabled={locked} value={o.label['zh-CN']}
                onChange={(e) => onEdit({ op: 'setOptionText', index, option: i, lang: 'zh-CN', text: e.target.value })} />
              {!locked && (
                <span className="form-designer-option-actions">
                  <Button size="small" icon={<ArrowUpOutlined />} aria-label={t('panel.optionUp', { value: name })} disabled={i === 0}
                    onClick={() => onEdit({ op: 'moveOption', index, option: i, to: 'up' })} />
                  <Button size="small" icon={<ArrowDownOutlined />} aria-label={t('panel.optionDown', { value: name })} disabled={i === f.options.length - 1}
                    onClick={() => onEdit({ op: 'moveOption', index, option: i, to: 'down' })} />
                  <Button size="small" danger icon={<DeleteOutlined />} aria-label={t('panel.optionRemove', { value: name })}
                    onClick={() => onEdit({ op: 'removeOption', index, option: i })} />
                </span>
              )}
            </li>
          );
        })}
      </ol>
      {!locked && <Button size="small" icon={<PlusOutlined aria-hidden />} onClick={addOption}>{t('panel.addOption')}</Button>}
    </fieldset>
  );
}

function Preview({ headingId, definition, currency }: { headingId: string; definition: FormDefinition | undefined; currency: string }) {
  const { t } = useTranslation('formDesigner');
  const [choice, setChoice] = useState<PreviewChoice>('both');
  const langs: TextLanguage[] = choice === 'both' ? [...textLanguages] : [choice];
  return (
    <section aria-labelledby={headingId} className="form-designer-preview">
      <Flex justify="space-between" align="center" wrap gap={8}>
        <Typography.Title level={3} id={headingId} style={{ margin: 0 }}>{t('preview.title')}</Typography.Title>
        <Segmented<PreviewChoice>
          aria-label={t('preview.language')}
          value={choice}
          onChange={setChoice}
          options={[
            { value: 'both', label: t('preview.both') },
            { value: 'en', label: <span lang="en">{t('preview.en')}</span> },
            { value: 'zh-CN', label: <span lang="zh-CN">{t('preview.zh-CN')}</span> },
          ]}
        />
      </Flex>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>{t('preview.note')}</Typography.Paragraph>
      {definition === undefined ? (
        <Empty description={t('preview.empty')} />
      ) : (
        <Row gutter={[24, 16]}>
          {langs.map((lang) => (
            <Col key={lang} xs={24} xxl={langs.length > 1 ? 12 : 24}>
              <LanguagePreview lang={lang} definition={definition} currency={currency} />
            </Col>
          ))}
        </Row>
      )}
    </section>
  );
}

/** LanguagePreview draws the form with the texts of one language, whatever the page's language is. */
function LanguagePreview({ lang, definition, currency }: { lang: TextLanguage; definition: FormDefinition; currency: string }) {
  const { t, i18n } = useTranslation('formDesigner');
  const inLanguage = useMemo(() => i18n.cloneInstance({ lng: lang }), [i18n, lang]);
  return (
    <section lang={lang} aria-label={t('preview.in', { language: t(`preview.${lang}`) })} className="form-designer-preview-pane">
      <I18nextProvider i18n={inLanguage}>
        <FormRenderer definition={definition} currency={currency} onSubmit={() => {}} />
      </I18nextProvider>
    </section>
  );
}

export default FormDesigner;
