// My work: a rep's tasks by view (open, due today, overdue, promises due,
// waiting) with their counts, highest priority first, each with why it is
// where it is. j/k or the arrows move, Enter opens; after completing a task
// the next one in this list opens.
import { useSearchParams, useLocation } from 'react-router';
import { Segmented, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { TaskList } from '../components/tasks/TaskList';
import { countOf, isView, useTaskCounts, useTaskPages, views, type View } from '../components/tasks/taskApi';
import { formatNumber, localeOf } from '../format';

export default function InboxPage() {
  const { t, i18n } = useTranslation('inbox');
  const locale = localeOf(i18n);
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const raw = params.get('view');
  const view: View = isView(raw) ? raw : 'open';
  const counts = useTaskCounts({ mine: true });
  const pages = useTaskPages({ mine: true, view });

  return (
    <div className="task-page">
      <div className="task-page-head">
        <Typography.Title level={1} className="page-title">{t('title')}</Typography.Title>
        <span className="muted task-keys">{t('keys')}</span>
      </div>
      <div className="task-views">
        <Segmented<View>
          aria-label={t('views')}
          value={view}
          onChange={(v) => setParams(v === 'open' ? {} : { view: v }, { replace: true })}
          options={views.map((v) => {
            const n = countOf(counts.data, v);
            return {
              value: v,
              label: (
                <span className="task-view-label">
                  {t(`view.${v}`)}
                  <span className="task-view-count">{n === undefined ? '…' : formatNumber(n, locale)}</span>
                </span>
              ),
            };
          })}
        />
      </div>
      <TaskList
        label={t('listLabel', { view: t(`view.${view}`) })}
        pages={pages}
        from={location.pathname + location.search}
        total={countOf(counts.data, view)}
      />
    </div>
  );
}
