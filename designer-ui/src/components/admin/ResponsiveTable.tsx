// A list of records that is a table on a desk and a column of cards on a
// phone (a nine-column table squeezed into 390 px cannot be read). On a desk
// the table sits in a labelled region that takes keyboard focus: should a
// long row still make it scroll sideways, a keyboard user can scroll it too
// (axe's scrollable-region-focusable), and the columns are chosen so that it
// does not need to at 1366 px.
import type { Key, ReactNode } from 'react';
import { Card, Empty, Grid, List, Table } from 'antd';
import type { TableColumnsType } from 'antd';
import './admin.css';

export interface ResponsiveTableProps<T extends object> {
  /** label names the table or the list for assistive technology. */
  label: string;
  items: T[];
  rowKey: (item: T) => Key;
  columns: TableColumnsType<T>;
  /** card renders one record on a phone. */
  card: (item: T) => ReactNode;
  loading?: boolean;
  empty?: string;
  size?: 'small' | 'middle';
  /** pageSize pages the records in the browser (lists the server answers whole); none when absent. */
  pageSize?: number;
}

export function ResponsiveTable<T extends object>({ label, items, rowKey, columns, card, loading, empty, size = 'middle', pageSize }: ResponsiveTableProps<T>) {
  const screens = Grid.useBreakpoint();
  const phone = !screens.md;
  const emptyText = <Empty description={empty} />;
  const pagination = pageSize ? { pageSize, hideOnSinglePage: true, showSizeChanger: false } : false;
  if (phone) {
    return (
      <section aria-label={label} className="admin-cards">
        <List<T>
          loading={loading}
          dataSource={items}
          rowKey={rowKey}
          pagination={pagination ? { ...pagination, size: 'small', align: 'center' } : false}
          locale={{ emptyText }}
          renderItem={(item) => (
            <List.Item style={{ padding: '6px 0', border: 0 }}>
              <Card size="small" style={{ width: '100%' }}>{card(item)}</Card>
            </List.Item>
          )}
        />
      </section>
    );
  }
  return (
    <div role="region" aria-label={label} tabIndex={0} className="admin-table-region">
      <Table<T> rowKey={rowKey} size={size} columns={columns} dataSource={items} loading={loading}
        pagination={pagination} locale={{ emptyText }} />
    </div>
  );
}

/** Field is one labelled line of a phone card: the label above, the value below. */
export function Field({ label, children, wide }: { label: string; children: ReactNode; wide?: boolean }) {
  return (
    <div className={wide ? 'admin-field admin-wide' : 'admin-field'}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

/** Fields holds a card's labelled lines as a description list, two a row where they fit. */
export function Fields({ children }: { children: ReactNode }) {
  return <dl className="admin-fields">{children}</dl>;
}
