// API tokens (admin): issue one with a name, the user it acts as, its scopes
// and an expiry; its secret is shown once, with a copy button and a warning;
// the list shows prefix, user, scopes, dates and status; revoke with a
// confirmation. The server refuses a scope the user's role lacks.
import { useState } from 'react';
import { Alert, App, Button, Card, Checkbox, Form, Input, InputNumber, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { CopyOutlined, KeyOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession, type Permission } from '../../auth/session';
import { ErrorView, useErrorMessage } from '../../components/ErrorView';
import { showServerErrors } from '../../components/admin/serverErrors';
import { formatInstant, localeOf } from '../../format';
import { muted, tagColors } from '../../components/invoices/labels';
import { AaTheme } from '../../components/invoices/AaTheme';

type Token = Schemas['APIToken'];
type Created = Schemas['CreatedToken'];
const tokensKey = ['admin', 'tokens'] as const;
export const permissions: Permission[] = ['tasks:read', 'tasks:write', 'tasks:assign', 'approvals:decide', 'invoices:read', 'payments:write',
  'import:write', 'dashboard:read', 'definitions:read', 'definitions:write', 'audit:read', 'outbox:read', 'users:admin', 'tokens:admin'];

interface IssueForm { name?: string; user?: string; scopes?: Permission[]; expires_in_days?: number | null }

/** scopeKey is the catalog key of a permission (a colon would name a namespace). */
export const scopeKey = (p: string) => `scope.${p.replace(':', '_')}`;

function IssueModal({ onClose, onIssued }: { onClose(): void; onIssued(c: Created): void }) {
  const { t } = useTranslation('admin');
  const { can } = useSession();
  const qc = useQueryClient();
  const [form] = Form.useForm<IssueForm>();
  const [formError, setFormError] = useState<string>();
  const users = useQuery({
    queryKey: ['admin', 'users'],
    queryFn: async () => unwrap(await api.GET('/api/users')),
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
    onError: (err) => setFormError(showServerErrors(form, err, ['name', 'user', 'scopes', 'expires_in_days'])),
  });
  return (
    <Modal open title={t('tokens.issueTitle')} onCancel={onClose} onOk={() => form.submit()} okText={t('tokens.issue')}
      cancelText={t('common:common.cancel')} okButtonProps={{ loading: issue.isPending }} destroyOnHidden width={640}>
      <Form<IssueForm> form={form} layout="vertical" onFinish={(v) => { setFormError(undefined); issue.mutate(v); }} onValuesChange={() => setFormError(undefined)}>
        {formError && <Alert type="error" showIcon role="alert" title={formError} style={{ marginBottom: 12 }} />}
        <Form.Item label={t('tokens.field.name')} name="name" rules={[{ required: true, message: t('tokens.required', { field: t('tokens.field.name') }) }]}>
          <Input autoComplete="off" placeholder="erp-import" />
        </Form.Item>
        <Form.Item label={t('tokens.field.user')} name="user" extra={t('tokens.field.userHelp')}>
          {can('users:admin') ? (
            <Select allowClear showSearch={{ optionFilterProp: 'label' }} loading={users.isPending}
              options={(users.data?.items ?? []).filter((u) => u.active).map((u) => ({ value: u.email, label: `${u.name} <${u.email}> · ${t(`common:roles.${u.role}`)}` }))} />
          ) : <Input type="email" autoComplete="off" />}
        </Form.Item>
        <Form.Item label={t('tokens.field.scopes')} name="scopes">
          <Checkbox.Group role="group" aria-label={t('tokens.field.scopes')} style={{ display: 'grid', gridTemplateColumns: 'repeat(auto-fill, minmax(240px, 1fr))', gap: 4 }}
            options={permissions.map((p) => ({ value: p, label: <span>{t(scopeKey(p))} <Typography.Text style={muted} code>{p}</Typography.Text></span> }))} />
        </Form.Item>
        <Form.Item label={t('tokens.field.expires')} name="expires_in_days" extra={t('tokens.field.expiresHelp')}>
          <InputNumber min={1} max={3650} precision={0} style={{ width: 160 }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function SecretModal({ created, onClose }: { created: Created; onClose(): void }) {
  const { t } = useTranslation('admin');
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
        <Space.Compact style={{ width: '100%' }}>
          <Input id="token-secret" readOnly value={created.secret} style={{ fontFamily: 'monospace' }} onFocus={(e) => e.target.select()} />
          <Button icon={<CopyOutlined />} onClick={() => void copy()}>{t('tokens.copy')}</Button>
        </Space.Compact>
        <Typography.Text style={muted}>{t('tokens.usage')}</Typography.Text>
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
  const q = useQuery({ queryKey: tokensKey, queryFn: async () => unwrap(await api.GET('/api/tokens')) });
  const revoke = useMutation({
    mutationFn: async (tok: Token) => unwrap(await api.DELETE('/api/tokens/{id}', { params: { path: { id: tok.id } } })),
    onSuccess: async (_, tok) => {
      await qc.invalidateQueries({ queryKey: tokensKey });
      void message.success(t('tokens.revokedDone', { name: tok.name }));
    },
    onError: (e) => void message.error(errorMessage(e)),
  });

  const now = Date.now();
  const status = (tok: Token) => {
    if (tok.revoked_at) return <Tag color={tagColors.red}>{t('tokens.revoked')}</Tag>;
    if (tok.expires_at && new Date(tok.expires_at).getTime() <= now) return <Tag>{t('tokens.expired')}</Tag>;
    return <Tag color={tagColors.green}>{t('tokens.active')}</Tag>;
  };
  const when = (v: string | undefined, none: string) => <span style={{ whiteSpace: 'nowrap' }}>{v ? formatInstant(v, locale) : none}</span>;
  const columns: TableColumnsType<Token> = [
    { key: 'name', title: t('tokens.col.name'), dataIndex: 'name' },
    { key: 'prefix', title: t('tokens.col.prefix'), render: (_, tok) => <Typography.Text code>{tok.prefix}…</Typography.Text> },
    { key: 'user', title: t('tokens.col.user'), dataIndex: 'user' },
    { key: 'scopes', title: t('tokens.col.scopes'), render: (_, tok) => (
      <Space size={[2, 2]} wrap style={{ maxWidth: 320 }}>{tok.scopes.map((s) => <Tag key={s} title={t(scopeKey(s), { defaultValue: s })}>{s}</Tag>)}</Space>
    ) },
    { key: 'created', title: t('tokens.col.created'), render: (_, tok) => <span>{when(tok.created_at, '')}<br /><Typography.Text style={muted}>{tok.created_by}</Typography.Text></span> },
    { key: 'used', title: t('tokens.col.lastUsed'), render: (_, tok) => when(tok.last_used_at, t('tokens.notUsed')) },
    { key: 'expires', title: t('tokens.col.expires'), render: (_, tok) => when(tok.expires_at, t('tokens.never')) },
    { key: 'status', title: t('tokens.col.status'), render: (_, tok) => (tok.revoked_at ? <span>{status(tok)} {when(tok.revoked_at, '')}</span> : status(tok)) },
    { key: 'actions', title: t('common:common.actions'), render: (_, tok) => (tok.revoked_at ? null : (
      <Popconfirm title={t('tokens.revokeConfirm', { name: tok.name })} okText={t('tokens.revoke')} cancelText={t('common:common.cancel')}
        okButtonProps={{ danger: true }} onConfirm={() => revoke.mutateAsync(tok)}>
        <Button size="small" danger aria-label={t('tokens.revokeOf', { name: tok.name })}>{t('tokens.revoke')}</Button>
      </Popconfirm>
    )) },
  ];
  const items = [...(q.data?.items ?? [])].sort((a, b) => Number(Boolean(a.revoked_at)) - Number(Boolean(b.revoked_at)) || b.id - a.id);

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ margin: 0 }}>{t('tokens.title')}</Typography.Title>
        <Button type="primary" icon={<KeyOutlined />} onClick={() => setIssuing(true)}>{t('tokens.issue')}</Button>
      </Space>
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <Card styles={{ body: { padding: 0 } }}>
          <Table<Token> aria-label={t('tokens.list')} rowKey="id" size="middle" columns={columns} dataSource={items} loading={q.isPending}
            pagination={{ pageSize: 50, hideOnSinglePage: true }} scroll={{ x: 'max-content' }} />
        </Card>
      )}
      {issuing && <IssueModal onClose={() => setIssuing(false)} onIssued={(c) => { setIssuing(false); setCreated(c); }} />}
      {created && <SecretModal created={created} onClose={() => setCreated(undefined)} />}
    </Space>
  );
}

export default function TokensPage() {
  return <AaTheme><TokensPageContent /></AaTheme>;
}
