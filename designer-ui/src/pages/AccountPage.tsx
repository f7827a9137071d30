import { App, Button, Card, Descriptions, Form, Input, Radio, Space, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../api/client';
import { useSession } from '../auth/session';
import { useLanguage } from '../i18n/useLanguage';
import { languages, type Language } from '../i18n';

interface PasswordForm { current: string; new: string; confirm: string }

export default function AccountPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const { language, setLanguage } = useLanguage();
  const { message } = App.useApp();
  const [form] = Form.useForm<PasswordForm>();

  const change = useMutation({
    mutationFn: async (v: PasswordForm) => unwrap(await api.POST('/api/me/password', { body: { current: v.current, new: v.new } })),
    onSuccess: () => {
      form.resetFields();
      void message.success(t('password.done'));
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 401) {
        form.setFields([{ name: 'current', errors: [t('password.wrongCurrent')] }]);
        return;
      }
      if (err instanceof ApiError) {
        const fields = err.fieldErrors();
        const mapped = Object.entries(fields).map(([f, msgs]) => ({ name: f.replace(/^\//, '') as keyof PasswordForm, errors: msgs }));
        if (mapped.length) form.setFields(mapped);
        else void message.error(err.message);
        return;
      }
      void message.error(String(err));
    },
  });

  if (!me) return null;
  return (
    <Space direction="vertical" size="large" style={{ width: '100%', maxWidth: 640 }}>
      <Typography.Title level={1}>{t('account.title')}</Typography.Title>
      <Card>
        <Descriptions column={1} items={[
          { key: 'name', label: t('login.email'), children: me.user.email },
          { key: 'role', label: t('roles.' + me.user.role), children: me.user.name },
        ]} />
      </Card>
      <Card title={<h2 className="card-title">{t('account.language')}</h2>}>
        <Radio.Group
          aria-label={t('account.language')}
          value={language}
          onChange={(e) => void setLanguage(e.target.value as Language).then(() => message.success(t('account.languageSaved')))}
          options={languages.map((l) => ({ value: l, label: t(`language.${l}`) }))}
        />
      </Card>
      <Card title={<h2 className="card-title">{t('password.title')}</h2>}>
        <Form form={form} layout="vertical" onFinish={(v) => change.mutate(v)}>
          <Form.Item label={t('password.current')} name="current" rules={[{ required: true, message: t('password.current') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Form.Item label={t('password.new')} name="new" rules={[{ required: true, message: t('password.new') }]}>
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Form.Item
            label={t('password.confirm')}
            name="confirm"
            dependencies={['new']}
            rules={[
              { required: true, message: t('password.confirm') },
              ({ getFieldValue }) => ({
                validator: (_, v) => (v === getFieldValue('new') ? Promise.resolve() : Promise.reject(new Error(t('password.mismatch')))),
              }),
            ]}
          >
            <Input.Password autoComplete="new-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={change.isPending}>{t('password.submit')}</Button>
        </Form>
      </Card>
    </Space>
  );
}
