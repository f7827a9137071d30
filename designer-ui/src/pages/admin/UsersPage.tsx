// Users (admin): the list (a table on a desk, cards on a phone), adding a
// user with a role, team, language and an initial password (typed or
// generated, shown so the admin can hand it over), changing a user's name,
// role, team, language or password, deactivating and reactivating. The
// server decides (an admin cannot demote or deactivate itself, an email is
// taken, a password is too short…) and its errors are shown next to the
// fields.
import { useMemo, useState } from 'react';
import { Alert, App, AutoComplete, Button, Form, Input, Modal, Popconfirm, Select, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ApiError, api, unwrap, type Schemas } from '../../api/client';
import { fetchAllUsers } from '../../api/allPages';
import { useSession } from '../../auth/session';
import { ErrorView, useErrorMessage } from '../../components/ErrorView';
import { showServerErrors } from '../../components/admin/serverErrors';
import { useClearable } from '../../components/admin/clearable';
import { Field, Fields, ResponsiveTable } from '../../components/admin/ResponsiveTable';
import { formatInstant, localeOf } from '../../format';
import { tagColors } from '../../components/invoices/labels';
import { AaTheme } from '../../components/invoices/AaTheme';

type User = Schemas['UserInfo'];
type Role = Schemas['Role'];
type Language = Schemas['Language'];
const languageOptions: Language[] = ['', 'en', 'zh-CN'];
const roles: Role[] = ['sales_rep', 'sales_manager', 'finance', 'finance_director', 'admin'];
const usersKey = ['admin', 'users'] as const;

interface UserForm { email?: string; name?: string; role?: Role; team?: string; language?: Language; password?: string }

const passwordAlphabet = 'abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789';

/** generatePassword is 16 characters from the browser's CSPRNG, without look-alike characters. */
function generatePassword(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  // 256 is not a multiple of the alphabet's length: drop the few biased values by drawing again
  return Array.from(bytes, (b) => {
    let v = b;
    while (v >= 256 - (256 % passwordAlphabet.length)) v = crypto.getRandomValues(new Uint8Array(1))[0] ?? 0;
    return passwordAlphabet[v % passwordAlphabet.length];
  }).join('');
}

function UserModal({ user, teams, onClose }: { user: User | undefined; teams: string[]; onClose(): void }) {
  const { t } = useTranslation('admin');
  const { me } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<UserForm>();
  const [formError, setFormError] = useState<string>();
  const [showPassword, setShowPassword] = useState(false);
  const clearable = useClearable();
  const creating = !user;
  const fields = ['email', 'name', 'role', 'team', 'language', 'password'] as const;

  const save = useMutation({
    mutationFn: async (v: UserForm) => {
      const team = v.team?.trim() ?? '';
      const password = v.password ? v.password : undefined;
      if (creating) {
        return unwrap(await api.POST('/api/users', { body: { email: v.email?.trim() ?? '', name: v.name?.trim() ?? '', role: v.role ?? 'sales_rep', team, language: v.language, password } }));
      }
      return unwrap(await api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body: { name: v.name?.trim(), role: v.role, team, language: v.language, password } }));
    },
    onSuccess: async (u, v) => {
      await qc.invalidateQueries({ queryKey: usersKey });
      if (creating) void message.success(v.password ? t('users.createdWithPassword', { email: u.email }) : t('users.created', { email: u.email }));
      else void message.success(t('users.saved'));
      onClose();
    },
    onError: (err) => {
      // the server refuses an admin's own demotion with a 409 that names no field
      const self = !creating && user.id === me?.user.id && err instanceof ApiError && err.status === 409;
      setFormError(self ? t('users.selfConflict') : showServerErrors(form, err, fields, { t, conflictField: creating ? 'email' : undefined, conflictMessage: t('users.emailTaken') }));
    },
  });

  const generate = () => {
    form.setFields([{ name: 'password', value: generatePassword(), errors: [] }]);
    setShowPassword(true);
  };

  return (
    <Modal
      open
      title={creating ? t('users.createTitle') : t('users.editTitle', { name: user.name })}
      onCancel={onClose}
      okText={creating ? t('users.createSubmit') : t('common:common.save')}
      cancelText={t('common:common.cancel')}
      // disabled, not loading: antd's loading icon can stay behind after a quick answer
      // (its leave motion has no deadline) and the button is then named "loading …"
      okButtonProps={{ disabled: save.isPending }}
      onOk={() => form.submit()}
      destroyOnHidden
      // a stray click beside the dialog must not throw away what was typed
      mask={{ closable: false }}
    >
      <Form<UserForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={user ? { email: user.email, name: user.name, role: user.role, team: user.team, language: user.language } : { role: 'sales_rep', language: '' }}
        onFinish={(v) => { setFormError(undefined); save.mutate(v); }}
        onValuesChange={() => setFormError(undefined)}
      >
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} role="alert" />}
        <Form.Item label={t('users.field.email')} name="email" rules={[{ required: creating, message: t('users.required', { field: t('users.field.email') }) }]}
          extra={creating ? undefined : t('users.field.emailFixed')}>
          <Input type="email" autoComplete="off" disabled={!creating} />
        </Form.Item>
        <Form.Item label={t('users.field.name')} name="name" rules={[{ required: true, message: t('users.required', { field: t('users.field.name') }) }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('users.field.role')} name="role" rules={[{ required: true, message: t('users.required', { field: t('users.field.role') }) }]}>
          <Select options={roles.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))} />
        </Form.Item>
        <Form.Item label={t('users.field.team')} name="team" extra={t('users.field.teamHelp')}>
          <AutoComplete
            allowClear={clearable}
            options={teams.map((x) => ({ value: x, label: x }))}
            filterOption={(input, option) => String(option?.value ?? '').toLowerCase().includes(input.trim().toLowerCase())}
          />
        </Form.Item>
        <Form.Item label={t('users.field.language')} name="language">
          <Select options={languageOptions.map((l) => ({ value: l, label: l ? t(`common:language.${l}`) : t('users.browserLanguage') }))} />
        </Form.Item>
        <Form.Item
          label={creating ? t('users.field.password') : t('users.field.newPassword')}
          extra={creating ? t('users.field.passwordHelp') : t('users.field.newPasswordHelp')}
          htmlFor="user-password"
        >
          <Space.Compact style={{ width: '100%' }}>
            <Form.Item name="password" noStyle>
              <Input.Password
                id="user-password"
                autoComplete="new-password"
                visibilityToggle={{ visible: showPassword, onVisibleChange: setShowPassword }}
                style={{ fontFamily: showPassword ? 'monospace' : undefined }}
              />
            </Form.Item>
            <Button onClick={generate}>{t('users.generate')}</Button>
          </Space.Compact>
        </Form.Item>
      </Form>
    </Modal>
  );
}

function UsersPageContent() {
  const { t, i18n } = useTranslation('admin');
  const locale = localeOf(i18n);
  const { me } = useSession();
  const { message } = App.useApp();
  const errorMessage = useErrorMessage();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<{ user: User | undefined } | null>(null);
  const q = useQuery({ queryKey: usersKey, queryFn: fetchAllUsers });
  const items = useMemo(() => q.data?.items ?? [], [q.data]);
  const teams = useMemo(() => [...new Set(items.map((u) => u.team).filter(Boolean))].sort(), [items]);

  const setActive = useMutation({
    mutationFn: async ({ user, active }: { user: User; active: boolean }) =>
      unwrap(await api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body: { active } })),
    onSuccess: async (u, { active }) => {
      await qc.invalidateQueries({ queryKey: usersKey });
      void message.success(active ? t('users.reactivated', { name: u.name }) : t('users.deactivated', { name: u.name }));
    },
    onError: (e, { user }) => {
      if (user.id === me?.user.id && e instanceof ApiError && e.status === 409) void message.error(t('users.selfConflict'));
      else void message.error(errorMessage(e));
    },
  });

  const nameOf = (u: User) => (
    <Space size={4} wrap>
      <span className="admin-card-title">{u.name}</span>
      {u.id === me?.user.id && <Tag>{t('users.you')}</Tag>}
    </Space>
  );
  const statusOf = (u: User) => (
    <Space size={4} wrap>
      {u.active ? <Tag color={tagColors.green}>{t('users.active')}</Tag> : <Tag color={tagColors.grey}>{t('users.inactive')}</Tag>}
      {!u.has_password && <Tag color={tagColors.orange}>{t('users.noPassword')}</Tag>}
    </Space>
  );
  const languageOf = (u: User) => (u.language ? t(`common:language.${u.language}`) : t('users.browserLanguage'));
  const lastLogin = (u: User) => (u.last_login_at ? formatInstant(u.last_login_at, locale) : t('users.neverSignedIn'));
  const actions = (u: User, size: 'small' | 'middle' = 'small') => (
    <Space size={4} wrap>
      <Button size={size} aria-label={t('users.editOf', { name: u.name })} onClick={() => setEditing({ user: u })}>{t('users.edit')}</Button>
      {u.active ? (
        <Popconfirm title={t('users.deactivateConfirm', { name: u.name })} okText={t('users.deactivate')} cancelText={t('common:common.cancel')}
          okButtonProps={{ danger: true }} onConfirm={() => setActive.mutateAsync({ user: u, active: false }).catch(() => undefined)}>
          <Button size={size} danger aria-label={t('users.deactivateOf', { name: u.name })}>{t('users.deactivate')}</Button>
        </Popconfirm>
      ) : (
        <Button size={size} aria-label={t('users.reactivateOf', { name: u.name })} onClick={() => setActive.mutate({ user: u, active: true })}>{t('users.reactivate')}</Button>
      )}
    </Space>
  );

  const columns: TableColumnsType<User> = [
    { key: 'name', title: t('users.field.user'), render: (_, u) => (
      <div style={{ minWidth: 180 }}>
        {nameOf(u)}
        <div className="admin-muted admin-break">{u.email}</div>
      </div>
    ) },
    { key: 'role', title: t('users.field.role'), render: (_, u) => t(`common:roles.${u.role}`) },
    { key: 'team', title: t('users.field.team'), render: (_, u) => u.team || t('users.noTeam') },
    { key: 'language', title: t('users.field.language'), render: (_, u) => languageOf(u) },
    { key: 'status', title: t('users.field.status'), render: (_, u) => statusOf(u) },
    { key: 'lastLogin', title: t('users.field.lastLogin'), render: (_, u) => lastLogin(u) },
    { key: 'actions', title: t('common:common.actions'), render: (_, u) => actions(u) },
  ];

  const card = (u: User) => (
    <article aria-label={u.name}>
      <div className="admin-card-head">
        {nameOf(u)}
        {statusOf(u)}
      </div>
      <div className="admin-muted admin-break" style={{ marginBottom: 8 }}>{u.email}</div>
      <Fields>
        <Field label={t('users.field.role')}>{t(`common:roles.${u.role}`)}</Field>
        <Field label={t('users.field.team')}>{u.team || t('users.noTeam')}</Field>
        <Field label={t('users.field.language')}>{languageOf(u)}</Field>
        <Field label={t('users.field.lastLogin')}>{lastLogin(u)}</Field>
      </Fields>
      {actions(u, 'middle')}
    </article>
  );

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ margin: 0 }}>{t('users.title')}</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ user: undefined })}>{t('users.create')}</Button>
      </Space>
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <ResponsiveTable<User> label={t('users.list')} items={items} rowKey={(u) => u.id} columns={columns} card={card}
          loading={q.isPending} empty={t('users.empty')} pageSize={50} />
      )}
      {editing && <UserModal user={editing.user} teams={teams} onClose={() => setEditing(null)} />}
    </Space>
  );
}

export default function UsersPage() {
  return <AaTheme><UsersPageContent /></AaTheme>;
}
