// Keyset paging: the server answers a page and the cursor of the next one.
// The pager keeps the cursors of the pages seen so far, so "previous" goes
// back without the server counting anything; "first" starts again.
import { Button, Space, Typography } from 'antd';
import { LeftOutlined, RightOutlined, VerticalRightOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';

export interface PagerProps {
  /** page is 1 for the first page. */
  page: number;
  hasPrev: boolean;
  nextCursor: string | undefined;
  onFirst(): void;
  onPrev(): void;
  onNext(cursor: string): void;
  busy?: boolean;
}

export function Pager({ page, hasPrev, nextCursor, onFirst, onPrev, onNext, busy }: PagerProps) {
  const { t } = useTranslation('invoices');
  if (!hasPrev && !nextCursor) return null;
  return (
    <nav aria-label={t('pager.label')} className="pager">
      <Space wrap>
        <Button icon={<VerticalRightOutlined />} disabled={!hasPrev || busy} onClick={onFirst}>{t('pager.first')}</Button>
        <Button icon={<LeftOutlined />} disabled={!hasPrev || busy} onClick={onPrev}>{t('pager.prev')}</Button>
        <Typography.Text aria-live="polite">{t('pager.page', { page })}</Typography.Text>
        <Button icon={<RightOutlined />} iconPlacement="end" disabled={!nextCursor || busy} onClick={() => nextCursor && onNext(nextCursor)}>{t('pager.next')}</Button>
      </Space>
    </nav>
  );
}
