// A template's live rendering: a saved version rendered by the server for a
// live invoice in English, Chinese or both (side by side on wide screens),
// as delivery would send it: an email's subject and body, an SMS's length
// and parts, and the formal letter as the PDF it will be.
import { useState } from 'react';
import { Alert, Button, Card, Col, Radio, Row, Space, Tag, Typography } from 'antd';
import { WarningOutlined } from '@ant-design/icons';
import { useMutation } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../components/ErrorView';
import { invoicePath, tagColors } from '../components/invoices/labels';
import type { Kind } from './data';
import { InvoicePicker } from './InvoicePicker';
import type { TryPanelProps } from './TryRulePanel';
import { letterUrl, renderLocales, renderTemplate, type RenderLocale, type TemplateRendering } from './tryData';
import './designerTry.css';

type Choice = RenderLocale | 'both';

interface Rendered {
  locale: RenderLocale;
  rendering?: TemplateRendering;
  error?: unknown;
}

interface RenderRun {
  version: number;
  invoice: string;
  results: Rendered[];
}

export function TemplatePreviewPanel({ kind, name, version, dirty }: TryPanelProps) {
  const { t } = useTranslation('designerTry');
  const errorMessage = useErrorMessage();
  const [invoice, setInvoice] = useState<string>();
  const [choice, setChoice] = useState<Choice>('both');
  const run = useMutation({
    mutationFn: async (req: { version: number; invoice: string; locales: RenderLocale[] }): Promise<RenderRun> => {
      // each language on its own: one failing does not hide the other
      const settled = await Promise.allSettled(req.locales.map((l) => renderTemplate(kind, name, req.version, req.invoice, l)));
      const results = settled.map((s, i): Rendered => {
        const locale = req.locales[i] ?? 'en';
        return s.status === 'fulfilled' ? { locale, rendering: s.value } : { locale, error: s.reason };
      });
      return { version: req.version, invoice: req.invoice, results };
    },
  });
  const canRun = version !== undefined && invoice !== undefined;
  const locales = choice === 'both' ? [...renderLocales] : [choice];
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Typography.Paragraph>{t('render.intro')}</Typography.Paragraph>
      {version === undefined && <Alert type="info" role="note" showIcon title={t('noVersion')} />}
      {dirty && version !== undefined && <Alert type="warning" role="note" showIcon title={t('dirtyRender', { version })} />}
      <InvoicePicker value={invoice} onChange={(n) => setInvoice(n)} />
      <Radio.Group aria-label={t('render.languages')} value={choice} onChange={(e) => setChoice(e.target.value as Choice)}
        optionType="button" options={[
          { value: 'both', label: t('render.both') },
          ...renderLocales.map((l) => ({ value: l, label: t(`language.${l}`) })),
        ]} />
      <Space wrap>
        <Button type="primary" disabled={!canRun} loading={run.isPending}
          onClick={() => canRun && run.mutate({ version, invoice, locales })}>
          {version === undefined ? t('render.runNoVersion') : t('render.run', { version })}
        </Button>
        {version !== undefined && invoice === undefined && <Typography.Text className="designer-muted">{t('try.pickFirst')}</Typography.Text>}
      </Space>
      {run.isError && <Alert type="error" role="alert" showIcon title={errorMessage(run.error)} />}
      {run.data && !run.isPending && <RenderResults kind={kind} name={name} run={run.data} />}
    </Space>
  );
}

function RenderResults({ kind, name, run }: { kind: Kind; name: string; run: RenderRun }) {
  const { t } = useTranslation('designerTry');
  const errorMessage = useErrorMessage();
  const wide = run.results.length > 1 ? 12 : 24;
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <Space wrap size={12}>
        <Typography.Text>{t('render.evaluated', { version: run.version, invoice: run.invoice })}</Typography.Text>
        <Link to={invoicePath(run.invoice)}>{t('openInvoice', { invoice: run.invoice })}</Link>
      </Space>
      <Row gutter={[12, 12]}>
        {run.results.map((r) => (
          <Col key={r.locale} xs={24} xl={wide}>
            <section aria-label={t(`language.${r.locale}`)}>
              <Card size="small" title={t(`language.${r.locale}`)}>
                {r.rendering
                  ? <Rendering kind={kind} name={name} version={run.version} invoice={run.invoice} locale={r.locale} rendering={r.rendering} />
                  : <Alert type="error" role="alert" showIcon title={errorMessage(r.error)} />}
              </Card>
            </section>
          </Col>
        ))}
      </Row>
    </Space>
  );
}

interface RenderingProps {
  kind: Kind;
  name: string;
  version: number;
  invoice: string;
  locale: RenderLocale;
  rendering: TemplateRendering;
}

/** Rendering is one language's message: channel, subject and body, SMS length, letter. */
export function Rendering({ kind, name, version, invoice, locale, rendering: r }: RenderingProps) {
  const { t } = useTranslation('designerTry');
  const isSms = r.channel === 'sms' || r.sms !== undefined;
  const hasLetter = r.letter || r.channel === 'letter';
  const pdf = letterUrl(kind, name, version, invoice, locale);
  return (
    <Space orientation="vertical" style={{ width: '100%' }}>
      <dl className="try-dl">
        <dt>{t('render.channel')}</dt>
        <dd>{r.channel ? <Tag color={tagColors.blue}>{t(`channel.${r.channel}`, { defaultValue: r.channel })}</Tag> : <span className="designer-muted">{t('render.channelUnset')}</span>}</dd>
        {(!isSms || r.subject !== '') && <>
          <dt>{t('render.subject')}</dt>
          <dd lang={locale}>{r.subject || <span className="designer-muted">{t('render.noSubject')}</span>}</dd>
        </>}
        <dt>{t('render.body')}</dt>
        <dd><pre className="try-body" lang={locale}>{r.body}</pre></dd>
      </dl>
      {r.sms && <section>
        <Typography.Title level={3} className="designer-h3">{t('render.sms')}</Typography.Title>
        <dl className="try-dl">
          <dt>{t('render.characters')}</dt>
          <dd>{r.sms.characters}</dd>
          <dt>{t('render.segments')}</dt>
          <dd>
            <Space wrap size={8}>
              <span>{r.sms.segments}</span>
              {r.sms.segments > 1 && <Tag color={tagColors.gold} icon={<WarningOutlined />}>{t('render.segmentWarning', { count: r.sms.segments })}</Tag>}
            </Space>
            {r.sms.segments > 1 && <div className="designer-muted">{t('render.segmentHelp')}</div>}
          </dd>
          <dt>{t('render.encoding')}</dt>
          <dd>{r.sms.encoding}</dd>
        </dl>
      </section>}
      {hasLetter && <section>
        <Typography.Title level={3} className="designer-h3">{t('render.letter')}</Typography.Title>
        <Space wrap size={16} style={{ marginBottom: 8 }}>
          <a href={pdf} download={`${name}-v${version}-${invoice.replace(/[^A-Za-z0-9._-]+/g, '_')}-${locale}.pdf`}>{t('render.download')}</a>
          <a href={pdf} target="_blank" rel="noopener noreferrer">{t('render.openPdf')}</a>
        </Space>
        <iframe className="try-letter" src={pdf} title={t('render.letterFrame', { name, version, invoice, language: t(`language.${locale}`) })} />
      </section>}
    </Space>
  );
}
