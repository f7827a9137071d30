import { Navigate, Link } from 'react-router';
import { Result, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { homeFor, useSession } from '../auth/session';

export function HomeRedirect() {
  const { me } = useSession();
  return <Navigate to={homeFor(me?.user.role)} replace />;
}

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Result status="404" title="404" subTitle={t('errors.pageNotFound')}
      extra={<Link to="/"><Button type="primary">{t('errors.home')}</Button></Link>} />
  );
}
