// Settings (admin): the company's lists. Its one section today is the
// dispute reasons a rep, finance or the API opens a dispute with: the list
// (a table on a desk, cards on a phone) with each reason's code, its labels
// in both languages and whether it is still offered; adding a reason (a
// code and both labels), renaming its labels, and retiring it with a
// confirmation (no longer offered for new disputes; those that gave it keep
// it and its label). "other" cannot be retired. The server decides (a code
// taken, a label another reason has…) and its errors are shown next to the
// fields.
import { useState } from 'react';
import { Alert, App, Button, Form, Input, Modal, Popconfirm, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../../api/client';
import { ErrorView, useErrorMessage } from '../../components/ErrorView';
import { showServerErrors } from '../../components/admin/serverErrors';
import { Field, Fields, ResponsiveTable } from '../../components/admin/ResponsiveTable';
import { tagColors } from '../../components/invoices/labels';
import { AaTheme } from '../../components/invoices/AaTheme';
import { disputeReasonsKey, fetchDisputeReasons, reasonLabel, type DisputeReason } from '../../components/cases/disputeReasons';

/** other is the reason a call outcome's dispute gives: it cannot be retired. */
const other = 'other';

interface ReasonForm { code?: string; en?: string; 'zh-CN'?: string }

function ReasonModal({ reason, onClose }: { reason: DisputeReason | undefined; onClose(): void }) {
  const { t } = useTranslation('admin');
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<ReasonForm>();
  const [formError, setFormError] = useState<string>();
  const adding = !reason;
  const fields = ['code', 'en', 'zh-CN'] as const;

  const save = useMutation({
    mutationFn: async (v: ReasonForm) => {
      const en = v.en?.trim() ?? '';
      const zh = v['zh-CN']?.trim() ?? '';
      if (adding) return unwrap(await api.POST('/api/dispute-reasons', { body: { code: v.code?.trim() ?? '', en, 'zh-CN': zh } }));
      return unwrap(await api.PATCH('/api/dispute-reasons/{code}', { params: { path: { code: reason.code } }, body: { en, 'zh-CN': zh } }));
    },
    onSuccess: async (r) => {
      await qc.invalidateQueries({ queryKey: disputeReasonsKey });
      void message.success(adding ? t('settings.reasons.added', { code: r.code }) : t('settings.reasons.saved', { code: r.code }));
      onClose();
    },
    onError: (err) => setFormError(showServerErrors(form, err, fields, { t })),
  });

  const required = (field: string) => [{ required: true, whitespace: true, message: t('users.required', { field }) }];
  return (
    <Modal
      open
      title={adding ? t('settings.reasons.addTitle') : t('settings.reasons.editTitle', { code: reason.code })}
      onCancel={onClose}
      okText={adding ? t('settings.reasons.add') : t('common:common.save')}
      cancelText={t('common:common.cancel')}
      okButtonProps={{ disabled: save.isPending }}
      onOk={() => form.submit()}
      destroyOnHidden
      mask={{ closable: false }}
    >
      <Form<ReasonForm>
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={reason ? { code: reason.code, en: reason.en, 'zh-CN': reason['zh-CN'] } : {}}
        onFinish={(v) => { setFormError(undefined); save.mutate(v); }}
        onValuesChange={() => setFormError(undefined)}
      >
        {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 12 }} role="alert" />}
        <Form.Item label={t('settings.reasons.field.code')} name="code" rules={adding ? required(t('settings.reasons.field.code')) : []}
          extra={adding ? t('settings.reasons.field.codeHelp') : t('settings.reasons.field.codeFixed')}>
          <Input autoComplete="off" disabled={!adding} spellCheck={false} />
        </Form.Item>
        <Form.Item label={t('settings.reasons.field.en')} name="en" rules={required(t('settings.reasons.field.en'))}>
          <Input autoComplete="off" lang="en" />
        </Form.Item>
        <Form.Item label={t('settings.reasons.field.zh')} name="zh-CN" rules={required(t('settings.reasons.field.zh'))}>
          <Input autoComplete="off" lang="zh-CN" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function DisputeReasonsSection() {
  const { t, i18n } = useTranslation('admin');
  const { message } = App.useApp();
  const errorMessage = useErrorMessage();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<{ reason: DisputeReason | undefined } | null>(null);
  const q = useQuery({ queryKey: disputeReasonsKey, queryFn: fetchDisputeReasons });
  const items = q.data ?? [];
  const label = (r: DisputeReason) => reasonLabel(items, r.code, i18n.language);

  const retire = useMutation({
    mutationFn: async (r: DisputeReason) =>
      unwrap(await api.POST('/api/dispute-reasons/{code}/retire', { params: { path: { code: r.code } } })),
    onSuccess: async (_, r) => {
      await qc.invalidateQueries({ queryKey: disputeReasonsKey });
      void message.success(t('settings.reasons.retired', { label: label(r) }));
    },
    onError: (e) => void message.error(errorMessage(e)),
  });

  const status = (r: DisputeReason) => (r.retired
    ? <Tag color={tagColors.grey}>{t('settings.reasons.status.retired')}</Tag>
    : <Tag color={tagColors.green}>{t('settings.reasons.status.active')}</Tag>);
  const actions = (r: DisputeReason, size: 'small' | 'middle' = 'small') => (
    <Space size={4} wrap>
      <Button size={size} aria-label={t('settings.reasons.editOf', { label: label(r) })} onClick={() => setEditing({ reason: r })}>
        {t('settings.reasons.edit')}
      </Button>
      {r.code === other ? (
        <Typography.Text className="admin-muted">{t('settings.reasons.otherStays')}</Typography.Text>
      ) : !r.retired && (
        <Popconfirm title={t('settings.reasons.retireConfirm', { label: label(r) })} okText={t('settings.reasons.retire')}
          cancelText={t('common:common.cancel')} okButtonProps={{ danger: true }}
          onConfirm={() => retire.mutateAsync(r).catch(() => undefined)}>
          <Button size={size} danger aria-label={t('settings.reasons.retireOf', { label: label(r) })}>{t('settings.reasons.retire')}</Button>
        </Popconfirm>
      )}
    </Space>
  );

  const columns: TableColumnsType<DisputeReason> = [
    { key: 'code', title: t('settings.reasons.field.code'), render: (_, r) => <code>{r.code}</code> },
    { key: 'en', title: t('settings.reasons.field.en'), render: (_, r) => <span lang="en">{r.en}</span> },
    { key: 'zh', title: t('settings.reasons.field.zh'), render: (_, r) => <span lang="zh-CN">{r['zh-CN']}</span> },
    { key: 'status', title: t('settings.reasons.field.status'), render: (_, r) => status(r) },
    { key: 'actions', title: t('common:common.actions'), render: (_, r) => actions(r) },
  ];

  const card = (r: DisputeReason) => (
    <article aria-label={label(r)}>
      <div className="admin-card-head">
        <span className="admin-card-title">{label(r)}</span>
        {status(r)}
      </div>
      <Fields>
        <Field label={t('settings.reasons.field.code')} wide><code>{r.code}</code></Field>
        <Field label={t('settings.reasons.field.en')}><span lang="en">{r.en}</span></Field>
        <Field label={t('settings.reasons.field.zh')}><span lang="zh-CN">{r['zh-CN']}</span></Field>
      </Fields>
      {actions(r, 'middle')}
    </article>
  );

  return (
    <section aria-labelledby="settings-reasons">
      <Space orientation="vertical" size="small" style={{ width: '100%' }}>
        <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
          <Typography.Title level={2} id="settings-reasons" style={{ margin: 0, fontSize: 18 }}>{t('settings.reasons.title')}</Typography.Title>
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing({ reason: undefined })}>{t('settings.reasons.add')}</Button>
        </Space>
        <Typography.Paragraph className="admin-muted" style={{ margin: 0 }}>{t('settings.reasons.intro')}</Typography.Paragraph>
        {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
          <ResponsiveTable<DisputeReason> label={t('settings.reasons.list')} items={items} rowKey={(r) => r.code} columns={columns} card={card}
            loading={q.isPending} empty={t('settings.reasons.empty')} />
        )}
      </Space>
      {editing && <ReasonModal reason={editing.reason} onClose={() => setEditing(null)} />}
    </section>
  );
}

function SettingsPageContent() {
  const { t } = useTranslation('admin');
  return (
    <Space orientation="vertical" size="large" style={{ width: '100%' }}>
      <Typography.Title level={1} style={{ margin: 0 }}>{t('settings.title')}</Typography.Title>
      <DisputeReasonsSection />
    </Space>
  );
}

export default function SettingsPage() {
  return <AaTheme><SettingsPageContent /></AaTheme>;
}
