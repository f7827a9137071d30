// The in-app inbox: unread first (or unread only), mark one read, a link to
// the invoice a message is about. Marking read refreshes the header's bell.
import { useState } from 'react';
import { App, Badge, Button, Card, Empty, List, Segmented, Space, Tag, Typography } from 'antd';
import { CheckOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../api/client';
import { ErrorView, useErrorMessage } from '../components/ErrorView';
import { notificationsKey } from '../components/Layout';
import { formatInstant, localeOf } from '../format';
import { invoicePath, muted, tagColors } from '../components/invoices/labels';
import { AaTheme } from '../components/invoices/AaTheme';

type Notification = Schemas['Notification'];

/** invoiceNumberOf is the number of the invoice a message is about, when the API names it. */
function invoiceNumberOf(n: Notification): string | undefined {
  if ('invoice' in n && typeof n.invoice === 'string' && n.invoice) return n.invoice;
  if ('invoice_number' in n && typeof n.invoice_number === 'string' && n.invoice_number) return n.invoice_number;
  return undefined;
}

function NotificationsPageContent() {
  const { t, i18n } = useTranslation('notifications');
  const locale = localeOf(i18n);
  const { message } = App.useApp();
  const errorMessage = useErrorMessage();
  const qc = useQueryClient();
  const [sp, setSp] = useSearchParams();
  const unreadOnly = sp.get('unread') === '1';
  const [limit, setLimit] = useState(50);

  const q = useQuery({
    queryKey: ['notifications', 'list', unreadOnly, limit],
    queryFn: async () => unwrap(await api.GET('/api/notifications', { params: { query: { unread: unreadOnly || undefined, limit } } })),
  });
  const refresh = async () => {
    await Promise.all([
      qc.invalidateQueries({ queryKey: notificationsKey }),
      qc.invalidateQueries({ queryKey: ['notifications', 'list'] }),
    ]);
  };
  const markRead = useMutation({
    mutationFn: async (id: number) => unwrap(await api.POST('/api/notifications/{id}/read', { params: { path: { id } } })),
    onSuccess: refresh,
    onError: (e) => void message.error(errorMessage(e)),
  });

  // Unread first, each group newest first as the server answers.
  const items = [...(q.data?.items ?? [])].sort((a, b) => Number(Boolean(a.read_at)) - Number(Boolean(b.read_at)));
  const unreadCount = items.filter((n) => !n.read_at).length;

  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%', maxWidth: 900 }}>
      <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ margin: 0 }}>
          {t('title')} {unreadCount > 0 && <Badge count={unreadCount} overflowCount={999} aria-label={t('unreadCount', { count: unreadCount })} />}
        </Typography.Title>
        <Space wrap>
          <Segmented
            aria-label={t('show')}
            value={unreadOnly ? 'unread' : 'all'}
            onChange={(v) => { setLimit(50); setSp(v === 'unread' ? new URLSearchParams({ unread: '1' }) : new URLSearchParams()); }}
            options={[{ value: 'all', label: t('all') }, { value: 'unread', label: t('unread') }]}
          />
        </Space>
      </Space>
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <Card styles={{ body: { padding: 0 } }}>
          <List
            aria-label={t('list')}
            loading={q.isPending}
            dataSource={items}
            locale={{ emptyText: <Empty description={unreadOnly ? t('emptyUnread') : t('empty')} /> }}
            renderItem={(n) => {
              const number = invoiceNumberOf(n);
              const unread = !n.read_at;
              return (
                <List.Item
                  key={n.id}
                  className={unread ? 'notification unread' : 'notification'}
                  style={{ padding: '12px 16px', alignItems: 'flex-start', flexWrap: 'wrap', gap: 8 }}
                  actions={unread ? [
                    <Button key="read" size="small" icon={<CheckOutlined />} loading={markRead.isPending && markRead.variables === n.id}
                      aria-label={t('markReadOf', { title: n.title })} onClick={() => markRead.mutate(n.id)}>{t('markRead')}</Button>,
                  ] : []}
                >
                  <Space orientation="vertical" size={2} style={{ minWidth: 0, flex: 1 }}>
                    <Space size={6} wrap>
                      {unread ? <Tag color={tagColors.blue}>{t('new')}</Tag> : <Tag>{t('read')}</Tag>}
                      <Typography.Text strong={unread}>{n.title}</Typography.Text>
                    </Space>
                    {n.body && n.body !== n.title && <Typography.Paragraph style={{ margin: 0 }}>{n.body}</Typography.Paragraph>}
                    <Space size={12} wrap>
                      <Typography.Text style={muted}>{formatInstant(n.created_at, locale)}</Typography.Text>
                      {number && <Link to={invoicePath(number)} aria-label={t('openInvoice', { number })}>{number}</Link>}
                    </Space>
                  </Space>
                </List.Item>
              );
            }}
          />
        </Card>
      )}
      {items.length >= limit && limit < 500 && (
        <Button onClick={() => setLimit((l) => Math.min(500, l + 50))} loading={q.isFetching}>{t('common:common.more')}</Button>
      )}
    </Space>
  );
}

export default function NotificationsPage() {
  return <AaTheme><NotificationsPageContent /></AaTheme>;
}
