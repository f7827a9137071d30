// API tokens (admin): issue one with a name, the user it acts as, its scopes
// and an expiry (90 days unless asked, at most 365); its secret is shown once, with a copy button and a warning,
// and is gone from the page when that dialog closes; the list (a table on a
// desk, cards on a phone) shows prefix, user, scopes, dates and status, and
// warns of a token that expires within 14 days;
// revoke with a confirmation. The server refuses a scope the user's role
// lacks, and says so next to the scopes.
import { useState } from 'react';
import { Alert, App, Button, Checkbox, Form, Grid, Input, InputNumber, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { CopyOutlined, KeyOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { fetchAllTokens, fetchAllUsers } from '../../api/allPages';
import { useSession, type Permission } from '../../auth/session';
import { ErrorView, useErrorMessage } from '../../components/ErrorView';
import { showServerErrors } from '../../components/admin/serverErrors';
import { useClearable } from '../../components/admin/clearable';
import { Field, Fields, ResponsiveTable } from '../../components/admin/ResponsiveTable';
import { formatInstant, localeOf } from '../../format';
import { tagColors } from '../../components/invoices/labels';
import { AaTheme } from '../../components/invoices/AaTheme';

type Token = Schemas['APIToken'];
type Created = Schemas['CreatedToken'];
const tokensKey = ['admin', 'tokens'] as const;
export const permissions: Permission[] = ['tasks:read', 'tasks:write', 'tasks:assign', 'approvals:decide', 'invoices:read', 'payments:write',
  'import:write', 'dashboard:read', 'definitions:read', 'definitions:write', 'audit:read', 'outbox:read', 'notifications:read',
  'notifications:write', 'cases:write', 'cases:decide', 'users:admin', 'tokens:admin', 'settings:admin'];

/** expiryWarningDays: a token this close to its expiry is flagged in the list. */
export const expiryWarningDays = 14;

/**
 * daysLeft is how many days a live token has before it expires, rounded up
 * (0: less than one), when that is fewer than expiryWarningDays, else
 * undefined (no warning; also for revoked and expired tokens).
 */
export function daysLeft(tok: Pick<Token, 'expires_at' | 'revoked_at'>, now: number): number | undefined {
  if (tok.revoked_at) return undefined;
  const left = new Date(tok.expires_at).getTime() - now;
  if (left <= 0 || left >= expiryWarningDays * 86_400_000) return undefined;
  return left < 86_400_000 ? 0 : Math.ceil(left / 86_400_000);
}

interface IssueForm { name?: string; user?: string; scopes?: Permission[]; expires_in_days?: number | null }

/** scopeKey is the catalog key of a permission (a colon would name a namespace). */
export const scopeKey = (p: string) => `scope.${p.replace(':', '_')}`;

function IssueModal({ onClose, onIssued }: { onClose(): void; onIssued(c: Created): void }) {
  const { t } = useTranslation('admin');
  const { can } = useSession();
  const qc = useQueryClient();
  const [form] = Form.useForm<IssueForm>();
  const [formError, setFormError] = useState<string>();
  const clearable = useClearable();
  const users = useQuery({
    queryKey: ['admin', 'users'],
    queryFn: fetchAllUsers,
    enabled: can('users:admin'),
  });
  const issue = useMutation({
    mutationFn: async (v: IssueForm) => unwrap(await api.POST('/api/tokens', { body: {
      name: v.name?.trim() ?? '',
      user: v.user || undefined,
      scopes: v.scopes ?? [],
      expires_in_days: v.expires_in_days ?? undefined,
    } })),
    onSuccess: async (c) => {
      await qc.invalidateQueries({ queryKey: tokensKey });
      onIssued(c);
    },
    onError: (err) => setFormError(showServerErrors(form, err, ['name', 'user', 'scopes', 'expires_in_days'], { t })),
  });
  return (
    // disabled while issuing, not loading: see UsersPage
    <Modal open title={t('tokens.issueTitle')} onCancel={onClose} onOk={() => form.submit()} okText={t('tokens.issue')}
      cancelText={t('common:common.cancel')} okButtonProps={{ disabled: issue.isPending }} destroyOnHidden width={760}
      mask={{ closable: false }}>
      <Form<IssueForm> form={form} layout="vertical" onFinish={(v) => { setFormError(undefined); issue.mutate(v); }} onValuesChange={() => setFormError(undefined)}>
        {formError && <Alert type="error" showIcon role="alert" title={formError} style={{ marginBottom: 12 }} />}
        <Form.Item label={t('tokens.field.name')} name="name" extra={t('tokens.field.nameHelp')}
          rules={[{ required: true, message: t('tokens.required', { field: t('tokens.field.name') }) }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('tokens.field.user')} name="user" extra={t('tokens.field.userHelp')}>
          {can('users:admin') ? (
            <Select allowClear={clearable} showSearch={{ optionFilterProp: 'label' }} loading={users.isPending} placeholder={t('tokens.field.userYou')}
              options={(users.data?.items ?? []).filter((u) => u.active).map((u) => ({ value: u.email, label: `${u.name} · ${t(`common:roles.${u.role}`)} · ${u.email}` }))} />
          ) : <Input type="email" autoComplete="off" placeholder={t('tokens.field.userYou')} />}
        </Form.Item>
        <Form.Item label={t('tokens.field.scopes')} name="scopes" extra={t('tokens.field.scopesHelp')}>
          <Checkbox.Group role="group" aria-label={t('tokens.field.scopes')}
            style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(150px, 1fr))', gap: '6px 12px' }}
            options={permissions.map((p) => ({
              value: p,
              label: <span>{t(scopeKey(p))}<br /><code className="admin-muted" style={{ fontSize: 12 }}>{p}</code></span>,
            }))} />
        </Form.Item>
        <Form.Item label={t('tokens.field.expires')} name="expires_in_days" extra={t('tokens.field.expiresHelp')}>
          <InputNumber precision={0} controls={false} style={{ width: 160 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function SecretModal({ created, onClose }: { created: Created; onClose(): void }) {
  const { t } = useTranslation('admin');
  const screens = Grid.useBreakpoint();
  const { message } = App.useApp();
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.secret);
      void message.success(t('tokens.copied'));
    } catch {
      void message.error(t('tokens.copyFailed'));
    }
  };
  return (
    <Modal open title={t('tokens.secretTitle', { name: created.token.name })} closable={false} mask={{ closable: false }} keyboard={false}
      footer={<Button type="primary" onClick={onClose}>{t('tokens.done')}</Button>} width={640}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        <Alert type="warning" showIcon title={t('tokens.secretWarning')} />
        <label htmlFor="token-secret"><Typography.Text strong>{t('tokens.secretLabel')}</Typography.Text></label>
        {/* fixed rows: autoSize would copy the secret into a hidden measuring textarea that stays in the page */}
        <Input.TextArea id="token-secret" className="admin-secret" readOnly value={created.secret} rows={screens.sm ? 1 : 2} spellCheck={false}
          style={{ resize: 'none' }}
          onFocus={(e) => e.target.select()} />
        <Button icon={<CopyOutlined />} onClick={() => void copy()}>{t('tokens.copy')}</Button>
        <Typography.Text className="admin-muted">{t('tokens.usage')}</Typography.Text>
      </Space>
    </Modal>
  );
}

function TokensPageContent() {
  const { t, i18n } = useTranslation('admin');
  const locale = localeOf(i18n);
  const { message } = App.useApp();
  const errorMessage = useErrorMessage();
  const qc = useQueryClient();
  const [issuing, setIssuing] = useState(false);
  const [created, setCreated] = useState<Created>();
  const q = useQuery({ queryKey: tokensKey, queryFn: fetchAllTokens });
  const revoke = useMutation({
    mutationFn: async (tok: Token) => unwrap(await api.DELETE('/api/tokens/{id}', { params: { path: { id: tok.id } } })),
    onSuccess: async (_, tok) => {
      await qc.invalidateQueries({ queryKey: tokensKey });
      void message.success(t('tokens.revokedDone', { name: tok.name }));
    },
    onError: (e) => void message.error(errorMessage(e)),
  });

  const now = Date.now();
  // a key per state: the tag is replaced, not recoloured through a transition
  const status = (tok: Token) => {
    if (tok.revoked_at) return <Tag key="revoked" color={tagColors.red}>{t('tokens.revoked')}</Tag>;
    if (new Date(tok.expires_at).getTime() <= now) return <Tag key="expired" color={tagColors.grey}>{t('tokens.expired')}</Tag>;
    const left = daysLeft(tok, now);
    if (left !== undefined) {
      return <Tag key="expiring" color={tagColors.orange}>{left === 0 ? t('tokens.expiresToday') : t('tokens.expiresSoon', { count: left })}</Tag>;
    }
    return <Tag key="active" color={tagColors.green}>{t('tokens.active')}</Tag>;
  };
  const scopes = (tok: Token) => (
    <Space size={[4, 4]} wrap>
      {tok.scopes.map((s) => <Tag key={s} title={s} style={{ marginInlineEnd: 0 }}>{t(scopeKey(s), { defaultValue: s })}</Tag>)}
    </Space>
  );
  const when = (at: string) => <span className="admin-nowrap">{formatInstant(at, locale)}</span>;
  const createdAt = (tok: Token) => when(tok.created_at);
  const createdBy = (tok: Token) => <span className="admin-muted admin-break">{t('tokens.by', { who: tok.created_by })}</span>;
  const lastUsed = (tok: Token) => (tok.last_used_at ? when(tok.last_used_at) : t('tokens.notUsed'));
  const expires = (tok: Token) => when(tok.expires_at);
  /** dates is the token's life in labelled lines: issued (and by whom), last used, expires or revoked. */
  const dates = (tok: Token) => (
    <dl className="admin-dates">
      <dt>{t('tokens.col.created')}</dt><dd>{createdAt(tok)}<div>{createdBy(tok)}</div></dd>
      <dt>{t('tokens.col.lastUsed')}</dt><dd>{lastUsed(tok)}</dd>
      {tok.revoked_at
        ? <><dt>{t('tokens.revokedAt')}</dt><dd>{when(tok.revoked_at)}</dd></>
        : <><dt>{t('tokens.col.expires')}</dt><dd>{expires(tok)}</dd></>}
    </dl>
  );
  const action = (tok: Token, size: 'small' | 'middle' = 'small') => (tok.revoked_at ? null : (
    <Popconfirm title={t('tokens.revokeConfirm', { name: tok.name })} okText={t('tokens.revoke')} cancelText={t('common:common.cancel')}
      okButtonProps={{ danger: true }} onConfirm={() => revoke.mutateAsync(tok).catch(() => undefined)}>
      <Button size={size} danger aria-label={t('tokens.revokeOf', { name: tok.name })}>{t('tokens.revoke')}</Button>
    </Popconfirm>
  ));
  const nameCell = (tok: Token) => (
    <div style={{ minWidth: 140 }}>
      <div className="admin-card-title">{tok.name}</div>
      <Typography.Text code className="admin-nowrap" title={t('tokens.col.prefix')}>{tok.prefix}…</Typography.Text>
    </div>
  );

  const columns: TableColumnsType<Token> = [
    { key: 'name', title: t('tokens.col.name'), render: (_, tok) => nameCell(tok) },
    { key: 'user', title: t('tokens.col.user'), render: (_, tok) => <span className="admin-break">{tok.user}</span> },
    { key: 'scopes', title: t('tokens.col.scopes'), render: (_, tok) => scopes(tok) },
    { key: 'dates', title: t('tokens.col.dates'), render: (_, tok) => dates(tok) },
    { key: 'status', title: t('tokens.col.status'), render: (_, tok) => status(tok) },
    { key: 'actions', title: t('common:common.actions'), render: (_, tok) => action(tok) },
  ];
  const card = (tok: Token) => (
    <article aria-label={tok.name}>
      <div className="admin-card-head">
        <span className="admin-card-title">{tok.name}</span>
        {status(tok)}
      </div>
      <Fields>
        <Field label={t('tokens.col.prefix')}><Typography.Text code className="admin-nowrap">{tok.prefix}…</Typography.Text></Field>
        <Field label={t('tokens.col.user')}>{tok.user}</Field>
        <Field label={t('tokens.col.scopes')} wide>{scopes(tok)}</Field>
        <Field label={t('tokens.col.created')}>{formatInstant(tok.created_at, locale)}<div className="admin-muted">{t('tokens.by', { who: tok.created_by })}</div></Field>
        <Field label={t('tokens.col.lastUsed')}>{tok.last_used_at ? formatInstant(tok.last_used_at, locale) : t('tokens.notUsed')}</Field>
        {tok.revoked_at
          ? <Field label={t('tokens.revokedAt')}>{formatInstant(tok.revoked_at, locale)}</Field>
          : <Field label={t('tokens.col.expires')}>{formatInstant(tok.expires_at, locale)}</Field>}
      </Fields>
      {action(tok, 'middle')}
    </article>
  );
  const items = [...(q.data?.items ?? [])].sort((a, b) => Number(Boolean(a.revoked_at)) - Number(Boolean(b.revoked_at)) || b.id - a.id);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ margin: 0 }}>{t('tokens.title')}</Typography.Title>
        <Button type="primary" icon={<KeyOutlined />} onClick={() => setIssuing(true)}>{t('tokens.issue')}</Button>
      </Space>
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <ResponsiveTable<Token> label={t('tokens.list')} items={items} rowKey={(tok) => tok.id} columns={columns} card={card}
          loading={q.isPending} empty={t('tokens.empty')} pageSize={50} />
      )}
      {issuing && <IssueModal onClose={() => setIssuing(false)} onIssued={(c) => { setIssuing(false); setCreated(c); }} />}
      {created && <SecretModal created={created} onClose={() => setCreated(undefined)} />}
    </Space>
  );
}

export default function TokensPage() {
  return <AaTheme><TokensPageContent /></AaTheme>;
}
