// A chart with its numbers: the chart (named for screen readers), a toggle
// that shows the same figures as a table under it, and a CSV export of
// that table (money as exact decimals, with its currency).
import { useId, useState, type ReactNode } from 'react';
import { Button, Card, Empty, Space, Table } from 'antd';
import { DownloadOutlined, TableOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import { csvFileName, downloadCsv, toCsv, type CsvValue } from '../csv';
import { EChart, type ChartClick } from './EChart';
import type { ChartOption } from './echarts';

export interface DataColumn<R> {
  key: string;
  title: string;
  render: (row: R) => ReactNode;
  csv: (row: R) => CsvValue;
  numeric?: boolean;
}

export function ChartCard<R>({
  id, title, description, option, height, rows, columns, rowKey, fileBase, date, onChartClick, controls, empty,
}: {
  id: string;
  title: string;
  description?: ReactNode;
  option: ChartOption;
  height: number;
  rows: readonly R[];
  columns: readonly DataColumn<R>[];
  rowKey: (row: R) => string;
  fileBase: string;
  date?: string;
  onChartClick?: (p: ChartClick) => void;
  /** controls above the chart (e.g. a stage picker) */
  controls?: ReactNode;
  empty?: string;
}) {
  const { t } = useTranslation('dashboard');
  const [table, setTable] = useState(false);
  const tableId = useId();
  const titleId = `${id}-title`;
  return (
    <Card
      title={<h2 id={titleId} className="card-title">{title}</h2>}
      extra={
        <Space wrap size={4}>
          <Button
            size="small"
            icon={<TableOutlined aria-hidden />}
            aria-pressed={table}
            aria-controls={tableId}
            onClick={() => setTable((v) => !v)}
          >
            {table ? t('hideTable') : t('showTable')}
          </Button>
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
      className="chart-card"
      aria-labelledby={titleId}
      role="region"
      data-testid={id}
    >
      {description && <div className="chart-description">{description}</div>}
      {controls && <div className="chart-controls">{controls}</div>}
      <div style={{ position: 'relative' }}>
        <EChart option={option} label={t('chartLabel', { name: title })} height={height} onClick={onChartClick} />
        {rows.length === 0 && (
          <div className="chart-empty">
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={empty ?? t('noData')} />
          </div>
        )}
      </div>
      <div id={tableId} hidden={!table} className="chart-table" tabIndex={table ? 0 : -1} role="region" aria-label={title}>
        {table && (
          <Table<R>
            size="small"
            rowKey={rowKey}
            dataSource={rows as R[]}
            pagination={rows.length > 20 ? { pageSize: 20, showSizeChanger: false } : false}
            caption={<span className="visually-hidden">{title}</span>}
            columns={columns.map((c) => ({
              key: c.key,
              title: c.title,
              align: c.numeric ? 'right' : 'left',
              render: (_: unknown, r: R) => c.render(r),
            }))}
          />
        )}
      </div>
    </Card>
  );
}
