import { useState } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../api/client';
import { homeFor, useSession } from '../auth/session';
import { useLanguage } from '../i18n/useLanguage';
import { languages } from '../i18n';

/** safeNext keeps sign-in's return address on this site. */
function safeNext(next: string | null): string | undefined {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/login')) return undefined;
  return next;
}

export default function LoginPage() {
  const { t } = useTranslation();
  const { me, signedIn } = useSession();
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const { language, setLanguage } = useLanguage();
  const [error, setError] = useState<string>();
  const next = safeNext(params.get('next'));

  const login = useMutation({
    mutationFn: async (v: { email: string; password: string }) => unwrap(await api.POST('/api/login', { body: v })),
    onSuccess: (m) => {
      signedIn(m);
      navigate(next ?? homeFor(m.user.role), { replace: true });
    },
    onError: (err) => {
      if (err instanceof ApiError && err.status === 401) setError(t('login.wrong'));
      else if (err instanceof ApiError && err.status === 429) setError(t('login.tooMany', { seconds: err.retryAfter ?? 60 }));
      else if (err instanceof TypeError) setError(t('errors.network'));
      else setError(t('login.failed', { message: err instanceof Error ? err.message : String(err) }));
    },
  });

  if (me && !login.isPending) return <Navigate to={next ?? homeFor(me.user.role)} replace />;

  return (
    <main className="login-page">
      <Card style={{ width: '100%', maxWidth: 400 }}>
        <Typography.Title level={1} style={{ fontSize: 24 }}>{t('login.title')}</Typography.Title>
        {params.get('expired') && !error && <Alert type="info" showIcon title={t('login.expired')} style={{ marginBottom: 16 }} />}
        {error && <Alert type="error" showIcon role="alert" title={error} style={{ marginBottom: 16 }} />}
        <Form layout="vertical" requiredMark={false} onFinish={(v: { email: string; password: string }) => { setError(undefined); login.mutate(v); }}>
          <Form.Item label={t('login.email')} name="email" rules={[{ required: true, message: t('login.email') }]}>
            <Input type="email" autoComplete="username" autoFocus />
          </Form.Item>
          <Form.Item label={t('login.password')} name="password" rules={[{ required: true, message: t('login.password') }]}>
            <Input.Password autoComplete="current-password" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={login.isPending}>{t('login.submit')}</Button>
        </Form>
        <div style={{ marginTop: 16, display: 'flex', gap: 8, justifyContent: 'flex-end' }}>
          {languages.map((l) => (
            <Button key={l} size="small" type={l === language ? 'primary' : 'default'} aria-pressed={l === language} lang={l} onClick={() => void setLanguage(l)}>
              {t(`language.${l}`)}
            </Button>
          ))}
        </div>
      </Card>
    </main>
  );
}
