// allowClear for antd's Select and AutoComplete with the clear button named
// in the user's language (antd names it "Clear" in every language).
import { useMemo, type ReactNode } from 'react';
import { CloseCircleFilled } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

export function useClearable(): { clearIcon: ReactNode; label: string } {
  const { t } = useTranslation();
  return useMemo(() => ({ clearIcon: <CloseCircleFilled aria-hidden />, label: t('common.clear') }), [t]);
}
