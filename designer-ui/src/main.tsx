import { StrictMode, useEffect, useMemo, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createBrowserRouter, RouterProvider } from 'react-router';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { App as AntApp, ConfigProvider } from 'antd';
import type { Locale } from 'antd/es/locale';
import enUS from 'antd/locale/en_US';
import { useTranslation } from 'react-i18next';
import { ready } from './i18n';
import './app.css';
import { ApiError } from './api/client';
import { fetchMe, meKey, SessionProvider } from './auth/session';
import { preloadRoute, routes } from './routes';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      refetchOnWindowFocus: false,
      // A refusal (4xx) is an answer, not a hiccup: do not retry it.
      retry: (count, err) => !(err instanceof ApiError && err.status < 500) && count < 2,
    },
  },
});

const router = createBrowserRouter(routes);

// antd's Chinese texts are fetched only by a session that uses Chinese.
let zhCN: Locale | undefined;
const loadZhCN = async (): Promise<Locale> => (zhCN ??= (await import('antd/locale/zh_CN')).default);

function Root() {
  const { i18n } = useTranslation();
  const zh = i18n.language === 'zh-CN';
  const [zhLocale, setZhLocale] = useState(zhCN);
  useEffect(() => {
    if (zh && !zhLocale) void loadZhCN().then(setZhLocale);
  }, [zh, zhLocale]);
  const locale = zh ? zhLocale ?? enUS : enUS;
  // Secondary texts (labels, descriptions) darker than antd's defaults so
  // they meet WCAG AA contrast on white (axe checks every page).
  const theme = useMemo(() => ({ token: { colorPrimary: '#1f5fbf', colorPrimaryHover: '#174a96', colorLink: '#1f5fbf',
    colorLinkHover: '#174a96', borderRadius: 6, colorTextTertiary: '#595959', colorTextDescription: '#595959',
    colorTextPlaceholder: '#757575', colorError: '#cf1322' } }), []);
  return (
    <ConfigProvider locale={locale} theme={theme} button={{ autoInsertSpace: false }}>
      <AntApp>
        <QueryClientProvider client={queryClient}>
          <SessionProvider>
            <RouterProvider router={router} />
          </SessionProvider>
        </QueryClientProvider>
      </AntApp>
    </ConfigProvider>
  );
}

// Who is signed in, and the page's code, are asked for at once, while the
// language's texts load (not one after the other).
void queryClient.prefetchQuery({ queryKey: meKey, queryFn: fetchMe, staleTime: Infinity, retry: false });
preloadRoute(window.location.pathname);

// The first paint waits for the language's texts (a few KB), so no screen
// ever shows a raw key or the wrong language.
void Promise.all([ready, document.documentElement.lang === 'zh-CN' ? loadZhCN() : undefined]).then(() => {
  createRoot(document.getElementById('root') as HTMLElement).render(
    <StrictMode>
      <Root />
    </StrictMode>,
  );
});
