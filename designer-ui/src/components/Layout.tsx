// The app's frame: navigation for what the user's role may do (a side bar
// on a desk, a drawer on a phone), the notification bell, the language
// switch and the account menu.
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { Link, NavLink, Outlet, useLocation, useNavigate } from 'react-router';
import { Badge, Button, Dropdown, Grid, Layout as AntLayout, Menu, Spin, Typography } from 'antd';
import type { MenuProps } from 'antd';
import {
  ApartmentOutlined, AuditOutlined, BellOutlined, GlobalOutlined, CheckSquareOutlined, DashboardOutlined, FileTextOutlined, InboxOutlined,
  KeyOutlined, MenuOutlined, SettingOutlined, TeamOutlined, UserOutlined, UsergroupAddOutlined, SolutionOutlined,
} from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { useSession, type Permission } from '../auth/session';
import { useLanguage } from '../i18n/useLanguage';
import { languages } from '../i18n';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  need: Permission | Permission[];
}

const NavDrawer = lazy(() => import('./NavDrawer'));

export const notificationsKey = ['notifications', 'unread-count'] as const;

function useNav(): NavItem[] {
  const { t } = useTranslation();
  return [
    { to: '/inbox', label: t('nav.inbox'), icon: <InboxOutlined />, need: 'tasks:read' },
    { to: '/queue', label: t('nav.queue'), icon: <TeamOutlined />, need: ['tasks:assign', 'payments:write'] },
    { to: '/approvals', label: t('nav.approvals'), icon: <CheckSquareOutlined />, need: 'approvals:decide' },
    { to: '/dashboard', label: t('nav.dashboard'), icon: <DashboardOutlined />, need: 'dashboard:read' },
    { to: '/invoices', label: t('nav.invoices'), icon: <FileTextOutlined />, need: 'invoices:read' },
    { to: '/customers', label: t('nav.customers'), icon: <SolutionOutlined />, need: 'invoices:read' },
    { to: '/designer', label: t('nav.designer'), icon: <ApartmentOutlined />, need: 'definitions:read' },
    { to: '/admin/users', label: t('nav.users'), icon: <UsergroupAddOutlined />, need: 'users:admin' },
    { to: '/admin/tokens', label: t('nav.tokens'), icon: <KeyOutlined />, need: 'tokens:admin' },
    { to: '/admin/audit', label: t('nav.audit'), icon: <AuditOutlined />, need: 'audit:read' },
    { to: '/admin/settings', label: t('nav.settings'), icon: <SettingOutlined />, need: 'settings:admin' },
  ];
}

function NavMenu({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const location = useLocation();
  const items = useNav().filter((n) => (Array.isArray(n.need) ? n.need.some(can) : can(n.need)));
  const selected = items.find((n) => location.pathname === n.to || location.pathname.startsWith(n.to + '/'))?.to;
  const menuItems: MenuProps['items'] = items.map((n) => ({
    key: n.to,
    icon: n.icon,
    label: <NavLink to={n.to} onClick={onNavigate}>{n.label}</NavLink>,
  }));
  return (
    <nav aria-label={t('nav.main')}>
      <Menu mode="inline" selectedKeys={selected ? [selected] : []} items={menuItems} style={{ borderInlineEnd: 0 }} />
    </nav>
  );
}

function Bell() {
  const { t } = useTranslation();
  const unread = useQuery({
    queryKey: notificationsKey,
    // one row is enough: the answer carries the count of all unread messages
    queryFn: async () => unwrap(await api.GET('/api/notifications', { params: { query: { unread: true, limit: 1 } } })),
    refetchInterval: 60_000,
  });
  const count = unread.data?.unread_count ?? 0;
  return (
    <Link to="/notifications" aria-label={`${t('nav.notifications')} (${count})`} className="header-link">
      <Badge count={count} overflowCount={99} size="small">
        <BellOutlined style={{ fontSize: 20 }} aria-hidden />
      </Badge>
    </Link>
  );
}

function LanguageSwitch() {
  const { t } = useTranslation();
  const { language, setLanguage } = useLanguage();
  // Two languages: one button offers the other one, named in its own language.
  const other = languages.find((l) => l !== language) ?? 'en';
  const name = t(`language.${other}`);
  return (
    <Button icon={<GlobalOutlined />} lang={other} aria-label={t('language.switchTo', { name })} onClick={() => void setLanguage(other)}>
      {name}
    </Button>
  );
}

function UserMenu() {
  const { t } = useTranslation();
  const { me, signOut } = useSession();
  const navigate = useNavigate();
  if (!me) return null;
  const items: MenuProps['items'] = [
    { key: 'who', label: <span>{me.user.email}<br /><Typography.Text type="secondary">{t(`roles.${me.user.role}`)}</Typography.Text></span>, disabled: true },
    { type: 'divider' },
    { key: 'account', label: t('user.account') },
    { key: 'logout', label: t('user.logout') },
  ];
  return (
    <Dropdown
      trigger={['click']}
      menu={{
        items,
        onClick: ({ key }) => {
          if (key === 'account') navigate('/account');
          if (key === 'logout') void signOut().then(() => navigate('/login'));
        },
      }}
    >
      <Button type="text" icon={<UserOutlined />} aria-label={t('user.menu', { name: me.user.name })}>
        <span className="hide-phone">{me.user.name}</span>
      </Button>
    </Dropdown>
  );
}

/** Layout frames every signed-in page. */
export function Layout() {
  const { t } = useTranslation();
  const screens = Grid.useBreakpoint();
  const phone = !screens.lg;
  const [open, setOpen] = useState(false);
  const [drawerLoaded, setDrawerLoaded] = useState(false);
  return (
    <AntLayout style={{ minHeight: '100vh' }}>
      <a href="#main" className="skip-link">{t('common.skip')}</a>
      {!phone && (
        <AntLayout.Sider width={220} theme="light" style={{ borderInlineEnd: '1px solid #f0f0f0' }}>
          <div className="brand"><Link to="/">{t('app.name')}</Link></div>
          <NavMenu />
        </AntLayout.Sider>
      )}
      <AntLayout>
        <AntLayout.Header className="app-header">
          {phone && (
            <>
              <Button type="text" icon={<MenuOutlined />} aria-label={t('nav.menu')} aria-expanded={open}
                onClick={() => { setDrawerLoaded(true); setOpen(true); }} />
              <Link to="/" className="brand-inline">{t('app.name')}</Link>
              {drawerLoaded && (
                <Suspense fallback={null}>
                  <NavDrawer open={open} onClose={() => setOpen(false)} title={t('app.name')}>
                    <NavMenu onNavigate={() => setOpen(false)} />
                  </NavDrawer>
                </Suspense>
              )}
            </>
          )}
          <div style={{ flex: 1 }} />
          <Bell />
          <LanguageSwitch />
          <UserMenu />
        </AntLayout.Header>
        <AntLayout.Content id="main" tabIndex={-1} className="app-content">
          <Suspense fallback={<Spin aria-label={t('common.loading')} />}>
            <Outlet />
          </Suspense>
        </AntLayout.Content>
      </AntLayout>
    </AntLayout>
  );
}
