// The designer's home: every form, rule, template and workflow with its
// kind, title in the user's language, published version, open draft (who,
// when) and whether that draft validates; search and a kind filter; a new
// definition from a starter (a blank rule, a reminder workflow, an outcome
// form, a message template).
import { useMemo, useState } from 'react';
import { Alert, Button, Form, Input, Modal, Radio, Segmented, Space, Tag, Typography } from 'antd';
import type { TableColumnsType } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Link, useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../auth/session';
import { ErrorView, useErrorMessage } from '../../components/ErrorView';
import { Field, Fields, ResponsiveTable } from '../../components/admin/ResponsiveTable';
import { AaTheme } from '../../components/invoices/AaTheme';
import { tagColors } from '../../components/invoices/labels';
import { formatInstant, localeOf } from '../../format';
import { catalogKey, kinds, saveDraft, useDesignerCatalogs, titleOf, useCatalog, type CatalogEntry, type Kind } from '../../designer/data';
import { starterText, starters } from '../../designer/starters';
import '../../designer/designer.css';

export function designerPath(kind: string, name: string): string {
  return `/designer/${kind}/${encodeURIComponent(name)}`;
}

interface NewForm { starter: string; name: string; en: string; zh: string }

function NewDefinition({ taken, onClose }: { taken: Set<string>; onClose(): void }) {
  const { t } = useTranslation('designer');
  const [form] = Form.useForm<NewForm>();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const errorMessage = useErrorMessage();
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (v: NewForm) => {
    const starter = starters.find((s) => s.id === v.starter) ?? starters[0];
    if (!starter) return;
    setBusy(true);
    setError(undefined);
    try {
      await saveDraft(starter.kind, v.name, starterText(starter.id, v.name, v.en.trim(), v.zh.trim()), 0);
      await qc.invalidateQueries({ queryKey: catalogKey });
      navigate(designerPath(starter.kind, v.name));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Modal open title={t('home.newTitle')} okText={t('home.create')} cancelText={t('common:common.cancel')} onCancel={onClose}
      okButtonProps={{ loading: busy }} onOk={() => form.submit()} destroyOnHidden>
      <Form form={form} layout="vertical" initialValues={{ starter: starters[0]?.id }} onFinish={(v) => void submit(v)} requiredMark>
        <Form.Item name="starter" label={t('home.starter')} rules={[{ required: true }]}>
          <Radio.Group>
            <Space orientation="vertical">
              {starters.map((s) => (
                <Radio key={s.id} value={s.id}>
                  <strong>{t(`starter.${s.id}`)}</strong> <span className="designer-muted">{t(`kind.${s.kind}`)}</span>
                </Radio>
              ))}
            </Space>
          </Radio.Group>
        </Form.Item>
        <Form.Item name="name" label={t('home.name')} extra={t('home.nameHelp')} rules={[
          { required: true, message: t('home.nameRequired') },
          { pattern: /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, message: t('home.namePattern') },
          { validator: async (_, v: string) => { if (v && taken.has(`${form.getFieldValue('starter') as string}:${v}`)) throw new Error(t('home.nameTaken')); } },
        ]}>
          <Input autoComplete="off" spellCheck={false} />
        </Form.Item>
        <Form.Item name="en" label={t('home.titleEn')} rules={[{ required: true, whitespace: true, message: t('home.titleRequired') }]}>
          <Input />
        </Form.Item>
        <Form.Item name="zh" label={t('home.titleZh')}>
          <Input />
        </Form.Item>
        {error && <Alert type="error" role="alert" showIcon title={error} />}
      </Form>
    </Modal>
  );
}

function DefinitionsContent() {
  const { t, i18n } = useTranslation('designer');
  const locale = localeOf(i18n);
  const { can } = useSession();
  const q = useCatalog();
  const [search, setSearch] = useState('');
  const [kind, setKind] = useState<Kind | 'all'>('all');
  const [creating, setCreating] = useState(false);
  const items = useMemo(() => {
    const needle = search.trim().toLowerCase();
    return (q.data ?? []).filter((e) => (kind === 'all' || e.kind === kind) &&
      (!needle || e.name.includes(needle) || (e.title.en ?? '').toLowerCase().includes(needle) || (e.title['zh-CN'] ?? '').includes(needle)));
  }, [q.data, search, kind]);
  const taken = useMemo(() => new Set((q.data ?? []).flatMap((e) => starters.filter((s) => s.kind === e.kind).map((s) => `${s.id}:${e.name}`))), [q.data]);

  const title = (e: CatalogEntry) => (
    <Link to={designerPath(e.kind, e.name)} className="designer-title-link">{titleOf(e, i18n.language)}</Link>
  );
  const published = (e: CatalogEntry) => e.published
    ? <span>{t('home.version', { version: e.published.version })} <span className="designer-muted">{formatInstant(e.published.at, locale)}{e.published.by ? ` · ${e.published.by}` : ''}</span></span>
    : <Tag color={tagColors.grey}>{t('home.neverPublished')}</Tag>;
  const draft = (e: CatalogEntry) => e.draft ? (
    <Space size={4} wrap>
      <span>{t('home.version', { version: e.draft.version })}</span>
      {e.draft.valid ? <Tag color={tagColors.green}>{t('home.valid')}</Tag> : <Tag color={tagColors.red}>{t('home.problems', { count: e.draft.problems })}</Tag>}
      <span className="designer-muted">{t('home.draftBy', { by: e.draft.by, at: formatInstant(e.draft.at, locale) })}</span>
    </Space>
  ) : <span className="designer-muted">{t('home.noDraft')}</span>;
  const columns: TableColumnsType<CatalogEntry> = [
    { key: 'kind', title: t('home.kind'), render: (_, e) => <Tag>{t(`kind.${e.kind}`)}</Tag>, width: 110 },
    { key: 'title', title: t('home.titleColumn'), render: (_, e) => <div>{title(e)}<div className="designer-muted designer-code">{e.name}</div></div> },
    { key: 'published', title: t('home.published'), render: (_, e) => published(e) },
    { key: 'draft', title: t('home.draft'), render: (_, e) => draft(e) },
  ];
  const card = (e: CatalogEntry) => (
    <article aria-label={titleOf(e, i18n.language)}>
      <div className="admin-card-head">{title(e)}<Tag>{t(`kind.${e.kind}`)}</Tag></div>
      <div className="designer-muted designer-code" style={{ marginBottom: 8 }}>{e.name}</div>
      <Fields>
        <Field label={t('home.published')}>{published(e)}</Field>
        <Field label={t('home.draft')} wide>{draft(e)}</Field>
      </Fields>
    </article>
  );
  return (
    <Space orientation="vertical" size="middle" style={{ width: '100%' }}>
      <Space wrap align="center" style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={1} style={{ margin: 0 }}>{t('home.title')}</Typography.Title>
        {can('definitions:write') && <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>{t('home.new')}</Button>}
      </Space>
      <Space wrap>
        <Input.Search allowClear aria-label={t('home.search')} placeholder={t('home.search')} value={search} onChange={(e) => setSearch(e.target.value)} style={{ width: 280, maxWidth: '100%' }} />
        <Segmented<Kind | 'all'> aria-label={t('home.kindFilter')} value={kind} onChange={setKind}
          options={[{ value: 'all', label: t('home.all') }, ...kinds.map((k) => ({ value: k, label: t(`kind.${k}`) }))]} />
      </Space>
      {q.isError ? <ErrorView error={q.error} onRetry={() => void q.refetch()} /> : (
        <ResponsiveTable<CatalogEntry> label={t('home.list')} items={items} rowKey={(e) => `${e.kind}/${e.name}`} columns={columns} card={card}
          loading={q.isPending} empty={t('home.empty')} pageSize={50} />
      )}
      {creating && <NewDefinition taken={taken} onClose={() => setCreating(false)} />}
    </Space>
  );
}

export default function DefinitionsPage() {
  const ready = useDesignerCatalogs();
  return <AaTheme>{ready ? <DefinitionsContent /> : null}</AaTheme>;
}
