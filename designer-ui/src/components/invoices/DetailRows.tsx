// The invoice's tasks and approvals (the rows GET /api/tasks answers) and the
// messages sent for it, as compact tables.
import { Card, Empty, Table, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Schemas } from '../../api/client';
import { formatInstant, localeOf } from '../../format';
import { tagColors } from './labels';

type Task = Schemas['Task'];
type Message = Schemas['InvoiceMessage'];

const taskStatusColor: Record<string, string> = { open: tagColors.blue, done: tagColors.green, cancelled: tagColors.grey, expired: tagColors.grey };
const messageStatusColor: Record<string, string> = { pending: tagColors.gold, sending: tagColors.gold, sent: tagColors.green, dead: tagColors.red, suppressed: tagColors.grey };

export function TaskRows({ kind, rows }: { kind: 'tasks' | 'approvals'; rows: Task[] }) {
  const { t, i18n } = useTranslation('invoices');
  const locale = localeOf(i18n);
  const columns: TableColumnsType<Task> = [
    { key: 'title', title: t('task.title'), render: (_, r) => {
      const to = r.kind === 'approval' ? `/approvals/${r.id}` : `/tasks/${r.id}`;
      return <Link to={to} aria-label={t('task.open', { title: r.title })}>{r.title}</Link>;
    } },
    { key: 'status', title: t('task.status'), render: (_, r) => <Tag color={taskStatusColor[r.status] ?? tagColors.grey}>{t(`taskStatus.${r.status}`, { defaultValue: r.status })}</Tag> },
    { key: 'assignee', title: t('task.assignee'), render: (_, r) => r.assignee_name || r.assignee || (r.role ? t(`common:roles.${r.role}`, { defaultValue: r.role }) : '') },
    { key: 'due', title: t('task.due'), render: (_, r) => <span style={{ whiteSpace: 'nowrap' }}>{r.due_at ? formatInstant(r.due_at, locale) : ''}</span> },
  ];
  return (
    <Card title={<h2 className="card-title">{t(`detail.${kind}`)}</h2>}>
      <Table<Task> rowKey="id" size="small" columns={columns} dataSource={rows} pagination={rows.length > 20 ? { pageSize: 20 } : false}
        scroll={{ x: 'max-content' }} locale={{ emptyText: <Empty description={t(kind === 'tasks' ? 'detail.noTasks' : 'detail.noApprovals')} /> }} />
    </Card>
  );
}

export function MessageRows({ rows }: { rows: Message[] }) {
  const { t, i18n } = useTranslation('invoices');
  const locale = localeOf(i18n);
  const columns: TableColumnsType<Message> = [
    { key: 'at', title: t('message.at'), render: (_, m) => <span style={{ whiteSpace: 'nowrap' }}>{formatInstant(m.sent_at ?? m.created_at, locale)}</span> },
    { key: 'channel', title: t('message.channel'), render: (_, m) => t(`channel.${m.channel}`, { defaultValue: m.channel }) },
    { key: 'to', title: t('message.to'), dataIndex: 'recipient' },
    { key: 'status', title: t('message.status'), render: (_, m) => <Tag color={messageStatusColor[m.status] ?? tagColors.grey}>{t(`messageStatus.${m.status}`, { defaultValue: m.status })}</Tag> },
    { key: 'text', title: t('message.text'), render: (_, m) => (
      <Typography.Paragraph style={{ margin: 0, minWidth: 200, maxWidth: 420 }} ellipsis={{ rows: 3, expandable: true }}>
        {m.subject ? <strong>{m.subject} </strong> : null}{m.body}
      </Typography.Paragraph>
    ) },
  ];
  return (
    <Card title={<h2 className="card-title">{t('detail.messages')}</h2>}>
      <Table<Message> rowKey="id" size="small" columns={columns} dataSource={rows} pagination={rows.length > 20 ? { pageSize: 20 } : false}
        scroll={{ x: 'max-content' }} locale={{ emptyText: <Empty description={t('detail.noMessages')} /> }} />
    </Card>
  );
}
