// The customer edit form of the customer page (issue 16 §7): contacts and
// language, do-not-contact with a reason, and the risk tier with a reason
// (for the roles that may change it). The server validates; its field
// errors are shown next to each field.
import { App, Button, Card, Form, Input, Select, Space, Switch, Typography } from 'antd';
import type { FormInstance } from 'antd';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { useSession } from '../../auth/session';

type Contacts = Schemas['CustomerContacts'];
interface ContactsForm { email: string; phone: string; finance_email: string; locale: string }
interface DncForm { on: boolean; reason: string }
interface RiskForm { risk: Contacts['risk']; reason: string }

/** riskRoles may change a risk tier (usecase/customer.go says the same). */
const riskRoles = new Set(['admin', 'sales_manager', 'finance', 'finance_director']);

/** showErrors puts the server's field errors next to the fields of form. */
function showErrors<T>(form: FormInstance<T>, err: unknown, fallback: (msg: string) => void): void {
  if (err instanceof ApiError) {
    const fields = Object.entries(err.fieldErrors()).map(([f, msgs]) => ({ name: f.replace(/^\//, '') as never, errors: msgs }));
    if (fields.length) form.setFields(fields);
    else fallback(err.message);
    return;
  }
  fallback(String(err));
}

/** clearErrors takes the server's errors off the fields the user changed (all, after a save). */
function clearErrors<T extends object>(form: FormInstance<T>, changed?: object): void {
  const names = Object.keys(changed ?? form.getFieldsValue());
  form.setFields(names.map((name) => ({ name: name as never, errors: [] })));
}

export function CustomerEdit({ id }: { id: string }) {
  const { t } = useTranslation('customers');
  const { me } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [contactsForm] = Form.useForm<ContactsForm>();
  const [dncForm] = Form.useForm<DncForm>();
  const [riskForm] = Form.useForm<RiskForm>();
  const q = useQuery({
    queryKey: ['customers', 'contacts', id],
    queryFn: async () => unwrap(await api.GET('/api/customers/{id}/contacts', { params: { path: { id } } })),
  });
  const saved = (c: Contacts) => {
    qc.setQueryData(['customers', 'contacts', id], c);
    void qc.invalidateQueries({ queryKey: ['customers', 'detail', id] });
    void message.success(t('edit.saved'));
  };
  const fail = (msg: string) => void message.error(msg);
  const editContacts = useMutation({
    mutationFn: async (v: ContactsForm) => unwrap(await api.PATCH('/api/customers/{id}/contacts', { params: { path: { id } }, body: v })),
    onSuccess: (c) => { clearErrors(contactsForm); saved(c); },
    onError: (err) => showErrors(contactsForm, err, fail),
  });
  const setDnc = useMutation({
    mutationFn: async (v: DncForm) => unwrap(await api.POST('/api/customers/{id}/do-not-contact', { params: { path: { id } }, body: v })),
    onSuccess: (c) => { dncForm.setFieldValue('reason', ''); clearErrors(dncForm); saved(c); },
    onError: (err) => showErrors(dncForm, err, fail),
  });
  const setRisk = useMutation({
    mutationFn: async (v: RiskForm) => unwrap(await api.POST('/api/customers/{id}/risk', { params: { path: { id } }, body: v })),
    onSuccess: (c) => { riskForm.setFieldValue('reason', ''); clearErrors(riskForm); saved(c); },
    onError: (err) => showErrors(riskForm, err, fail),
  });

  const c = q.data;
  if (!c) return <Card loading={q.isLoading} title={<h2 className="card-title">{t('edit.title')}</h2>} />;
  return (
    <Card title={<h2 className="card-title">{t('edit.title')}</h2>}>
      <Space orientation="vertical" size="large" style={{ width: '100%' }}>
        <Form<ContactsForm> form={contactsForm} name="customer-contacts" layout="vertical" aria-label={t('edit.contacts')} initialValues={{
          email: c.email, phone: c.phone, finance_email: c.finance_email, locale: c.locale,
        }} onValuesChange={(ch) => clearErrors(contactsForm, ch)} onFinish={(v) => editContacts.mutate(v)}>
          <Typography.Title level={3} className="card-title">{t('edit.contacts')}</Typography.Title>
          <Form.Item label={t('edit.email')} name="email"><Input inputMode="email" autoComplete="off" /></Form.Item>
          <Form.Item label={t('edit.phone')} name="phone"><Input inputMode="tel" autoComplete="off" /></Form.Item>
          <Form.Item label={t('edit.financeEmail')} name="finance_email"><Input inputMode="email" autoComplete="off" /></Form.Item>
          <Form.Item label={t('edit.locale')} name="locale">
            <Select options={[{ value: 'en', label: t('common:language.en') }, { value: 'zh-CN', label: t('common:language.zh-CN') }]} />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={editContacts.isPending}>{t('edit.saveContacts')}</Button>
        </Form>
        <Form<DncForm> form={dncForm} name="customer-dnc" layout="vertical" aria-label={t('doNotContact')} initialValues={{ on: c.do_not_contact, reason: '' }}
          onValuesChange={(ch) => clearErrors(dncForm, ch)} onFinish={(v) => setDnc.mutate(v)}>
          <Typography.Title level={3} className="card-title">{t('doNotContact')}</Typography.Title>
          <Typography.Paragraph type="secondary">{t('edit.dncHelp')}</Typography.Paragraph>
          <Form.Item label={t('edit.dncOn')} name="on" valuePropName="checked"><Switch /></Form.Item>
          <Form.Item label={t('edit.reason')} name="reason"><Input maxLength={500} /></Form.Item>
          <Button htmlType="submit" loading={setDnc.isPending}>{t('edit.saveDnc')}</Button>
        </Form>
        {me && riskRoles.has(me.user.role) && (
          <Form<RiskForm> form={riskForm} name="customer-risk" layout="vertical" aria-label={t('edit.risk')} initialValues={{ risk: c.risk, reason: '' }}
            onValuesChange={(ch) => clearErrors(riskForm, ch)} onFinish={(v) => setRisk.mutate(v)}>
            <Typography.Title level={3} className="card-title">{t('edit.risk')}</Typography.Title>
            <Typography.Paragraph type="secondary">{t('edit.riskHelp')}</Typography.Paragraph>
            <Form.Item label={t('col.risk')} name="risk">
              <Select options={(['low', 'medium', 'high'] as const).map((r) => ({ value: r, label: t(`edit.tier.${r}`) }))} />
            </Form.Item>
            <Form.Item label={t('edit.reason')} name="reason"><Input maxLength={500} /></Form.Item>
            <Button htmlType="submit" loading={setRisk.isPending}>{t('edit.saveRisk')}</Button>
          </Form>
        )}
      </Space>
    </Card>
  );
}
