// A task: the customer (call or write from here), the invoice, the outcome
// form rendered from its definition, a comment box and the invoice's
// timeline. Completing it opens the next task of the list it came from.
import { useMemo, useState } from 'react';
import { Link, useLocation, useNavigate, useParams } from 'react-router';
import { App, Button, Card, Col, Descriptions, Form, Input, Row, Skeleton, Space, Tag, Typography } from 'antd';
import { ArrowLeftOutlined, StepForwardOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap, type Schemas } from '../api/client';
import { homeFor, useSession } from '../auth/session';
import { CustomerHeader, RiskTag } from '../components/CustomerHeader';
import { ErrorView, useErrorMessage } from '../components/ErrorView';
import { FormRenderer } from '../components/FormRenderer';
import { localized, readFormDefinition, type FormDefinition } from '../components/formDefinition';
import { Money } from '../components/Money';
import { Timeline, zoneOfInstant } from '../components/Timeline';
import { readHistory } from '../components/tasks/history';
import { ReassignDialog } from '../components/tasks/ReassignDialog';
import { DisputeDialog } from '../components/cases/CaseDialogs';
import { useDisputeReasons } from '../components/cases/disputeReasons';
import { DecisionPlanPreview } from '../components/plans/PlanPreview';
import { loadOrder, nextInOrder, saveOrder, tasksKey, type TaskDetail, type TaskOrder } from '../components/tasks/taskApi';
import { useStageText } from '../components/tasks/TaskList';
import { formatDate, formatInstant, formatNumber, localeOf } from '../format';
import '../components/tasks/tasks.css';

type DecisionOption = Schemas['DecisionOption'];
type OptionEffect = Schemas['OptionEffect'];

/** Tasks completed in this tab: skipped when looking for the next one. */
const doneInTab = new Set<number>();

const statusColor: Record<string, string> = { open: 'blue', done: 'green', cancelled: 'default', expired: 'orange' };

function OutcomeValues({ outcome, definition }: { outcome: Record<string, unknown>; definition: FormDefinition | undefined }) {
  const { i18n } = useTranslation('task');
  const lang = i18n.language;
  const rows = Object.entries(outcome).filter(([, v]) => v !== null && v !== undefined && v !== '');
  if (rows.length === 0) return null;
  return (
    <Descriptions size="small" column={1} items={rows.map(([k, v]) => {
      const f = definition?.fields.find((x) => x.name === k);
      const opt = f?.options?.find((o) => o.value === v);
      const text = opt ? localized(opt.label, lang) || String(v) : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return { key: k, label: f ? localized(f.label, lang) || k : k, children: text };
    })} />
  );
}

function useEffectText(): (e: OptionEffect) => string {
  const { t, i18n } = useTranslation('task');
  return (e) => {
    const title = localized(e.title, i18n.language);
    return t(`option.${e.kind}`, {
      node: title || e.node || '', until: e.until ?? '', reason: e.reason ?? '', field: e.field ?? '', value: e.value ?? '', detail: e.detail ?? '',
      defaultValue: e.kind,
    });
  };
}

function OptionsHelp({ options }: { options: DecisionOption[] }) {
  const { t, i18n } = useTranslation('task');
  const text = useEffectText();
  if (options.length === 0) return null;
  return (
    <details className="task-options">
      <summary>{t('optionsTitle')}</summary>
      <dl>
        {options.map((o) => (
          <div key={o.value}>
            <dt>{localized(o.label, i18n.language) || o.value}</dt>
            <dd>{o.effects.length ? o.effects.map(text).join(t('effectSeparator')) : t('option.none')}</dd>
          </div>
        ))}
      </dl>
    </details>
  );
}

function CommentBox({ taskId }: { taskId: number }) {
  const { t } = useTranslation('task');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const errorText = useErrorMessage();
  const [text, setText] = useState('');
  const add = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/tasks/{id}/comments', { params: { path: { id: taskId } }, body: { text } })),
    onSuccess: async () => {
      setText('');
      message.success(t('commentAdded'));
      await qc.invalidateQueries({ queryKey: [...tasksKey, 'detail', taskId] });
    },
  });
  const err = add.error instanceof ApiError ? add.error.fieldErrors().text?.join(' ') ?? errorText(add.error) : add.error ? errorText(add.error) : undefined;
  return (
    <Form layout="vertical" component="form" onFinish={() => add.mutate()}>
      <Form.Item label={t('comment')} htmlFor="task-comment" validateStatus={err ? 'error' : undefined} help={err}>
        <Input.TextArea id="task-comment" value={text} onChange={(e) => setText(e.target.value)} autoSize={{ minRows: 2, maxRows: 6 }}
          placeholder={t('commentPlaceholder')} />
      </Form.Item>
      <Button htmlType="submit" loading={add.isPending} disabled={!text.trim()}>{t('addComment')}</Button>
    </Form>
  );
}

/** TaskPage shows the task of the route; each task gets a fresh view (form, errors, comment). */
export default function TaskPage() {
  const { id } = useParams();
  return <TaskView key={id} id={Number(id)} />;
}

function TaskView({ id }: { id: number }) {
  const { t, i18n } = useTranslation('task');
  const locale = localeOf(i18n);
  const location = useLocation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const { me, can } = useSession();
  const stage = useStageText();
  const order: TaskOrder | undefined = useMemo(() => loadOrder(location.state), [location.state]);
  const back = order?.from ?? homeFor(me?.user.role);
  const [reassignOpen, setReassignOpen] = useState(false);
  const [disputeOpen, setDisputeOpen] = useState(false);
  const disputeReasons = useDisputeReasons();
  const [formValues, setFormValues] = useState<Record<string, unknown>>({});

  const task = useQuery({
    queryKey: [...tasksKey, 'detail', id],
    queryFn: async () => unwrap(await api.GET('/api/tasks/{id}', { params: { path: { id } } })),
    enabled: Number.isFinite(id) && id > 0,
  });
  const d: TaskDetail | undefined = task.data;
  const definition = useMemo(() => readFormDefinition(d?.form_definition), [d?.form_definition]);
  const history = useMemo(() => readHistory(d?.history), [d?.history]);

  const goNext = (after: number) => {
    const next = nextInOrder(order, after, doneInTab);
    if (next !== undefined && order) {
      saveOrder(order);
      navigate(`/tasks/${next}`, { state: { order } });
    } else {
      message.info(t('listDone'));
      navigate(back);
    }
  };

  const complete = useMutation({
    mutationFn: async (values: Record<string, unknown>) => {
      const body = { values, locale: i18n.language === 'zh-CN' ? 'zh-CN' as const : 'en' as const };
      if (d?.kind === 'approval') {
        return unwrap(await api.POST('/api/approvals/{id}/decide', { params: { path: { id } }, body }));
      }
      return unwrap(await api.POST('/api/tasks/{id}/complete', { params: { path: { id } }, body }));
    },
    onSuccess: async () => {
      doneInTab.add(id);
      message.success(t('completed'));
      void qc.invalidateQueries({ queryKey: ['invoices'] });
      await qc.invalidateQueries({ queryKey: tasksKey });
      goNext(id);
    },
  });

  const claim = useMutation({
    mutationFn: async () => unwrap(await api.POST('/api/tasks/{id}/claim', { params: { path: { id } } })),
    onSuccess: async () => {
      message.success(t('inbox:claimed'));
      await qc.invalidateQueries({ queryKey: tasksKey });
    },
    onError: (e) => message.error(e instanceof ApiError && e.status === 409 ? t('inbox:claimTaken') : e.message),
  });

  if (task.isPending) return <Skeleton active paragraph={{ rows: 8 }} />;
  if (task.isError || !d) return <ErrorView error={task.error} onRetry={() => void task.refetch()} />;

  const open = d.status === 'open';
  const inv = d.invoice_summary;
  const serverErrors = complete.error instanceof ApiError && complete.error.status === 422 ? complete.error.fieldErrors() : undefined;
  const otherError = complete.error && !serverErrors ? complete.error : undefined;
  const mineToDo = !d.assignee || d.assignee === me?.user.email;
  const claimable = open && !d.assignee && !!d.role;
  const zone = d.due_at ? zoneOfInstant(d.due_at) : undefined;

  const side = (
    <Space orientation="vertical" size={16} style={{ display: 'flex' }}>
      {d.customer_detail && <CustomerHeader customer={d.customer_detail} otherInvoices={d.other_invoices} />}
      {inv && (
        <Card size="small" title={<h2 className="card-title">{t('invoice.title', { number: inv.number })}</h2>}
          extra={(
            <Space size={8} wrap>
              {can('cases:write') && !inv.disputed && (
                <Button size="small" onClick={() => setDisputeOpen(true)}>{t('cases:dispute.open')}</Button>
              )}
              <Link to={`/invoices/${encodeURIComponent(inv.number)}`}>{t('invoice.open')}</Link>
            </Space>
          )}>
          <Descriptions size="small" column={1} items={[
            { key: 'amount', label: t('invoice.amount'), children: <Money minor={inv.amount_minor} currency={inv.currency} /> },
            { key: 'paid', label: t('invoice.paid'), children: <Money minor={inv.paid_minor} currency={inv.currency} /> },
            { key: 'balance', label: t('invoice.balance'), children: <Money minor={inv.balance_minor} currency={inv.currency} strong /> },
            { key: 'issue', label: t('invoice.issued'), children: formatDate(inv.issue_date, locale) },
            { key: 'due', label: t('invoice.due'), children: formatDate(inv.due_date, locale) },
            {
              key: 'aging', label: t('invoice.aging'),
              children: inv.days_overdue > 0
                ? <span className="text-danger">{t('invoice.overdueDays', { count: inv.days_overdue, n: formatNumber(inv.days_overdue, locale) })}</span>
                : t('invoice.notDue'),
            },
            { key: 'status', label: t('invoice.status'), children: <>{t(`invoiceStatus.${inv.status}`, { defaultValue: inv.status })}{inv.disputed && <Tag color="red" style={{ marginInlineStart: 8 }}>{t('invoice.disputed')}</Tag>}</> },
            { key: 'risk', label: t('customer.risk'), children: <RiskTag risk={inv.risk} /> },
          ]} />
        </Card>
      )}
    </Space>
  );

  const main = (
    <Space orientation="vertical" size={16} style={{ display: 'flex' }}>
      <Card size="small" title={<h2 className="card-title">{definition ? localized(definition.title, i18n.language) || t('outcome') : t('outcome')}</h2>}>
        {d.description && <Typography.Paragraph className="task-description">{d.description}</Typography.Paragraph>}
        {!open ? (
          <>
            <Typography.Paragraph>
              {t('closed', { status: t(`status.${d.status}`, { defaultValue: d.status }), at: d.completed_at ? formatInstant(d.completed_at, locale, zoneOfInstant(d.completed_at)) : '' })}
            </Typography.Paragraph>
            {d.outcome && <OutcomeValues outcome={d.outcome} definition={definition} />}
          </>
        ) : claimable ? (
          <Space orientation="vertical">
            <Typography.Text>{t('claimFirst', { role: t(`common:roles.${d.role ?? ''}`, { defaultValue: d.role ?? '' }) })}</Typography.Text>
            <Button type="primary" onClick={() => claim.mutate()} loading={claim.isPending}>{t('inbox:claim')}</Button>
          </Space>
        ) : definition ? (
          <>
            {otherError && <ErrorView error={otherError} />}
            <FormRenderer
              definition={definition}
              currency={inv?.currency}
              onSubmit={(values) => complete.mutate(values)}
              submitting={complete.isPending}
              serverErrors={serverErrors}
              disabled={!mineToDo}
              submitLabel={d.kind === 'approval' ? t('decide') : t('complete')}
              onValuesChange={setFormValues}
              beforeActions={<DecisionPlanPreview values={formValues} invoice={inv?.number} balanceMinor={inv?.balance_minor} />}
              extraActions={nextInOrder(order, id, doneInTab) !== undefined ? (
                <Button icon={<StepForwardOutlined aria-hidden />} onClick={() => goNext(id)}>{t('skip')}</Button>
              ) : undefined}
            />
            {d.options && d.options.length > 0 && <OptionsHelp options={d.options} />}
          </>
        ) : (
          <>
            {otherError && <ErrorView error={otherError} />}
            <Button type="primary" onClick={() => complete.mutate({})} loading={complete.isPending} disabled={!mineToDo}>{t('markDone')}</Button>
          </>
        )}
      </Card>
      <Card size="small" title={<h2 className="card-title">{t('comments')}</h2>}>
        <CommentBox taskId={id} />
      </Card>
      <Card size="small" title={<h2 className="card-title">{t('timeline')}</h2>}>
        <Timeline
          effects={history.effects}
          payments={history.payments}
          activity={d.activity}
          messages={d.messages}
          currency={inv?.currency}
          timeZone={zone}
          disputeReasons={disputeReasons}
        />
      </Card>
    </Space>
  );

  return (
    <div className="task-page">
      <div className="task-detail-head">
        <Link to={back} className="task-back"><ArrowLeftOutlined aria-hidden /> {t('back')}</Link>
        <Typography.Title level={1} className="page-title">{d.title}</Typography.Title>
        <Space wrap size={[8, 4]}>
          <Tag color={statusColor[d.status] ?? 'default'}>{t(`status.${d.status}`, { defaultValue: d.status })}</Tag>
          {d.kind === 'approval' && <Tag color="purple">{t('inbox:approval')}</Tag>}
          {stage(d) && <span>{t('stage', { stage: stage(d) })}</span>}
          {d.due_at && (
            <span className={d.overdue && open ? 'text-danger' : 'muted'}>
              {t('due', { at: formatInstant(d.due_at, locale, zone) })}
            </span>
          )}
          <span className="muted">
            {d.assignee ? t('assignee', { who: d.assignee_name || d.assignee }) : d.role ? t('inbox:roleTask', { role: t(`common:roles.${d.role}`, { defaultValue: d.role }) }) : ''}
          </span>
          {open && can('tasks:assign') && (
            <Button size="small" onClick={() => setReassignOpen(true)}>{t('inbox:reassign')}</Button>
          )}
        </Space>
      </div>
      <Row gutter={[16, 16]}>
        <Col xs={{ span: 24, order: 2 }} lg={{ span: 15, order: 1 }}>{main}</Col>
        <Col xs={{ span: 24, order: 1 }} lg={{ span: 9, order: 2 }}>{side}</Col>
      </Row>
      <ReassignDialog taskIds={[id]} open={reassignOpen} onClose={() => setReassignOpen(false)} />
      {inv && (
        <DisputeDialog invoice={{ number: inv.number, currency: inv.currency, balance_minor: inv.balance_minor }} open={disputeOpen}
          onClose={() => setDisputeOpen(false)} />
      )}
    </div>
  );
}
