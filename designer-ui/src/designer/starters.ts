// The texts a new definition starts from: a blank rule, a reminder
// workflow, an outcome form, a message template. NAME and the titles are
// filled in; everything else is the admin's to change.
import type { Kind } from './data';

export interface Starter {
  id: string;
  kind: Kind;
}

export const starters: Starter[] = [
  { id: 'blankRule', kind: 'Rule' },
  { id: 'reminderWorkflow', kind: 'Workflow' },
  { id: 'outcomeForm', kind: 'Form' },
  { id: 'emailTemplate', kind: 'Template' },
];

const q = (s: string) => JSON.stringify(s);

/** starterText is the starter's YAML for a definition called name with titles in both languages. */
export function starterText(id: string, name: string, en: string, zh: string): string {
  const head = (kind: Kind) => `apiVersion: recoup/v1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  title: {en: ${q(en)}, zh-CN: ${q(zh || en)}}\n`;
  switch (id) {
    case 'reminderWorkflow':
      return `${head('Workflow')}spec:
  on: invoice
  start_when: invoice.balance > 0 && invoice.days_overdue >= 1
  stop_when: invoice.balance <= 0
  nodes:
    - name: reminder
      title: {en: Reminder, zh-CN: 提醒}
      when: invoice.days_overdue >= 1 && invoice.days_overdue <= 7
      actions:
        - notify: {channel: email, to: customer.email, template: reminder-email}
    - name: call
      title: {en: Phone call, zh-CN: 电话催收}
      when: invoice.days_overdue >= 8
      task:
        assignee: customer.owner_email
        template: call-task
        form: call-outcome
        due_in: 2d
        outcomes:
          default: {next: true}
`;
    case 'outcomeForm':
      return `${head('Form')}spec:
  fields:
    - name: outcome
      type: enum
      label: {en: Outcome, zh-CN: 结果}
      required: true
      options:
        - {value: reached, label: {en: Reached, zh-CN: 已联系}}
        - {value: no_answer, label: {en: No answer, zh-CN: 无人接听}}
    - name: comment
      type: text
      label: {en: Comment, zh-CN: 备注}
`;
    case 'emailTemplate':
      return `${head('Template')}spec:
  channel: email
  subject:
    en: "Invoice {{.invoice.number}}"
    zh-CN: "发票 {{.invoice.number}}"
  body:
    en: |
      Dear {{.customer.name}},
    zh-CN: |
      尊敬的{{.customer.name}}：
`;
    default:
      return `${head('Rule')}spec:
  on: invoice
  when: invoice.balance > 0 && invoice.days_overdue > 60
  then:
    - set: {customer.risk: high}
`;
  }
}
