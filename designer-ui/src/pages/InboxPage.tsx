// My work: a rep's tasks by view (open, due today, overdue, promises due,
// waiting) with their counts, highest priority first, each with why it is
// where it is. j/k or the arrows move, Enter opens; after completing a task
// the next one in this list opens.
import { useSearchParams, useLocation } from 'react-router';
import { Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { TaskList } from '../components/tasks/TaskList';
import { ViewTabs } from '../components/tasks/ViewTabs';
import { countOf, isView, useTaskCounts, useTaskPages, type View } from '../components/tasks/taskApi';

export default function InboxPage() {
  const { t } = useTranslation('inbox');
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
      <ViewTabs view={view} counts={counts.data} onChange={(v) => setParams(v === 'open' ? {} : { view: v }, { replace: true })} />
      <TaskList
        label={t('listLabel', { view: t(`view.${view}`) })}
        pages={pages}
        from={location.pathname + location.search}
        total={countOf(counts.data, view)}
      />
    </div>
  );
}
