import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../api/client';
import { meKey, type Me } from '../auth/session';
import { applyLanguage, isLanguage, type Language } from './index';

/**
 * useLanguage reads and switches the UI language. A signed-in user's choice
 * is saved as their preference on the server (PATCH /api/me), so it follows
 * them to every device; before sign-in it is kept on this device only.
 */
export function useLanguage(): { language: Language; setLanguage(l: Language): Promise<void> } {
  const { i18n } = useTranslation();
  const qc = useQueryClient();
  const language: Language = isLanguage(i18n.language) ? i18n.language : 'en';
  const setLanguage = useCallback(async (l: Language) => {
    await applyLanguage(l);
    const me = qc.getQueryData<Me | null>(meKey);
    if (me && me.user.language !== l) {
      const updated = unwrap(await api.PATCH('/api/me', { body: { language: l } }));
      qc.setQueryData(meKey, { ...updated, csrf_token: updated.csrf_token ?? me.csrf_token });
    }
    // Task titles come from the server in the user's language.
    await qc.invalidateQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
  }, [qc]);
  return { language, setLanguage };
}
