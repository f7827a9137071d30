// The finance director's approvals: the queue (how many, oldest first, in
// keyset pages) and the approval open beside it — on a desk the list on the
// left and the approval on the right; on a phone the list, then the
// approval with a way back. Deciding opens the next approval.
import { useEffect, useRef } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { App, Empty, Grid, Skeleton, Typography } from 'antd';
import { ArrowLeftOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ErrorView } from '../components/ErrorView';
import { ApprovalList } from '../components/approvals/ApprovalList';
import { ApprovalDetailView } from '../components/approvals/ApprovalDetail';
import { approvalsKey, useApprovalQueue, type ApprovalRow } from '../components/approvals/approvalApi';
import { formatNumber, localeOf } from '../format';
import '../components/approvals/approvals.css';

export default function ApprovalsPage() {
  const { t, i18n } = useTranslation('approvals');
  const locale = localeOf(i18n);
  const { id } = useParams();
  const selected = id && /^\d+$/.test(id) ? Number(id) : undefined;
  const navigate = useNavigate();
  const qc = useQueryClient();
  const { message } = App.useApp();
  const screens = Grid.useBreakpoint();
  const phone = !screens.lg;
  const queue = useApprovalQueue();
  const rows: ApprovalRow[] = queue.data?.pages.flatMap((p) => p.items) ?? [];
  const total = queue.data?.pages[0]?.counts?.open;
  const heading = useRef<HTMLHeadingElement>(null);
  const focusNext = useRef(false);

  useEffect(() => {
    if (focusNext.current && selected !== undefined) {
      focusNext.current = false;
      const h = setTimeout(() => heading.current?.focus(), 300);
      return () => clearTimeout(h);
    }
    return undefined;
  }, [selected]);

  // On a desk the oldest approval opens by itself; a phone shows the list first.
  const firstId = rows[0]?.id;
  useEffect(() => {
    if (!phone && selected === undefined && firstId !== undefined) navigate(`/approvals/${firstId}`, { replace: true });
  }, [phone, selected, firstId, navigate]);

  const decided = (task: { id: number; title: string }) => {
    const i = rows.findIndex((r) => r.id === task.id);
    const next = rows.slice(i + 1).find((r) => r.id !== task.id) ?? rows.slice(0, Math.max(0, i)).find((r) => r.id !== task.id);
    void message.success(`${t('decision.done', { title: task.title })} ${next ? t('decision.next') : t('decision.last')}`);
    void qc.invalidateQueries({ queryKey: approvalsKey });
    void qc.invalidateQueries({ queryKey: ['invoice'] });
    focusNext.current = true;
    navigate(next ? `/approvals/${next.id}` : '/approvals');
  };

  const list = queue.isPending
    ? <Skeleton active paragraph={{ rows: 8 }} />
    : queue.isError
      ? <ErrorView error={queue.error} onRetry={() => void queue.refetch()} />
      : (
        <ApprovalList
          rows={rows}
          selected={selected}
          total={total}
          hasMore={!!queue.hasNextPage}
          loadingMore={queue.isFetchingNextPage}
          onMore={() => void queue.fetchNextPage()}
        />
      );

  const detail = selected !== undefined
    ? <ApprovalDetailView key={selected} id={selected} onDecided={decided} ref={heading} />
    : <Empty description={t('pick')} />;

  return (
    <div className="approvals-page">
      <Typography.Title level={1}>
        {t('title')}
        {total !== undefined && <span className="approvals-total"> · {t('count', { n: formatNumber(total, locale) })}</span>}
      </Typography.Title>
      {phone
        ? (
          selected !== undefined
            ? (
              <>
                <Link to="/approvals" className="approvals-back"><ArrowLeftOutlined aria-hidden /> {t('back')}</Link>
                {detail}
              </>
            )
            : <div className="approval-queue-panel">{list}</div>
        )
        : (
          <div className="approvals-layout">
            <div className="approval-queue-panel">{list}</div>
            <div>{detail}</div>
          </div>
        )}
    </div>
  );
}
