// Its own chunk: antd's Result (with its pictures) loads only for a page
// that does not exist.
import { Link } from 'react-router';
import { Result, Button } from 'antd';
import { useTranslation } from 'react-i18next';

export default function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <Result status="404" title="404" subTitle={t('errors.pageNotFound')}
      extra={<Link to="/"><Button type="primary">{t('errors.home')}</Button></Link>} />
  );
}
