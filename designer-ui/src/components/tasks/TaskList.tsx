// The task list shared by My work and the team queue: a table on a desk, a
// column of cards on a phone (a plain HTML table, not antd's: the inbox is
// the page every rep opens first, and antd's Table with its filter, tree
// and pagination code was a fifth of the inbox's JavaScript); pages of 50 loaded as the user scrolls (or
// with "Load more"); j/k or the arrow keys move the selection, Enter opens.
// Opening a task carries the list's order so that the task page can open
// the next one after completing it.
import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { Link, useNavigate } from 'react-router';
import { Button, Checkbox, Empty, Grid, Spin, Tag, Typography } from 'antd';
import type { UseInfiniteQueryResult, InfiniteData } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Money } from '../Money';
import { ErrorView } from '../ErrorView';
import { localized } from '../formDefinition';
import { formatInstant, formatNumber, localeOf } from '../../format';
import { zoneOfInstant } from '../zone';
import { PriorityReasons } from './PriorityReasons';
import { saveOrder, type Task } from './taskApi';
import type { Schemas } from '../../api/client';
import './tasks.css';

type Pages = UseInfiniteQueryResult<InfiniteData<Schemas['TaskPage']>, Error>;

const cellClass = (c: Column) => [c.align === 'right' ? 'num' : '', c.className ?? ''].filter(Boolean).join(' ') || undefined;

interface Column {
  key: string;
  title: string;
  align?: 'right';
  className?: string;
  render: (x: Task, i: number) => ReactNode;
}

export interface TaskListProps {
  /** The pages of tasks (useTaskPages). */
  pages: Pages;
  /** Where the list is (path and query), so that the task page can come back and go on. */
  from: string;
  /** How many tasks the list holds, when known (the view's count). */
  total?: number;
  showAssignee?: boolean;
  /** Multi-select (the queue): the selected task ids. */
  selected?: number[];
  onSelect?: (ids: number[]) => void;
  /** Buttons for a task (e.g. claim). */
  actions?: (t: Task) => ReactNode;
  /** The list's accessible name. */
  label: string;
}

/** isChoice: a radio or checkbox, where the arrow keys are the control's own. */
function isChoice(el: EventTarget | null): boolean {
  return el instanceof HTMLInputElement && (el.type === 'radio' || el.type === 'checkbox');
}

function isTyping(el: EventTarget | null): boolean {
  if (!(el instanceof HTMLElement)) return false;
  const tag = el.tagName;
  return (tag === 'INPUT' && !isChoice(el)) || tag === 'TEXTAREA' || tag === 'SELECT' || el.isContentEditable || el.closest('[role="dialog"], [role="listbox"], .ant-select-dropdown') !== null;
}

export function useStageText(): (t: Task) => string {
  const { i18n } = useTranslation();
  return (t) => localized(t.stage_title, i18n.language) || t.node || '';
}

export function TaskList({ pages, from, total, showAssignee, selected, onSelect, actions, label }: TaskListProps) {
  const { t, i18n } = useTranslation('inbox');
  const locale = localeOf(i18n);
  const screens = Grid.useBreakpoint();
  const phone = screens.md === false;
  const navigate = useNavigate();
  const stage = useStageText();
  const items = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);
  const ids = useMemo(() => items.map((x) => x.id), [items]);
  const [cursor, setCursor] = useState(0);
  const rootRef = useRef<HTMLDivElement>(null);

  const order = useMemo(() => ({ from, ids }), [from, ids]);
  const open = useCallback((id: number) => {
    saveOrder(order);
    navigate(`/tasks/${id}`, { state: { order } });
  }, [navigate, order]);

  useEffect(() => {
    if (cursor >= items.length && items.length > 0) setCursor(items.length - 1);
  }, [items.length, cursor]);

  const focusRow = useCallback((i: number) => {
    const id = ids[i];
    if (id === undefined) return;
    const el = rootRef.current?.querySelector<HTMLElement>(`[data-task-link="${id}"]`);
    el?.focus();
  }, [ids]);

  // j/k and the arrow keys move; Enter opens (a focused link opens by itself).
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.altKey || e.ctrlKey || e.metaKey || isTyping(e.target) || items.length === 0) return;
      if (isChoice(e.target) && e.key !== 'j' && e.key !== 'k') return;
      if (e.key === 'j' || e.key === 'ArrowDown') {
        e.preventDefault();
        const n = Math.min(cursor + 1, items.length - 1);
        setCursor(n);
        focusRow(n);
        if (n >= items.length - 3 && pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
      } else if (e.key === 'k' || e.key === 'ArrowUp') {
        e.preventDefault();
        const n = Math.max(cursor - 1, 0);
        setCursor(n);
        focusRow(n);
      } else if (e.key === 'Enter') {
        const target = e.target as HTMLElement | null;
        if (target && target.closest('a, button, [role="button"], [role="checkbox"], label')) return;
        const id = ids[cursor];
        if (id !== undefined) {
          e.preventDefault();
          open(id);
        }
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [cursor, items.length, ids, open, focusRow, pages]);

  // Load the next page when the end of the list comes into view.
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!el || typeof IntersectionObserver === 'undefined') return;
    const io = new IntersectionObserver((entries) => {
      if (entries.some((x) => x.isIntersecting) && pages.hasNextPage && !pages.isFetchingNextPage) void pages.fetchNextPage();
    }, { rootMargin: '400px' });
    io.observe(el);
    return () => io.disconnect();
  }, [pages]);

  const due = (x: Task) => (x.due_at ? (
    <span className={x.overdue ? 'text-danger' : undefined}>
      {formatInstant(x.due_at, locale, zoneOfInstant(x.due_at))}
    </span>
  ) : t('noDue'));

  const link = (x: Task, i: number, children: ReactNode, className?: string) => (
    <Link
      to={`/tasks/${x.id}`}
      state={{ order }}
      data-task-link={x.id}
      className={className}
      onClick={() => { saveOrder(order); setCursor(i); }}
      onFocus={() => setCursor(i)}
    >
      {children}
    </Link>
  );

  const assigneeText = (x: Task) => x.assignee_name || x.assignee || (x.role ? t('roleTask', { role: t(`common:roles.${x.role}`, { defaultValue: x.role }) }) : '');

  const columns: Column[] = [
    {
      key: 'customer',
      title: t('col.customer'),
      className: 'task-col-customer',
      render: (x, i) => (
        <div className="task-customer">
          {link(x, i, x.customer_name || x.customer || x.title)}
          <div className="task-title">{x.title}</div>
          <PriorityReasons reasons={x.priority_reasons} first={i === 0} />
        </div>
      ),
    },
    { key: 'invoice', title: t('col.invoice'), render: (x) => <span className="task-nowrap">{x.invoice ?? ''}</span> },
    {
      key: 'amount', title: t('col.amount'), align: 'right',
      render: (x) => (x.balance_minor !== undefined && x.currency ? <Money minor={x.balance_minor} currency={x.currency} /> : ''),
    },
    {
      key: 'days', title: t('col.days'), align: 'right',
      render: (x) => (x.days_overdue !== undefined ? formatNumber(x.days_overdue, locale) : ''),
    },
    {
      key: 'stage', title: t('col.stage'),
      render: (x) => (
        <>
          {stage(x) || (x.promise_broken || x.kind === 'approval' ? '' : t('common:common.none'))}
          {x.kind === 'approval' && <Tag color="purple" style={{ marginInlineStart: 6 }}>{t('approval')}</Tag>}
          {x.promise_broken && <Tag color="red" style={{ marginInlineStart: 6 }}>{t('promiseBroken')}</Tag>}
        </>
      ),
    },
    { key: 'due', title: t('col.due'), render: (x) => due(x) },
  ];
  if (showAssignee) {
    columns.push({ key: 'assignee', title: t('col.assignee'), render: (x) => assigneeText(x) });
  }
  if (actions) {
    columns.push({ key: 'actions', title: t('common:common.actions'), render: (x) => actions(x) });
  }

  if (pages.isError) return <ErrorView error={pages.error} onRetry={() => void pages.refetch()} />;

  const footer = (
    <div className="task-list-footer">
      <div ref={sentinel} aria-hidden />
      <span className="muted" aria-live="polite">
        {total !== undefined
          ? t('showing', { shown: formatNumber(items.length, locale), total: formatNumber(Math.max(total, items.length), locale) })
          : t('shown', { shown: formatNumber(items.length, locale) })}
      </span>
      {pages.hasNextPage && (
        <Button onClick={() => void pages.fetchNextPage()} loading={pages.isFetchingNextPage}>{t('common:common.more')}</Button>
      )}
    </div>
  );

  if (phone) {
    return (
      <div ref={rootRef} className="task-cards" aria-label={label} role="region">
        {pages.isPending && <Typography.Text>{t('common:common.loading')}</Typography.Text>}
        {!pages.isPending && items.length === 0 && <Empty description={t('empty')} />}
        <ul className="task-card-list">
          {items.map((x, i) => (
            <li key={x.id} className={`task-card${i === cursor ? ' task-card-current' : ''}`}>
              {onSelect && (
                <Checkbox
                  className="task-card-check"
                  aria-label={t('selectTask', { name: x.customer_name || x.title })}
                  checked={selected?.includes(x.id)}
                  onChange={(e) => onSelect(e.target.checked ? [...(selected ?? []), x.id] : (selected ?? []).filter((s) => s !== x.id))}
                />
              )}
              {link(x, i, (
                <>
                  <span className="task-card-top">
                    <strong className="task-card-name">{x.customer_name || x.customer || x.title}</strong>
                    {x.balance_minor !== undefined && x.currency && <Money minor={x.balance_minor} currency={x.currency} strong />}
                  </span>
                  <span className="task-card-meta">
                    {x.invoice}
                    {x.days_overdue !== undefined && <> · {t('daysOverdue', { count: x.days_overdue })}</>}
                    {stage(x) && <> · {stage(x)}</>}
                  </span>
                  <span className="task-card-meta">{due(x)}{showAssignee && assigneeText(x) ? <> · {assigneeText(x)}</> : null}</span>
                  <PriorityReasons reasons={x.priority_reasons} first={i === 0} />
                </>
              ), 'task-card-link')}
              {actions && <div className="task-card-actions">{actions(x)}</div>}
            </li>
          ))}
        </ul>
        {footer}
      </div>
    );
  }

  const chosen = new Set(selected ?? []);
  const all = items.length > 0 && items.every((x) => chosen.has(x.id));
  const some = !all && items.some((x) => chosen.has(x.id));
  const width = columns.length + (onSelect ? 1 : 0);
  return (
    <div ref={rootRef}>
      <table className="task-table" aria-label={label} aria-busy={pages.isPending || undefined}>
        <thead>
          <tr>
            {onSelect && (
              <th scope="col" className="task-table-check">
                <Checkbox aria-label={t('selectAll')} checked={all} indeterminate={some}
                  onChange={(e) => onSelect(e.target.checked ? items.map((x) => x.id) : [])} />
              </th>
            )}
            {columns.map((c) => <th key={c.key} scope="col" className={cellClass(c)}>{c.title}</th>)}
          </tr>
        </thead>
        <tbody>
          {pages.isPending && (
            <tr><td colSpan={width} className="task-table-note"><Spin aria-label={t('common:common.loading')} /></td></tr>
          )}
          {!pages.isPending && items.length === 0 && (
            <tr><td colSpan={width} className="task-table-note"><Empty description={t('empty')} /></td></tr>
          )}
          {items.map((x, i) => (
            <tr key={x.id} data-row-key={x.id} className={i === cursor ? 'task-row-current' : undefined} onClick={() => setCursor(i)}>
              {onSelect && (
                <td className="task-table-check">
                  <Checkbox aria-label={t('selectTask', { name: x.customer_name || x.title })} checked={chosen.has(x.id)}
                    onChange={(e) => onSelect(e.target.checked ? [...chosen, x.id] : [...chosen].filter((id) => id !== x.id))} />
                </td>
              )}
              {columns.map((c) => <td key={c.key} className={cellClass(c)}>{c.render(x, i)}</td>)}
            </tr>
          ))}
        </tbody>
      </table>
      {footer}
    </div>
  );
}
