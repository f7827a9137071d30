// The signed-in user. GET /api/me on load tells who is signed in (and
// gives the CSRF token back after a reload); a 401 from any call sends the
// user to sign-in with the page they were on, and back there afterwards.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { api, setCsrfToken, setUnauthorizedHandler, unwrap, type Schemas } from '../api/client';
import i18n, { applyLanguage, isLanguage } from '../i18n';

export type Me = Schemas['Me'];
export type Permission = Schemas['Permission'];
export type Role = Schemas['Role'];

interface SessionValue {
  me: Me | undefined;
  loading: boolean;
  /** signedIn stores the answer of /api/login. */
  signedIn(me: Me): void;
  /** signOut ends the session on the server and forgets it here. */
  signOut(): Promise<void>;
  can(p: Permission): boolean;
}

const SessionContext = createContext<SessionValue | null>(null);

export const meKey = ['me'] as const;

/** nextParam is where sign-in returns to: the current path, query and hash. */
export function currentLocation(): string {
  return window.location.pathname + window.location.search + window.location.hash;
}

/** fetchMe asks who is signed in: null when nobody is. */
export async function fetchMe(): Promise<Me | null> {
  const r = await api.GET('/api/me');
  if (r.response.status === 401) return null;
  const data = unwrap(r);
  setCsrfToken(data.csrf_token);
  return data;
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const qc = useQueryClient();
  const [expired, setExpired] = useState(false);
  const me = useQuery({
    queryKey: meKey,
    queryFn: fetchMe,
    staleTime: Infinity,
    retry: false,
  });

  useEffect(() => {
    setUnauthorizedHandler(() => setExpired(true));
  }, []);

  // A user's saved language wins over the browser's and this device's.
  const saved = me.data?.user.language;
  useEffect(() => {
    if (isLanguage(saved) && saved !== i18n.language) void applyLanguage(saved);
  }, [saved]);

  useEffect(() => {
    if (!expired) return;
    setExpired(false);
    setCsrfToken('');
    qc.clear();
    qc.setQueryData(meKey, null);
    const here = currentLocation();
    if (!window.location.pathname.startsWith('/login')) {
      window.history.pushState(null, '', `/login?next=${encodeURIComponent(here)}&expired=1`);
      window.dispatchEvent(new PopStateEvent('popstate'));
    }
  }, [expired, qc]);

  const signedIn = useCallback((m: Me) => {
    setCsrfToken(m.csrf_token);
    qc.setQueryData(meKey, m);
  }, [qc]);

  const signOut = useCallback(async () => {
    try {
      await api.POST('/api/logout');
    } finally {
      setCsrfToken('');
      qc.clear();
      qc.setQueryData(meKey, null);
    }
  }, [qc]);

  const value = useMemo<SessionValue>(() => ({
    me: me.data ?? undefined,
    loading: me.isPending,
    signedIn,
    signOut,
    can: (p) => me.data?.permissions.includes(p) ?? false,
  }), [me.data, me.isPending, signedIn, signOut]);

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionValue {
  const v = useContext(SessionContext);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}

/** homeFor is each role's landing page. */
export function homeFor(role: Role | undefined): string {
  switch (role) {
    case 'sales_manager':
    case 'finance':
      return '/queue';
    case 'finance_director':
      return '/approvals';
    case 'admin':
      return '/dashboard';
    default:
      return '/inbox';
  }
}
