// "Try it on an invoice": a saved version of a rule evaluated now on a live
// invoice by the server, with the evaluator the tick uses. It shows whether
// the rule matches, the evaluation error if any, every value its condition
// read and the effects its actions would take. The server evaluates a
// saved version: unsaved text in the editor is not what is tried, and the
// panel says so.
import { useId, useState } from 'react';
import { Alert, Button, Empty, Space, Table, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../components/ErrorView';
import { invoicePath } from '../components/invoices/labels';
import { formatInstant, localeOf } from '../format';
import type { Kind } from './data';
import { InvoicePicker } from './InvoicePicker';
import { tryRule, type RuleTry } from './tryData';
import './designerTry.css';

/** TryPanelProps are what the try and render tabs need from the designer. */
export interface TryPanelProps {
  kind: Kind;
  name: string;
  /** the saved version the editor's text is based on; undefined before the first save */
  version: number | undefined;
  /** the editor holds changes that are not saved */
  dirty: boolean;
}

type Value = RuleTry['values'][number] & { key: string };
type Effect = RuleTry['effects'][number] & { key: string };

export function TryRulePanel({ kind, name, version, dirty }: TryPanelProps) {
  const { t } = useTranslation('designerTry');
  const errorMessage = useErrorMessage();
  const [invoice, setInvoice] = useState<string>();
  const run = useMutation({
    mutationFn: (req: { version: number; invoice: string }) => tryRule(kind, name, req.version, req.invoice).then((result) => ({ ...req, result })),
  });
  const canRun = version !== undefined && invoice !== undefined;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('try.intro')}</Typography.Paragraph>
      {version === undefined && <Alert type="info" role="note" showIcon title={t('noVersion')} />}
      {dirty && version !== undefined && <Alert type="warning" role="note" showIcon title={t('dirty', { version })} />}
      <InvoicePicker value={invoice} onChange={(n) => setInvoice(n)} />
      <Space wrap>
        <Button type="primary" disabled={!canRun} loading={run.isPending}
          onClick={() => canRun && run.mutate({ version, invoice })}>
          {version === undefined ? t('try.runNoVersion') : t('try.run', { version })}
        </Button>
        {version !== undefined && invoice === undefined && <Typography.Text className="designer-muted">{t('try.pickFirst')}</Typography.Text>}
      </Space>
      {run.isError && <Alert type="error" role="alert" showIcon title={errorMessage(run.error)} />}
      {run.data && !run.isPending && <TryResult version={run.data.version} result={run.data.result} />}
    </Space>
  );
}

/** TryResult is what a version of a rule made of one invoice. */
export function TryResult({ version, result }: { version: number; result: RuleTry }) {
  const { t, i18n } = useTranslation('designerTry');
  const invoice = result.invoice;
  const valuesId = useId();
  const effectsId = useId();
  const values = result.values.map((v, i) => ({ ...v, key: `${i}` }));
  const effects = result.effects.map((e, i) => ({ ...e, key: `${i}` }));
  const verdict = result.error
    ? { type: 'error' as const, title: t('try.failed', { invoice }) }
    : result.matched
      ? { type: 'success' as const, title: t('try.matched', { invoice }) }
      : { type: 'info' as const, title: t('try.notMatched', { invoice }) };
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap size={12}>
        <Typography.Text>{t('try.evaluated', { version, invoice, at: formatInstant(result.at, localeOf(i18n)) })}</Typography.Text>
        <Link to={invoicePath(invoice)}>{t('openInvoice', { invoice })}</Link>
      </Space>
      <div role="status">
        <Alert className="try-verdict" type={verdict.type} showIcon title={verdict.title}
          description={result.error ? <pre className="try-body designer-code">{result.error}</pre> : undefined} />
      </div>
      <section aria-labelledby={valuesId}>
        <Typography.Title level={3} className="designer-h3" id={valuesId}>{t('try.values')}</Typography.Title>
        {result.values.length === 0 ? <Typography.Text className="designer-muted">{t('try.noValues')}</Typography.Text> : (
          <Table<Value> size="small" pagination={false} rowKey="key" dataSource={values} aria-label={t('try.values')}
            columns={[
              { key: 'path', title: t('try.path'), render: (_, v) => <span className="designer-code">{v.path}</span> },
              { key: 'value', title: t('try.value'), render: (_, v) => <span className="designer-code">{v.value}</span> },
            ]} />
        )}
      </section>
      <section aria-labelledby={effectsId}>
        <Typography.Title level={3} className="designer-h3" id={effectsId}>{t('try.effects')}</Typography.Title>
        {result.effects.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={result.matched && !result.error ? t('try.effectsEmpty') : t('try.effectsNone')} />
        ) : (
          <Table<Effect> size="small" pagination={false} rowKey="key" dataSource={effects} aria-label={t('try.effects')}
            columns={[
              { key: 'kind', title: t('try.kind'), render: (_, e) => t(`effect.${e.kind}`, { defaultValue: e.kind }) },
              { key: 'summary', title: t('try.summary'), render: (_, e) => e.summary },
            ]} />
        )}
      </section>
    </Space>
  );
}
