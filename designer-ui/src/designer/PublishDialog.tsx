// Publishing a draft: the text is saved first when it changed, then the
// dialog shows what publishing would change in today's tick (the impact
// preview) and how the example pack's test cases fare with it (a failing
// case warns), and publishes with a note.
import { useEffect, useState, type ReactNode } from 'react';
import { Alert, Input, Modal, Space, Typography } from 'antd';
import { useMutation } from '@tanstack/react-query';
import { App } from 'antd';
import { useTranslation } from 'react-i18next';
import { useErrorMessage } from '../components/ErrorView';
import { ImpactSummary } from './ImpactPanel';
import { previewVersion, publishVersion, type Definition, type Kind } from './data';

export function PublishDialog({ kind, name, dirty, base, save, onClose, onPublished, testsPanel }: {
  kind: Kind; name: string; dirty: boolean; base: Definition | undefined;
  save(): Promise<Definition | undefined>;
  onClose(): void;
  onPublished(): Promise<void>;
  /** the test cases run against the version, when the server can run them */
  testsPanel?: (version: number) => ReactNode;
}) {
  const { t } = useTranslation('designer');
  const { message } = App.useApp();
  const errorMessage = useErrorMessage();
  const [version, setVersion] = useState<number | undefined>(dirty ? undefined : base?.version);
  const [saveFailed, setSaveFailed] = useState(false);
  const [note, setNote] = useState('');
  useEffect(() => {
    if (!dirty) return;
    void save().then((d) => (d ? setVersion(d.version) : setSaveFailed(true)));
    // save once, when the dialog opens
  }, []);
  const preview = useMutation({ mutationFn: (v: number) => previewVersion(kind, name, v) });
  useEffect(() => {
    if (version !== undefined) preview.mutate(version);
    // run the preview once the version is known
  }, [version]);
  const publish = useMutation({
    mutationFn: (v: number) => publishVersion(kind, name, v, note),
    onSuccess: async (out) => {
      void message.success(t('publish.done', { version: out.version }));
      await onPublished();
    },
  });
  const alreadyPublished = base?.status === 'published' && !dirty;
  return (
    <Modal open width={880} title={t('publish.title', { name })} onCancel={onClose} okText={t('publish.confirm')} cancelText={t('common:common.cancel')}
      okButtonProps={{ disabled: version === undefined || alreadyPublished, loading: publish.isPending }} onOk={() => version !== undefined && publish.mutate(version)}>
      <Space orientation="vertical" style={{ width: '100%' }}>
        {dirty && version === undefined && !saveFailed && <Typography.Text>{t('publish.saving')}</Typography.Text>}
        {saveFailed && <Alert type="error" role="alert" showIcon title={t('publish.saveFailed')} />}
        {alreadyPublished && <Alert type="info" showIcon title={t('publish.already', { version: base.version })} />}
        {version !== undefined && !alreadyPublished && (
          <>
            <Typography.Paragraph>{t('publish.intro', { version })}</Typography.Paragraph>
            {preview.isPending && <Typography.Text>{t('impact.running')}</Typography.Text>}
            {preview.isError && <Alert type="error" showIcon title={errorMessage(preview.error)} />}
            {preview.data && <ImpactSummary preview={preview.data} />}
            {testsPanel?.(version)}
          </>
        )}
        <label className="designer-label" htmlFor="publish-note">{t('publish.note')}</label>
        <Input.TextArea id="publish-note" value={note} onChange={(e) => setNote(e.target.value)} maxLength={500} rows={2} placeholder={t('publish.notePlaceholder')} />
        {publish.isError && <Alert type="error" role="alert" showIcon title={errorMessage(publish.error)} />}
      </Space>
    </Modal>
  );
}
