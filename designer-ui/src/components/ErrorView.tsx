import { Alert, Button } from 'antd';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../api/client';

/** errorMessage says what went wrong in the user's language where the status tells. */
export function useErrorMessage(): (err: unknown) => string {
  const { t } = useTranslation();
  return (err: unknown) => {
    if (err instanceof ApiError) {
      if (err.status === 404) return t('errors.notFound');
      if (err.status === 403) return err.problem.detail || t('errors.forbidden');
      return err.problem.detail || err.problem.title;
    }
    if (err instanceof TypeError) return t('errors.network');
    return err instanceof Error ? err.message : String(err);
  };
}

/** ErrorView shows a failed load with a retry button. */
export function ErrorView({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const message = useErrorMessage();
  return (
    <Alert
      type="error"
      showIcon
      role="alert"
      title={t('errors.title')}
      description={message(error)}
      action={onRetry ? <Button onClick={onRetry}>{t('errors.retry')}</Button> : undefined}
    />
  );
}
