// One route per page; every page is its own chunk so that a rep's inbox
// does not download the dashboard's charts (or, later, the designer's editors).
import { lazy, Suspense } from 'react';
import { Navigate, type RouteObject } from 'react-router';
import { Layout } from './components/Layout';
import { RequireSession } from './auth/RequireSession';
import { HomeRedirect } from './pages/HomeRedirect';

const LoginPage = lazy(() => import('./pages/LoginPage'));
const InboxPage = lazy(() => import('./pages/InboxPage'));
const QueuePage = lazy(() => import('./pages/QueuePage'));
const TaskPage = lazy(() => import('./pages/TaskPage'));
const ApprovalsPage = lazy(() => import('./pages/ApprovalsPage'));
const DashboardPage = lazy(() => import('./pages/DashboardPage'));
const InvoicesPage = lazy(() => import('./pages/InvoicesPage'));
const InvoicePage = lazy(() => import('./pages/InvoicePage'));
const CustomersPage = lazy(() => import('./pages/CustomersPage'));
const CustomerPage = lazy(() => import('./pages/CustomerPage'));
const NotificationsPage = lazy(() => import('./pages/NotificationsPage'));
const UsersPage = lazy(() => import('./pages/admin/UsersPage'));
const TokensPage = lazy(() => import('./pages/admin/TokensPage'));
const AuditPage = lazy(() => import('./pages/admin/AuditPage'));
const SettingsPage = lazy(() => import('./pages/admin/SettingsPage'));
const AccountPage = lazy(() => import('./pages/AccountPage'));
const DefinitionsPage = lazy(() => import('./pages/designer/DefinitionsPage'));
const DesignerPage = lazy(() => import('./pages/designer/DesignerPage'));
const NotFoundPage = lazy(() => import('./pages/NotFoundPage'));

// The chunk of the page a full load lands on, fetched while the session is
// checked: the first path segment, with "/:" when an id follows.
const preloads: Record<string, () => Promise<unknown>> = {
  inbox: () => import('./pages/InboxPage'),
  queue: () => import('./pages/QueuePage'),
  'tasks/:': () => import('./pages/TaskPage'),
  approvals: () => import('./pages/ApprovalsPage'),
  'approvals/:': () => import('./pages/ApprovalsPage'),
  dashboard: () => import('./pages/DashboardPage'),
  invoices: () => import('./pages/InvoicesPage'),
  'invoices/:': () => import('./pages/InvoicePage'),
  customers: () => import('./pages/CustomersPage'),
  'customers/:': () => import('./pages/CustomerPage'),
};

/** preloadRoute starts loading the page for path, when it is one of the main pages. */
export function preloadRoute(path: string): void {
  const [, first = '', second] = path.split('/');
  void preloads[second ? `${first}/:` : first]?.().catch(() => undefined);
}

export const routes: RouteObject[] = [
  { path: '/login', element: <Suspense fallback={null}><LoginPage /></Suspense> },
  {
    element: <RequireSession><Layout /></RequireSession>,
    children: [
      { index: true, element: <HomeRedirect /> },
      { path: 'inbox', element: <InboxPage /> },
      { path: 'queue', element: <QueuePage /> },
      { path: 'tasks/:id', element: <TaskPage /> },
      { path: 'approvals', element: <ApprovalsPage /> },
      { path: 'approvals/:id', element: <ApprovalsPage /> },
      { path: 'dashboard', element: <DashboardPage /> },
      { path: 'invoices', element: <InvoicesPage /> },
      { path: 'invoices/:number', element: <InvoicePage /> },
      { path: 'customers', element: <CustomersPage /> },
      { path: 'customers/:id', element: <CustomerPage /> },
      { path: 'notifications', element: <NotificationsPage /> },
      { path: 'admin', element: <Navigate to="/admin/users" replace /> },
      { path: 'admin/users', element: <UsersPage /> },
      { path: 'admin/tokens', element: <TokensPage /> },
      { path: 'admin/audit', element: <AuditPage /> },
      { path: 'admin/settings', element: <SettingsPage /> },
      { path: 'designer', element: <DefinitionsPage /> },
      { path: 'designer/:kind/:name', element: <DesignerPage /> },
      { path: 'account', element: <AccountPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];
