import type { ReactNode } from 'react';
import { Navigate } from 'react-router';
import { Spin } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentLocation, useSession } from './session';

/** RequireSession sends a visitor without a session to sign-in, and back here afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const { me, loading } = useSession();
  const { t } = useTranslation();
  if (loading) return <div className="center-page"><Spin aria-label={t('common.loading')} /></div>;
  if (!me) return <Navigate to={`/login?next=${encodeURIComponent(currentLocation())}`} replace />;
  return <>{children}</>;
}
