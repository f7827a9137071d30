// The team queue (managers) and finance's queue: every task the caller may
// see, with the assignee, filters (rep, team, stage, unassigned), claiming a
// task left to a role, and reassigning one or many.
import { useEffect, useMemo, useState } from 'react';
import { useLocation, useSearchParams } from 'react-router';
import { App, Button, Checkbox, Select, Space, Typography } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap } from '../api/client';
import { useSession } from '../auth/session';
import { localized } from '../components/formDefinition';
import { ReassignDialog } from '../components/tasks/ReassignDialog';
import { TaskList } from '../components/tasks/TaskList';
import { ViewTabs } from '../components/tasks/ViewTabs';
import { countOf, isView, tasksKey, useTaskCounts, useTaskPages, type Task, type TaskQuery, type View } from '../components/tasks/taskApi';
import '../components/tasks/tasks.css';

interface Option { value: string; label: string }

/** Remembers the filter values seen in the rows, so that filtering does not shrink the choices. */
function useSeen(items: Task[], lang: string) {
  const [seen, setSeen] = useState<{ assignees: Map<string, string>; teams: Set<string>; stages: Map<string, string> }>(
    () => ({ assignees: new Map(), teams: new Set(), stages: new Map() }));
  useEffect(() => {
    setSeen((cur) => {
      let changed = false;
      const assignees = new Map(cur.assignees);
      const teams = new Set(cur.teams);
      const stages = new Map(cur.stages);
      for (const x of items) {
        if (x.assignee && !assignees.has(x.assignee)) { assignees.set(x.assignee, x.assignee_name || x.assignee); changed = true; }
        if (x.team && !teams.has(x.team)) { teams.add(x.team); changed = true; }
        if (x.node && !stages.has(x.node)) { stages.set(x.node, localized(x.stage_title, lang) || x.node); changed = true; }
      }
      return changed ? { assignees, teams, stages } : cur;
    });
  }, [items, lang]);
  const sort = (a: Option, b: Option) => a.label.localeCompare(b.label, lang);
  return {
    assignees: [...seen.assignees].map(([value, label]) => ({ value, label })).sort(sort),
    teams: [...seen.teams].map((value) => ({ value, label: value })).sort(sort),
    stages: [...seen.stages].map(([value, label]) => ({ value, label })).sort(sort),
  };
}

export default function QueuePage() {
  const { t, i18n } = useTranslation('inbox');
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const location = useLocation();
  const [params, setParams] = useSearchParams();
  const raw = params.get('view');
  const view: View = isView(raw) ? raw : 'open';
  const filters = useMemo(() => {
    const f: Omit<TaskQuery, 'cursor' | 'counts' | 'limit' | 'view'> = {};
    const assignee = params.get('assignee');
    const team = params.get('team');
    const stage = params.get('stage');
    if (assignee) f.assignee = assignee;
    if (team) f.team = team;
    if (stage) f.stage = stage;
    if (params.get('unassigned') === 'true') f.unassigned = true;
    return f;
  }, [params]);
  const counts = useTaskCounts(filters);
  const pages = useTaskPages({ ...filters, view });
  const items = useMemo(() => pages.data?.pages.flatMap((p) => p.items) ?? [], [pages.data]);
  const seen = useSeen(items, i18n.language);
  const [selected, setSelected] = useState<number[]>([]);
  const [reassign, setReassign] = useState<number[] | undefined>();

  // a selection holds only what is shown
  useEffect(() => {
    setSelected((cur) => {
      const next = cur.filter((id) => items.some((x) => x.id === id));
      return next.length === cur.length ? cur : next;
    });
  }, [items]);

  const setParam = (k: string, v: string | undefined) => {
    const next = new URLSearchParams(params);
    if (v) next.set(k, v); else next.delete(k);
    setParams(next, { replace: true });
  };

  const claim = useMutation({
    mutationFn: async (id: number) => unwrap(await api.POST('/api/tasks/{id}/claim', { params: { path: { id } } })),
    onSuccess: async () => {
      message.success(t('claimed'));
      await qc.invalidateQueries({ queryKey: tasksKey });
    },
    onError: (e) => message.error(e instanceof ApiError && e.status === 409 ? t('claimTaken') : e.message),
  });

  const canAssign = can('tasks:assign');
  const rowActions = (x: Task) => (
    <Space size={4} wrap>
      {x.status === 'open' && !x.assignee && x.role && (
        <Button size="small" type="primary" loading={claim.isPending && claim.variables === x.id}
          aria-label={`${t('claim')}: ${x.customer_name || x.title}`}
          onClick={() => claim.mutate(x.id)}>{t('claim')}</Button>
      )}
      {x.status === 'open' && canAssign && (
        <Button size="small" aria-label={`${t('reassign')} ${x.customer_name || x.title}`} onClick={() => setReassign([x.id])}>{t('reassign')}</Button>
      )}
    </Space>
  );

  const filterSelect = (key: 'assignee' | 'team' | 'stage', options: Option[]) => (
    <label className="queue-filter">
      <span>{t(`filter.${key}`)}</span>
      <Select
        aria-label={t(`filter.${key}`)}
        allowClear
        showSearch={{ optionFilterProp: 'label' }}
        placeholder={t('filter.any')}
        value={params.get(key) ?? undefined}
        onChange={(v: string | undefined) => setParam(key, v)}
        options={options}
        style={{ minWidth: 180 }}
        popupMatchSelectWidth={false}
      />
    </label>
  );

  return (
    <div className="task-page">
      <div className="task-page-head">
        <Typography.Title level={1} className="page-title">{t('queueTitle')}</Typography.Title>
        <span className="muted task-keys">{t('keys')}</span>
      </div>
      <ViewTabs view={view} counts={counts.data} onChange={(v) => setParam('view', v === 'open' ? undefined : v)} />
      <div className="queue-filters" role="group" aria-label={t('filters')}>
        {filterSelect('assignee', seen.assignees)}
        {filterSelect('team', seen.teams)}
        {filterSelect('stage', seen.stages)}
        <Checkbox checked={params.get('unassigned') === 'true'} onChange={(e) => setParam('unassigned', e.target.checked ? 'true' : undefined)}>
          {t('filter.unassigned')}
        </Checkbox>
      </div>
      {canAssign && selected.length > 0 && (
        <div className="queue-bulk" role="region" aria-label={t('selectedCount', { count: selected.length })}>
          <Typography.Text strong>{t('selectedCount', { count: selected.length })}</Typography.Text>
          <Button type="primary" onClick={() => setReassign(selected)}>{t('reassignSelected', { count: selected.length })}</Button>
          <Button onClick={() => setSelected([])}>{t('clearSelection')}</Button>
        </div>
      )}
      <TaskList
        label={t('listLabel', { view: t(`view.${view}`) })}
        pages={pages}
        from={location.pathname + location.search}
        total={countOf(counts.data, view)}
        showAssignee
        selected={canAssign ? selected : undefined}
        onSelect={canAssign ? setSelected : undefined}
        actions={rowActions}
      />
      <ReassignDialog
        taskIds={reassign ?? []}
        open={reassign !== undefined}
        onClose={() => setReassign(undefined)}
        onDone={(ids) => setSelected((cur) => cur.filter((id) => !ids.includes(id)))}
      />
    </div>
  );
}
