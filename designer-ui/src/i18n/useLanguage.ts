import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { applyLanguage, isLanguage, type Language } from './index';

/** useLanguage reads and switches the UI language. */
export function useLanguage(): { language: Language; setLanguage(l: Language): Promise<void> } {
  const { i18n } = useTranslation();
  const language: Language = isLanguage(i18n.language) ? i18n.language : 'en';
  const setLanguage = useCallback(async (l: Language) => {
    await applyLanguage(l);
  }, []);
  return { language, setLanguage };
}
