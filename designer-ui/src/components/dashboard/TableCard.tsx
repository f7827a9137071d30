// A dashboard card whose figures are a table rather than a chart: the same
// header as a chart card (a heading, a CSV export of the table), an optional
// summary above (e.g. progress bars), and the table itself — shown, or
// behind a "Show table" toggle when the summary already says it all.
import { useId, useState, type ReactNode } from 'react';
import { Button, Card, Empty, Space, Table } from 'antd';
import { DownloadOutlined, TableOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { csvFileName, downloadCsv, toCsv } from '../csv';
import type { DataColumn } from './ChartCard';

export function TableCard<R>({
  id, title, description, summary, toggle, rows, columns, rowKey, fileBase, date, empty,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  /** shown above the table when there are rows */
  summary?: ReactNode;
  /** the table is hidden until "Show table" is pressed */
  toggle?: boolean;
  rows: readonly R[];
  columns: readonly DataColumn<R>[];
  rowKey: (row: R) => string;
  fileBase: string;
  date?: string;
  empty?: string;
}) {
  const { t } = useTranslation('dashboard');
  const [shown, setShown] = useState(false);
  const tableId = useId();
  const titleId = `${id}-title`;
  const table = !toggle || shown;
  const none = rows.length === 0;
  return (
    <Card
      title={<h2 id={titleId} className="card-title">{title}</h2>}
      extra={
        <Space wrap size={4}>
          {toggle && !none && (
            <Button
              size="small"
              icon={<TableOutlined aria-hidden />}
              aria-pressed={shown}
              aria-controls={tableId}
              onClick={() => setShown((v) => !v)}
            >
              {shown ? t('hideTable') : t('showTable')}
            </Button>
          )}
          <Button
            size="small"
            icon={<DownloadOutlined aria-hidden />}
            aria-label={t('exportNamed', { name: title })}
            onClick={() => downloadCsv(csvFileName(fileBase, date), toCsv(columns.map((c) => ({ header: c.title, value: c.csv })), rows))}
          >
            {t('csv')}
          </Button>
        </Space>
      }
      styles={{ body: { paddingTop: 8 } }}
      className="chart-card table-card"
      aria-labelledby={titleId}
      role="region"
      data-testid={id}
    >
      {description && <div className="chart-description">{description}</div>}
      {none ? (
        <Empty className="table-card-empty" image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty ?? t('noData')} />
      ) : (
        <>
          {summary}
          <div id={tableId} hidden={!table} className="chart-table" tabIndex={table ? 0 : -1} role="region" aria-label={title}>
            {table && (
              <Table<R>
                size="small"
                rowKey={rowKey}
                dataSource={rows as R[]}
                pagination={rows.length > 24 ? { pageSize: 24, showSizeChanger: false } : false}
                caption={<span className="visually-hidden">{title}</span>}
                scroll={{ x: 'max-content' }}
                columns={columns.map((c, i) => ({
                  key: c.key,
                  title: c.title,
                  align: c.numeric ? 'right' : 'left',
                  // the first column (what the row is) stays in view while a narrow screen scrolls the figures
                  fixed: i === 0 ? 'start' : undefined,
                  render: (_: unknown, r: R) => c.render(r),
                }))}
              />
            )}
          </div>
        </>
      )}
    </Card>
  );
}
