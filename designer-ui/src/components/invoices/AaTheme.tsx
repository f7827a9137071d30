// AaTheme gives this area's pages link and secondary-text colours that pass
// WCAG AA contrast on white (antd's defaults, #1677ff links and 45% black
// descriptions, do not). Belongs app-wide in main.tsx's theme; until then
// each page of this area wraps itself in it.
import type { ReactNode } from 'react';
import { ConfigProvider } from 'antd';

const theme = { token: { colorLink: '#1f5fbf', colorLinkHover: '#174a96', colorPrimaryHover: '#174a96', colorTextDescription: '#595959', colorTextTertiary: '#595959', colorTextSecondary: '#4a4a4a', colorTextPlaceholder: '#757575', colorError: '#cf1322' } };

export function AaTheme({ children }: { children: ReactNode }) {
  return <ConfigProvider theme={theme}>{children}</ConfigProvider>;
}
