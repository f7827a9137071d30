// The validator's problems under the editor: each with its line and
// column; choosing one puts the cursor there.
import { Button, List, Typography } from 'antd';
import { CheckCircleOutlined, CloseCircleOutlined } from '@ant-design/icons';
import { useTranslation } from 'react-i18next';
import type { Problem } from './data';

export function ProblemsPanel({ problems, checking, onGo }: { problems: Problem[] | undefined; checking: boolean; onGo(line: number, column: number): void }) {
  const { t } = useTranslation('designer');
  const count = problems?.length ?? 0;
  return (
    <section aria-label={t('problems.title')} className="designer-problems">
      <div className="designer-problems-head" aria-live="polite">
        {problems === undefined ? <span className="designer-muted">{t('problems.checking')}</span>
          : count === 0 ? <span className="designer-ok"><CheckCircleOutlined /> {t('problems.none')}</span>
            : <span className="designer-bad"><CloseCircleOutlined /> {t('problems.count', { count })}</span>}
        {checking && problems !== undefined && <span className="designer-muted"> · {t('problems.checking')}</span>}
      </div>
      {count > 0 && (
        <List size="small" dataSource={problems} renderItem={(p) => (
          <List.Item>
            {p.line && !p.source ? (
              <Button type="link" size="small" className="designer-problem" onClick={() => onGo(p.line ?? 1, p.column ?? 1)}
                aria-label={t('problems.goTo', { line: p.line, column: p.column ?? 1, message: p.message })}>
                <span className="designer-code">{p.line}:{p.column ?? 1}</span> {p.message}
              </Button>
            ) : (
              <Typography.Text><span className="designer-code">{p.source ?? ''}{p.line ? `:${p.line}:${p.column ?? 1}` : ''}</span> {p.message}</Typography.Text>
            )}
          </List.Item>
        )} />
      )}
    </section>
  );
}
