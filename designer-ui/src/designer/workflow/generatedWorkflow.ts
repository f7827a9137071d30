// A generated workflow of any size, for the layout's test and benchmark.

/** generatedWorkflow writes a Workflow with n stages: reminders, calls with outcomes, approvals, waits. */
export function generatedWorkflow(n: number): string {
  const lines = [
    'apiVersion: recoup/v1',
    'kind: Workflow',
    'metadata: {name: generated, title: {en: Generated, zh-CN: 生成}}',
    'spec:',
    '  on: invoice',
    '  start_when: invoice.balance > 0 && invoice.days_overdue >= 1',
    '  stop_when: invoice.balance <= 0',
    '  pause_when:',
    '    - {when: invoice.disputed, reason: dispute}',
    '  nodes:',
  ];
  for (let i = 0; i < n; i++) {
    lines.push(`    - name: stage${i}`, `      title: {en: Stage ${i}, zh-CN: 阶段${i}}`);
    lines.push(`      when: invoice.days_overdue >= ${i * 3 + 1} && invoice.days_overdue <= ${i * 3 + 3}`);
    switch (i % 4) {
      case 0:
        lines.push('      actions:', '        - notify: {channel: email, to: customer.email, template: reminder-email}');
        break;
      case 1:
        lines.push(
          '      task:',
          '        role: sales_rep',
          '        form: call-outcome',
          '        due_in: 2d',
          '        outcomes:',
          '          promised: {wait_until: form.promised_date, record: promise}',
          '          disputed: {pause: dispute, record: dispute}',
          '          default: {next: true}',
        );
        break;
      case 2:
        lines.push(
          '      approval:',
          '        role: finance_director',
          '        form: escalation-decision',
          '        outcomes:',
          '          write_off: {complete: true}',
          `          retry: {goto: stage${i - 1}}`,
          '          continue: {wait_until: addDays(today, 14)}',
        );
        break;
      default:
        lines.push('      after: 3d');
    }
  }
  return lines.join('\n') + '\n';
}
