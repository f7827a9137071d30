// Simulate chosen live invoices day by day over a date range (POST
// /api/simulate), with the saved version of this definition in place of
// the published one, and with human tasks answered on their days: "on DAY,
// answer NODE of INVOICE with VALUES", the values typed in the node's form
// (FormRenderer over the Form definition), so a promise or a dispute path
// can be tried. Nothing is written to the live data.
import { useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { Alert, Button, Card, Checkbox, Input, Select, Space, Typography } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { parse } from 'yaml';
import { api, ApiError, unwrap } from '../api/client';
import { useErrorMessage } from '../components/ErrorView';
import { FormRenderer, readFormDefinition, type FormDefinition } from '../components/FormRenderer';
import { formatDate, localeOf } from '../format';
import type { Kind } from './data';
import { SimulationResults } from './SimulationResults';
import { addDays, daysBetween, workflowName, workflowNodes, type Simulation, type SimulationAnswer, type SimulationRequest } from './simulation';
import './designer.css';
import './simulate.css';

export interface SimulatePanelProps {
  kind: Kind;
  name: string;
  /** the saved version the editor is based on; undefined before the first save */
  version: number | undefined;
  /** the editor holds changes not saved yet (not in the simulation) */
  dirty: boolean;
  /** the YAML text in the editor: a workflow's nodes and their forms */
  source: string;
  /** sees each simulation answered (undefined while another runs), e.g. to draw it on the graph */
  onSimulation?(sim: Simulation | undefined): void;
  /** sees the day chosen under "where the invoices are on" (positionsOnDay of that day) */
  onDay?(date: string): void;
}

/** maxDays is the longest range the server simulates (usecase.MaxSimulationDays). */
const maxDays = 366;

/** today is the browser's civil date, YYYY-MM-DD. */
export function today(now = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

export async function simulate(body: SimulationRequest): Promise<Simulation> {
  return unwrap(await api.POST('/api/simulate', { body }));
}

/** fetchForm reads a Form definition's published text into what FormRenderer draws. */
async function fetchForm(name: string): Promise<FormDefinition | undefined> {
  const d = unwrap(await api.GET('/api/definitions/{kind}/{name}', { params: { path: { kind: 'Form', name } } }));
  return readFormDefinition(parse(d.source));
}

function useForm(name: string | undefined) {
  return useQuery({ queryKey: ['designer', 'form', name], queryFn: () => fetchForm(name ?? ''), enabled: !!name, staleTime: 60_000 });
}

/** InvoicePicker chooses up to 50 invoices, searching by number or customer. */
function InvoicePicker({ id, value, onChange, onCurrency }: {
  id: string; value: string[]; onChange(v: string[]): void; onCurrency(number: string, currency: string): void;
}) {
  const { t } = useTranslation('designerSim');
  const [q, setQ] = useState('');
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const h = setTimeout(() => setQ(typed), 250);
    return () => clearTimeout(h);
  }, [typed]);
  const found = useQuery({
    queryKey: ['designer', 'simulate', 'invoices', q],
    queryFn: async () => unwrap(await api.GET('/api/invoices', { params: { query: { q: q || undefined, limit: 20 } } })).items,
  });
  useEffect(() => {
    for (const i of found.data ?? []) onCurrency(i.number, i.currency);
  }, [found.data, onCurrency]);
  const options = [
    ...value.filter((n) => !(found.data ?? []).some((i) => i.number === n)).map((n) => ({ value: n, label: n })),
    ...(found.data ?? []).map((i) => ({ value: i.number, label: `${i.number} · ${i.customer_name}` })),
  ];
  return (
    <Select id={id} mode="multiple" value={value} onChange={onChange} options={options} maxCount={50} allowClear
      showSearch={{ filterOption: false, onSearch: setTyped }} loading={found.isFetching}
      notFoundContent={found.isFetching ? t('invoicesSearching') : t('invoicesNone')}
      placeholder={t('invoicesPlaceholder')} style={{ width: '100%' }} />
  );
}

/** An answer as it is edited: the API's, kept with its place in the list. */
type Answer = SimulationAnswer;

function valuesText(values: Record<string, unknown>): string {
  return Object.entries(values).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join(', ');
}

/**
 * parseValues reads "name: value" lines, the values of a form the browser
 * could not load (the server checks them as it checks a form's): numbers
 * and true/false as such, anything else as text.
 */
export function parseValues(text: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const line of text.split('\n')) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const k = line.slice(0, i).trim();
    const v = line.slice(i + 1).trim();
    if (!k || v === '') continue;
    out[k] = v === 'true' ? true : v === 'false' ? false : /^-?\d+$/.test(v) ? Number(v) : v;
  }
  return out;
}

/** AnswerEditor edits one answer: invoice, day, node, then the node's form. */
function AnswerEditor({ initial, invoices, nodes, from, to, currencies, serverErrors, onSave, onCancel }: {
  initial: Answer;
  invoices: string[];
  nodes: { name: string; form?: string }[];
  from: string;
  to: string;
  currencies: Record<string, string>;
  serverErrors?: Record<string, string[]>;
  onSave(a: Answer): void;
  onCancel(): void;
}) {
  const { t } = useTranslation('designerSim');
  const errorMessage = useErrorMessage();
  const ids = { invoice: useId(), day: useId(), node: useId(), values: useId() };
  const [a, setA] = useState(initial);
  const [valuesInput, setValuesInput] = useState(() => Object.entries(initial.values).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n'));
  const node = nodes.find((n) => n.name === a.node);
  const form = useForm(node?.form);
  const ready = a.invoice !== '' && a.day !== '' && a.node !== '';
  const cancel = <Button onClick={onCancel}>{t('answer.cancel')}</Button>;
  return (
    <Card size="small" title={t('answer.editTitle')} role="group" aria-label={t('answer.editTitle')}>
      <div className="sim-form">
        <div className="sim-field">
          <label htmlFor={ids.day} className="designer-label">{t('answer.day')}</label>
          <Input id={ids.day} type="date" value={a.day} min={from} max={to} onChange={(e) => setA({ ...a, day: e.target.value })} />
          {a.day && <span className="designer-muted">{t('answer.dayN', { n: daysBetween(from, a.day) + 1 })}</span>}
        </div>
        <div className="sim-field">
          <label htmlFor={ids.invoice} className="designer-label">{t('answer.invoice')}</label>
          <Select id={ids.invoice} value={a.invoice || undefined} onChange={(v: string) => setA({ ...a, invoice: v })}
            options={invoices.map((n) => ({ value: n, label: n }))} placeholder={t('answer.pickInvoice')} />
        </div>
        <div className="sim-field">
          <label htmlFor={ids.node} className="designer-label">{t('answer.node')}</label>
          <Select id={ids.node} value={a.node || undefined} onChange={(v: string) => setA({ ...a, node: v, values: {} })}
            options={nodes.map((n) => ({ value: n.name, label: n.form ? `${n.name} (${n.form})` : n.name }))} placeholder={t('answer.pickNode')} />
        </div>
      </div>
      <div style={{ marginTop: 12 }}>
        {!node ? (
          <Space>{cancel}</Space>
        ) : node.form && form.isPending ? (
          <span role="status" className="designer-muted">{t('answer.formLoading', { form: node.form })}</span>
        ) : node.form && (form.isError || !form.data) ? (
          <Space orientation="vertical" style={{ width: '100%' }}>
            {form.isError && <Alert type="warning" showIcon title={t('answer.formError', { form: node.form, message: errorMessage(form.error) })} />}
            <div className="sim-field">
              <label htmlFor={ids.values} className="designer-label">{t('answer.valuesText')}</label>
              <Input.TextArea id={ids.values} value={valuesInput} autoSize={{ minRows: 2, maxRows: 8 }}
                placeholder="outcome: promised\npromised_date: 2026-12-20" onChange={(e) => setValuesInput(e.target.value)} />
              {serverErrors && Object.keys(serverErrors).length > 0 && (
                <span className="sim-answer-error">{Object.entries(serverErrors).map(([k, m]) => `${k}: ${m.join(', ')}`).join('; ')}</span>
              )}
            </div>
            <Space>
              <Button type="primary" disabled={!ready} onClick={() => onSave({ ...a, values: parseValues(valuesInput) })}>{t('answer.keep')}</Button>
              {cancel}
            </Space>
          </Space>
        ) : form.data ? (
          <>
            <Typography.Text className="designer-label">{t('answer.values', { form: node.form })}</Typography.Text>
            <FormRenderer definition={form.data} currency={currencies[a.invoice]} initialValues={initial.node === a.node ? initial.values : undefined}
              serverErrors={serverErrors} submitLabel={t('answer.keep')} disabled={!ready} extraActions={cancel}
              onSubmit={(values) => onSave({ ...a, values })} />
          </>
        ) : (
          <Space>
            <Button type="primary" disabled={!ready} onClick={() => onSave({ ...a, values: {} })}>{t('answer.keep')}</Button>
            {cancel}
          </Space>
        )}
      </div>
    </Card>
  );
}

/** answerErrors picks answer i's field errors out of a 422 ("/answers/0/values/promised_date"). */
function answerErrors(err: unknown, i: number): { all: string[]; byField: Record<string, string[]> } {
  const out = { all: [] as string[], byField: {} as Record<string, string[]> };
  if (!(err instanceof ApiError)) return out;
  for (const [field, msgs] of Object.entries(err.fieldErrors())) {
    const m = new RegExp(`^/?answers/${i}(?:/(.*))?$`).exec(field);
    if (!m) continue;
    const rest = m[1] ?? '';
    const valueField = /^values\/(.+)$/.exec(rest)?.[1];
    out.all.push(...msgs.map((msg) => `${valueField ?? rest}: ${msg}`));
    (out.byField[valueField ?? rest] ??= []).push(...msgs);
  }
  return out;
}

export function SimulatePanel({ kind, name, version, dirty, source, onSimulation, onDay }: SimulatePanelProps) {
  const { t, i18n } = useTranslation('designerSim');
  const locale = localeOf(i18n);
  const errorMessage = useErrorMessage();
  const ids = { invoices: useId(), from: useId(), to: useId() };
  const [invoices, setInvoices] = useState<string[]>([]);
  const [currencies, setCurrencies] = useState<Record<string, string>>({});
  const [from, setFrom] = useState(() => today());
  const [to, setTo] = useState(() => addDays(today(), 60));
  const [useVersion, setUseVersion] = useState(version !== undefined);
  const [hadVersion, setHadVersion] = useState(version !== undefined);
  if (hadVersion !== (version !== undefined)) {
    // the first save turns it on; a definition without a version cannot have it
    setHadVersion(version !== undefined);
    setUseVersion(version !== undefined);
  }
  const [answers, setAnswers] = useState<Answer[]>([]);
  const [editing, setEditing] = useState<number | 'new' | undefined>(undefined);
  const allNodes = useMemo(() => (kind === 'Workflow' ? workflowNodes(source) : []), [kind, source]);
  const answerable = allNodes.filter((n) => n.answer);
  const workflow = kind === 'Workflow' ? workflowName(source) ?? name : undefined;
  const onCurrency = useCallback((n: string, c: string) => setCurrencies((cur) => (cur[n] === c ? cur : { ...cur, [n]: c })), []);

  const run = useMutation({ mutationFn: simulate });
  const seen = useRef(onSimulation);
  seen.current = onSimulation;
  useEffect(() => {
    seen.current?.(run.data);
  }, [run.data]);
  const start = () => {
    setEditing(undefined);
    run.mutate({
      invoices, from, to,
      definition: useVersion && version !== undefined ? { kind, name, version } : undefined,
      answers: answers.length ? answers : undefined,
    });
  };
  const rangeBad = from === '' || to === '' || to < from || daysBetween(from, to) >= maxDays;
  const saveAnswer = (i: number | 'new', a: Answer) => {
    setAnswers((cur) => (i === 'new' ? [...cur, a] : cur.map((x, j) => (j === i ? a : x))));
    setEditing(undefined);
  };

  return (
    <Space orientation="vertical" style={{ width: '100%' }} size="middle">
      <Typography.Paragraph>{t('intro')}</Typography.Paragraph>
      {version !== undefined && dirty && <Alert type="info" showIcon title={t('unsaved', { version })} />}
      <div className="sim-form">
        <div className="sim-field" style={{ gridColumn: '1 / -1' }}>
          <label htmlFor={ids.invoices} className="designer-label">{t('invoices')}</label>
          <InvoicePicker id={ids.invoices} value={invoices} onChange={setInvoices} onCurrency={onCurrency} />
          <span className="designer-muted">{t('invoicesHelp')}</span>
        </div>
        <div className="sim-field">
          <label htmlFor={ids.from} className="designer-label">{t('from')}</label>
          <Input id={ids.from} type="date" value={from} onChange={(e) => setFrom(e.target.value)} />
        </div>
        <div className="sim-field">
          <label htmlFor={ids.to} className="designer-label">{t('to')}</label>
          <Input id={ids.to} type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} aria-invalid={rangeBad || undefined} />
        </div>
      </div>
      {rangeBad && <Typography.Text type="danger" role="alert">{t('rangeBad', { max: maxDays })}</Typography.Text>}
      <Checkbox checked={useVersion} disabled={version === undefined} onChange={(e) => setUseVersion(e.target.checked)}>
        {version === undefined ? t('useVersionNone') : t('useVersion', { version, name })}
      </Checkbox>

      {kind === 'Workflow' && (
        <section aria-label={t('answers.title')}>
          <Typography.Title level={3} className="designer-h3">{t('answers.title')}</Typography.Title>
          <Typography.Paragraph className="designer-muted">{t('answers.intro')}</Typography.Paragraph>
          {answerable.length === 0 && <Typography.Paragraph>{t('answers.noNodes')}</Typography.Paragraph>}
          {answers.length > 0 && (
            <ul className="sim-answers" aria-label={t('answers.list')}>
              {answers.map((a, i) => {
                const errs = answerErrors(run.error, i);
                return (
                  <li key={i} className="sim-answer">
                    <span className="sim-answer-text">
                      {t('answers.item', { day: formatDate(a.day, locale), n: daysBetween(from, a.day) + 1, node: a.node, invoice: a.invoice, values: valuesText(a.values) || t('answers.noValues') })}
                    </span>
                    <Button size="small" onClick={() => setEditing(i)} aria-label={t('answers.editOf', { n: i + 1 })}>{t('answers.edit')}</Button>
                    <Button size="small" danger onClick={() => { setAnswers(answers.filter((_, j) => j !== i)); setEditing(undefined); }}
                      aria-label={t('answers.removeOf', { n: i + 1 })}>{t('answers.remove')}</Button>
                    {errs.all.length > 0 && <span className="sim-answer-error" role="alert">{errs.all.join('; ')}</span>}
                  </li>
                );
              })}
            </ul>
          )}
          {editing !== undefined ? (
            <AnswerEditor
              key={String(editing)}
              initial={editing === 'new'
                ? { invoice: invoices.length === 1 ? invoices[0] ?? '' : '', day: addDays(from, 9), node: answerable.length === 1 ? answerable[0]?.name ?? '' : '', values: {} }
                : answers[editing] ?? { invoice: '', day: from, node: '', values: {} }}
              invoices={invoices} nodes={answerable} from={from} to={to} currencies={currencies}
              serverErrors={editing === 'new' ? undefined : answerErrors(run.error, editing).byField}
              onSave={(a) => saveAnswer(editing, a)} onCancel={() => setEditing(undefined)} />
          ) : (
            <Button onClick={() => setEditing('new')} disabled={answerable.length === 0 || invoices.length === 0}>{t('answers.add')}</Button>
          )}
        </section>
      )}

      <Button type="primary" onClick={start} loading={run.isPending} disabled={invoices.length === 0 || rangeBad}>
        {useVersion && version !== undefined ? t('runWith', { version }) : t('runPublished')}
      </Button>
      {run.isError && <Alert type="error" role="alert" showIcon title={errorMessage(run.error)} />}
      {run.data && <SimulationResults simulation={run.data} workflow={workflow} nodeOrder={allNodes.map((n) => n.name)} onDay={onDay} />}
    </Space>
  );
}
