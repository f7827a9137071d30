// The decision: what each option will do (the API's options on the task
// detail; else the outcome field's labels), then the decision form rendered
// from its definition. The server validates; its field errors are shown
// next to each field by FormRenderer.
import { useMemo, useState } from 'react';
import { Alert, Card } from 'antd';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, ApiError, unwrap, type Schemas } from '../../api/client';
import { FormRenderer, localized, readFormDefinition, type FormDefinition } from '../FormRenderer';
import { useErrorMessage } from '../ErrorView';
import type { ApprovalDetail } from './approvalApi';
import { DecisionPlanPreview } from '../plans/PlanPreview';

type DecisionOption = Schemas['DecisionOption'];
type OptionEffect = Schemas['OptionEffect'];

/** optionsOf lists the decision's options: the API's, or the outcome field's values without effects. */
export function optionsOf(task: ApprovalDetail, def: FormDefinition | undefined): DecisionOption[] {
  if (task.options && task.options.length > 0) return task.options;
  if (!def) return [];
  const field = def.fields.find((f) => f.name === def.outcome_field) ?? def.fields.find((f) => f.type === 'enum');
  return (field?.options ?? []).map((o) => ({
    value: o.value,
    label: typeof o.label === 'string' ? { en: o.label } : { en: o.label?.en, 'zh-CN': o.label?.['zh-CN'] },
    effects: [],
  }));
}

function EffectText({ e }: { e: OptionEffect }) {
  const { t, i18n } = useTranslation('approvals');
  const node = localized(e.title, i18n.language) || e.node || '';
  return <>{t(`effect.${e.kind}`, { node, until: e.until ?? '', reason: e.reason ?? '', field: e.field ?? '', value: e.value ?? '', detail: e.detail ?? '' })}</>;
}

// What was typed in each approval's decision form, kept across remounts:
// the page rebuilds the panel when the window crosses the desk/phone width,
// and a refused decision must not lose the choice made.
const drafts = new Map<number, Record<string, unknown>>();

export function DecisionPanel({ task, onDecided }: { task: ApprovalDetail; onDecided: () => void }) {
  const { t, i18n } = useTranslation('approvals');
  const message = useErrorMessage();
  const def = useMemo(() => (task.form_definition ? readFormDefinition(task.form_definition) : undefined), [task.form_definition]);
  const options = optionsOf(task, def);
  const currency = task.invoice_summary?.currency ?? task.currency;
  const [draft] = useState(() => drafts.get(task.id));
  const [values, setDraftValues] = useState<Record<string, unknown>>(draft ?? {});
  const setValues = (v: Record<string, unknown>) => {
    drafts.set(task.id, v);
    setDraftValues(v);
  };
  const qc = useQueryClient();
  const decide = useMutation({
    mutationFn: async (values: Record<string, unknown>) => unwrap(await api.POST('/api/approvals/{id}/decide', {
      params: { path: { id: task.id } },
      body: { values, locale: i18n.language === 'zh-CN' ? 'zh-CN' : 'en' },
    })),
    onSuccess: () => {
      // A decision may change the invoice at once (a payment plan, a write-off): its page reloads it.
      void qc.invalidateQueries({ queryKey: ['invoices'] });
      onDecided();
    },
  });
  const err = decide.error;
  const fieldErrors = err instanceof ApiError && err.status === 422 ? err.fieldErrors() : undefined;
  const open = task.status === 'open';
  return (
    <Card size="small" title={<h3 className="card-title">{t('decision.title')}</h3>} className="decision-card">
      {!open && <Alert type="info" showIcon title={t('decision.closed', { status: task.status })} style={{ marginBottom: 12 }} />}
      {options.length > 0 && (
        <section aria-labelledby={`opts-${task.id}`}>
          <h4 id={`opts-${task.id}`} className="option-heading">{t('decision.whatEach')}</h4>
          <ul className="option-list">
            {options.map((o) => (
              <li key={o.value}>
                <strong>{localized(o.label, i18n.language) || o.value}</strong>
                {o.effects.length === 0
                  ? <span>{task.options ? t('decision.noEffects') : ''}</span>
                  : o.effects.map((e, i) => (
                    <span key={i}>{i > 0 ? '; ' : '→ '}<EffectText e={e} /></span>
                  ))}
              </li>
            ))}
          </ul>
        </section>
      )}
      {err && !fieldErrors && (
        <Alert type="error" showIcon role="alert" style={{ marginBottom: 12 }}
          title={err instanceof ApiError && err.status === 409 ? t('decision.conflict') : message(err)} />
      )}
      {def
        ? (
          <FormRenderer
            key={task.id}
            definition={def}
            currency={currency}
            onSubmit={(values) => decide.mutate(values)}
            submitting={decide.isPending}
            serverErrors={fieldErrors}
            submitLabel={t('decision.submit')}
            disabled={!open}
            initialValues={draft}
            onValuesChange={setValues}
            beforeActions={open ? <DecisionPlanPreview values={values} invoice={task.invoice} balanceMinor={task.invoice_summary?.balance_minor ?? task.balance_minor} /> : undefined}
          />
        )
        : <Alert type="warning" showIcon title={t('decision.noForm')} />}
    </Card>
  );
}
