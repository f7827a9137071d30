import { Segmented } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatNumber, localeOf } from '../../format';
import { countOf, views, type View } from './taskApi';

/** ViewTabs are the task lists' views (open, today, overdue…) with their counts, shared by My work and the team queue. */
export function ViewTabs({ view, counts, onChange }: { view: View; counts: Parameters<typeof countOf>[0]; onChange(v: View): void }) {
  const { t, i18n } = useTranslation('inbox');
  const locale = localeOf(i18n);
  return (
    <div className="task-views">
      <Segmented<View>
        aria-label={t('views')}
        value={view}
        onChange={onChange}
        options={views.map((v) => {
          const n = countOf(counts, v);
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
  );
}
