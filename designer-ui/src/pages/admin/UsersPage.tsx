// Users (admin): the list, adding a user with a role and team, changing a
// user's name, role, team or password, deactivating and reactivating. The
// server decides (an admin cannot demote or deactivate itself, an email is
// taken…) and its errors are shown next to the fields.
import { useState } from 'react';
import { Alert, App, Button, Card, Form, Input, Modal, Popconfirm, Select, Space, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';
import { ErrorView, useErrorMessage } from '../../components/ErrorView';
import { showServerErrors } from '../../components/admin/serverErrors';
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

function UserModal({ user, open, onClose }: { user: User | undefined; open: boolean; onClose(): void }) {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<UserForm>();
  const [formError, setFormError] = useState<string>();
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
    onSuccess: async (u) => {
      await qc.invalidateQueries({ queryKey: usersKey });
      void message.success(creating ? t('users.created', { email: u.email }) : t('users.saved'));
      onClose();
    },
    onError: (err) => setFormError(showServerErrors(form, err, fields, 'email')),
  });

  return (
    <Modal
      open={open}
      title={creating ? t('users.createTitle') : t('users.editTitle', { name: user.name })}
      onCancel={onClose}
      okText={t('common:common.save')}
      cancelText={t('common:common.cancel')}
      okButtonProps={{ loading: save.isPending }}
      onOk={() => form.submit()}
      destroyOnHidden
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
        <Form.Item label={t('users.field.email')} name="email" rules={[{ required: creating, message: t('users.required', { field: t('users.field.email') }) }]}>
          <Input type="email" autoComplete="off" disabled={!creating} />
        </Form.Item>
        <Form.Item label={t('users.field.name')} name="name" rules={[{ required: true, message: t('users.required', { field: t('users.field.name') }) }]}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item label={t('users.field.role')} name="role" rules={[{ required: true, message: t('users.required', { field: t('users.field.role') }) }]}>
          <Select options={roles.map((r) => ({ value: r, label: t(`common:roles.${r}`) }))} />
        </Form.Item>
        <Form.Item label={t('users.field.team')} name="team">
          <Input autoComplete="off" placeholder="east" />
        </Form.Item>
        <Form.Item label={t('users.field.language')} name="language">
          <Select options={languageOptions.map((l) => ({ value: l, label: l ? t(`common:language.${l}`) : t('users.browserLanguage') }))} />
        </Form.Item>
        <Form.Item
          label={creating ? t('users.field.password') : t('users.field.newPassword')}
          name="password"
          extra={creating ? t('users.field.passwordHelp') : t('users.field.newPasswordHelp')}
        >
          <Input.Password autoComplete="new-password" />
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
  const q = useQuery({ queryKey: usersKey, queryFn: async () => unwrap(await api.GET('/api/users')) });

  const setActive = useMutation({
    mutationFn: async ({ user, active }: { user: User; active: boolean }) =>
      unwrap(await api.PATCH('/api/users/{id}', { params: { path: { id: user.id } }, body: { active } })),
    onSuccess: async (u, { active }) => {
      await qc.invalidateQueries({ queryKey: usersKey });
      void message.success(active ? t('users.reactivated', { name: u.name }) : t('users.deactivated', { name: u.name }));
    },
    onError: (e) => void message.error(errorMessage(e)),
  });

  const columns: TableColumnsType<User> = [
    { key: 'name', title: t('users.field.name'), render: (_, u) => <Space size={4}>{u.name}{u.id === me?.user.id && <Tag>{t('users.you')}</Tag>}</Space> },
    { key: 'email', title: t('users.field.email'), dataIndex: 'email' },
    { key: 'role', title: t('users.field.role'), render: (_, u) => t(`common:roles.${u.role}`) },
    { key: 'team', title: t('users.field.team'), render: (_, u) => u.team || t('common:common.none') },
    { key: 'status', title: t('users.field.status'), render: (_, u) => (
      <Space size={4} wrap>
        {u.active ? <Tag color={tagColors.green}>{t('users.active')}</Tag> : <Tag>{t('users.inactive')}</Tag>}
        {!u.has_password && <Tag color={tagColors.orange}>{t('users.noPassword')}</Tag>}
      </Space>
    ) },
    { key: 'language', title: t('users.field.language'), render: (_, u) => (u.language ? t(`common:language.${u.language}`) : t('users.browserLanguage')) },
    { key: 'lastLogin', title: t('users.field.lastLogin'), render: (_, u) => <span style={{ whiteSpace: 'nowrap' }}>{u.last_login_at ? formatInstant(u.last_login_at, locale) : t('users.neverSignedIn')}</span> },
    { key: 'created', title: t('users.field.created'), render: (_, u) => <span style={{ whiteSpace: 'nowrap' }}>{formatInstant(u.created_at, locale)}</span> },
    { key: 'actions', title: t('common:common.actions'), render: (_, u) => (
      <Space size={4}>
        <Button size="small" aria-label={t('users.editOf', { name: u.name })} onClick={() => setEditing({ user: u })}>{t('users.edit')}</Button>
        {u.active ? (
          <Popconfirm title={t('users.deactivateConfirm', { name: u.name })} okText={t('users.deactivate')} cancelText={t('common:common.cancel')}
            okButtonProps={{ danger: true }} onConfirm={() => setActive.mutateAsync({ user: u, active: false })}>
            <Button size="small" danger aria-label={t('users.deactivateOf', { name: u.name })}>{t('users.deactivate')}</Button>
          </Popconfirm>
        ) : (
          <Button size="small" aria-label={t('users.reactivateOf', { name: u.name })} onClick={() => setActive.mutate({ user: u, active: true })}>{t('users.reactivate')}</Button>
        )}
      </Space>
    ) },
  ];

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ margin: 0 }}>{t('users.title')}</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ user: undefined })}>{t('users.create')}</Button>
      </Space>
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <Card styles={{ body: { padding: 0 } }}>
          <Table<User> aria-label={t('users.list')} rowKey="id" size="middle" columns={columns} dataSource={q.data?.items ?? []}
            loading={q.isPending} pagination={{ pageSize: 50, hideOnSinglePage: true }} scroll={{ x: 'max-content' }} />
        </Card>
      )}
      {editing && <UserModal open user={editing.user} onClose={() => setEditing(null)} />}
    </Space>
  );
}

export default function UsersPage() {
  return <AaTheme><UsersPageContent /></AaTheme>;
}
