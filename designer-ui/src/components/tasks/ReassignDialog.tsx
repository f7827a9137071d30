// Reassign one or many tasks to someone who may do them: the candidates are
// those GET /api/tasks/{id}/assignees offers for every selected task.
import { useMemo, useState } from 'react';
import { App, Alert, Form, Input, Modal, Select } from 'antd';
import { useQueries, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../../api/client';
import { useErrorMessage } from '../ErrorView';
import { tasksKey } from './taskApi';

type Assignee = Schemas['Assignee'];

export interface ReassignDialogProps {
  taskIds: number[];
  open: boolean;
  onClose: () => void;
  /** Called after the reassignments with the ids that were reassigned. */
  onDone?: (ids: number[]) => void;
}

export function ReassignDialog({ taskIds, open, onClose, onDone }: ReassignDialogProps) {
  const { t } = useTranslation('inbox');
  const { message } = App.useApp();
  const errorText = useErrorMessage();
  const qc = useQueryClient();
  const [to, setTo] = useState<string>();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string>();

  const lists = useQueries({
    queries: (open ? taskIds : []).map((id) => ({
      queryKey: [...tasksKey, 'assignees', id],
      queryFn: async () => unwrap(await api.GET('/api/tasks/{id}/assignees', { params: { path: { id } } })).items,
      staleTime: 60_000,
    })),
  });
  const loading = lists.some((q) => q.isPending);
  const loadError = lists.find((q) => q.isError)?.error;
  const candidates = useMemo(() => {
    if (loading || lists.length === 0) return [] as Assignee[];
    const [first, ...rest] = lists.map((q) => q.data ?? []);
    return (first ?? []).filter((a) => rest.every((l) => l.some((b) => b.email === a.email)));
  }, [lists, loading]);

  const close = () => {
    setTo(undefined);
    setReason('');
    setFailure(undefined);
    onClose();
  };

  const submit = async () => {
    if (!to) return;
    setBusy(true);
    setFailure(undefined);
    const done: number[] = [];
    const failed: string[] = [];
    for (const id of taskIds) {
      try {
        unwrap(await api.POST('/api/tasks/{id}/reassign', { params: { path: { id } }, body: { assignee: to, ...(reason.trim() ? { reason: reason.trim() } : {}) } }));
        done.push(id);
      } catch (e) {
        failed.push(errorText(e));
      }
    }
    setBusy(false);
    await qc.invalidateQueries({ queryKey: tasksKey });
    const name = candidates.find((c) => c.email === to)?.name ?? to;
    if (done.length > 0) message.success(t('reassigned', { count: done.length, name }));
    onDone?.(done);
    if (failed.length > 0) {
      setFailure(t('reassignFailed', { count: failed.length, message: [...new Set(failed)].join('; ') }));
    } else {
      close();
    }
  };

  return (
    <Modal
      open={open}
      title={t('reassignTitle', { count: taskIds.length })}
      okText={t('reassignDo')}
      cancelText={t('common:common.cancel')}
      onOk={() => void submit()}
      onCancel={close}
      okButtonProps={{ disabled: !to, loading: busy }}
      destroyOnHidden
    >
      {loadError && <Alert type="error" showIcon title={errorText(loadError)} style={{ marginBottom: 12 }} />}
      {!loading && !loadError && candidates.length === 0 && (
        <Alert type="warning" showIcon title={t('reassignNoCandidates')} style={{ marginBottom: 12 }} />
      )}
      {failure && <Alert type="error" showIcon role="alert" title={failure} style={{ marginBottom: 12 }} />}
      <Form layout="vertical" component="div">
        <Form.Item label={<span id="reassign-to-label">{t('reassignTo')}</span>} required>
          <Select
            aria-labelledby="reassign-to-label"
            loading={loading}
            showSearch={{ optionFilterProp: 'label' }}
            value={to}
            onChange={setTo}
            options={candidates.map((c) => ({ value: c.email, label: `${c.name} · ${t(`common:roles.${c.role}`)}${c.team ? ` · ${c.team}` : ''}` }))}
          />
        </Form.Item>
        <Form.Item label={t('reassignReason')} htmlFor="reassign-reason">
          <Input.TextArea id="reassign-reason" value={reason} onChange={(e) => setReason(e.target.value)} autoSize={{ minRows: 2, maxRows: 5 }} maxLength={2000} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
