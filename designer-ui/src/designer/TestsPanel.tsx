// The example pack's test cases (rules-examples/tests, stored by `recoup
// apply`) run by the server against a saved version in place of the
// published one: passed and failed counts, every case with its file:line
// and, when it failed, the expected (-) and got (+) lines. TestsSummary
// runs them by itself for the publish dialog and warns when a case breaks.
import { useState } from 'react';
import { Alert, Button, Checkbox, Empty, Space, Spin, Tag, Typography } from 'antd';
import { useMutation, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap, type Schemas } from '../api/client';
import { useErrorMessage } from '../components/ErrorView';
import type { Kind } from './data';
import './designer.css';
import './simulate.css';

export type TestRun = Schemas['TestRun'];
export type TestCase = Schemas['TestCaseResult'];

/** runTests runs the stored test cases with version in place of the published one. */
export async function runTests(kind: Kind, name: string, version: number): Promise<TestRun> {
  return unwrap(await api.POST('/api/definitions/{kind}/{name}/tests', { params: { path: { kind, name } }, body: { version } }));
}

/** FailureMessage shows a failed case's message, its expected (-) and got (+) lines marked. */
function FailureMessage({ message }: { message: string }) {
  return (
    <pre className="sim-diff">
      {message.split('\n').map((line, i) => {
        const cls = line.startsWith('- ') || line === '-' ? 'sim-diff-del' : line.startsWith('+ ') || line === '+' ? 'sim-diff-add' : undefined;
        return <span key={i} className={cls}>{line}{'\n'}</span>;
      })}
    </pre>
  );
}

/** TestResults lists a run: the counts, then every case, failures first when asked. */
export function TestResults({ run }: { run: TestRun }) {
  const { t } = useTranslation('designerSim');
  const [onlyFailed, setOnlyFailed] = useState(false);
  const items = onlyFailed ? run.items.filter((c) => !c.passed) : run.items;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <div role="status" className="sim-counts">
        <Tag color={run.failed > 0 ? '#a8071a' : '#2b6a0c'}>{t('tests.counts', { passed: run.passed, failed: run.failed, version: run.version })}</Tag>
      </div>
      {run.items.length === 0 ? <Empty description={t('tests.none')} image={Empty.PRESENTED_IMAGE_SIMPLE} /> : (
        <>
          <Checkbox checked={onlyFailed} onChange={(e) => setOnlyFailed(e.target.checked)} disabled={run.failed === 0}>{t('tests.onlyFailed')}</Checkbox>
          <ul className="sim-cases" aria-label={t('tests.cases')}>
            {items.map((c) => (
              <li key={`${c.file}:${c.line}`} className="sim-case">
                <div className="sim-case-head">
                  <Tag color={c.passed ? '#2b6a0c' : '#a8071a'}>{c.passed ? t('tests.pass') : t('tests.fail')}</Tag>
                  <span className="designer-label">{c.name}</span>
                  <span className="designer-code designer-muted">{c.file}:{c.line}</span>
                </div>
                {!c.passed && c.message && <FailureMessage message={c.message} />}
              </li>
            ))}
          </ul>
        </>
      )}
    </Space>
  );
}

export interface TestsPanelProps {
  kind: Kind;
  name: string;
  /** the saved version the editor is based on; undefined before the first save */
  version: number | undefined;
  /** the editor holds changes not saved yet (not in the run) */
  dirty?: boolean;
}

/** TestsPanel runs the test cases against the saved version on demand. */
export function TestsPanel({ kind, name, version, dirty }: TestsPanelProps) {
  const { t } = useTranslation('designerSim');
  const errorMessage = useErrorMessage();
  const run = useMutation({ mutationFn: (v: number) => runTests(kind, name, v) });
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('tests.intro')}</Typography.Paragraph>
      {version === undefined && <Alert type="info" showIcon title={t('saveFirst')} />}
      {version !== undefined && dirty && <Alert type="info" showIcon title={t('unsaved', { version })} />}
      <Button type="primary" disabled={version === undefined} loading={run.isPending} onClick={() => version !== undefined && run.mutate(version)}>
        {version === undefined ? t('tests.runNone') : t('tests.run', { version })}
      </Button>
      {run.isError && <Alert type="error" role="alert" showIcon title={errorMessage(run.error)} />}
      {run.data && <TestResults run={run.data} />}
    </Space>
  );
}

/**
 * TestsSummary runs the test cases against version as soon as it shows
 * (for the publish dialog) and warns when any case fails.
 */
export function TestsSummary({ kind, name, version }: { kind: Kind; name: string; version: number }) {
  const { t } = useTranslation('designerSim');
  const errorMessage = useErrorMessage();
  const q = useQuery({ queryKey: ['designer', 'tests', kind, name, version], queryFn: () => runTests(kind, name, version), staleTime: 30_000 });
  if (q.isPending) return <Space><Spin size="small" /><span role="status" className="designer-muted">{t('tests.running')}</span></Space>;
  if (q.isError) return <Alert type="error" role="alert" showIcon title={t('tests.couldNotRun', { message: errorMessage(q.error) })} />;
  const run = q.data;
  if (run.items.length === 0) return <Alert type="info" role="status" showIcon title={t('tests.none')} />;
  if (run.failed === 0) return <Alert type="success" role="status" showIcon title={t('tests.allPass', { count: run.passed, version })} />;
  return (
    <Alert
      type="warning"
      role="alert"
      showIcon
      title={t('tests.breaks', { count: run.failed, version })}
      description={(
        <ul className="sim-breaks">
          {run.items.filter((c) => !c.passed).map((c) => (
            <li key={`${c.file}:${c.line}`}>{c.name} <span className="designer-code designer-muted">{c.file}:{c.line}</span></li>
          ))}
        </ul>
      )}
    />
  );
}
