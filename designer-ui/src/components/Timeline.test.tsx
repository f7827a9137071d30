import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cleanup, render, screen } from '@testing-library/react';
import i18n from '../i18n';
import { Timeline, caseAdjustment, zoneOfInstant, type TimelineEffect } from './Timeline';
import { stubBrowser } from '../testStubs';

beforeAll(() => {
  stubBrowser();
});
afterEach(cleanup);

// Effects as the store records them (detail and trace as in the demo database).
const effects: TimelineEffect[] = [
  {
    at: '2026-12-07T06:02:43+08:00', key: 'k1', kind: 'set', source: 'risk-tier-high', version: 1,
    field: 'customer.risk', value: 'high', old_value: 'low',
    detail: { kind: 'set' },
    trace: [{ name: 'invoice.balance', value: 1217235 }, { name: 'invoice.currency', value: 'CNY' }, { name: 'payments.late_invoices_12m', value: 8 }],
  },
  {
    at: '2026-12-07T06:02:44+08:00', key: 'k2', kind: 'task', source: 'overdue-escalation/call', version: 1,
    detail: { title: 'Call 新达科技 about INV-0000003 (44 days overdue)', assignee: 'rep3.west@demo.recoup.test' },
    trace: [{ name: 'invoice.days_overdue', value: 44 }],
  },
  {
    at: '2026-12-07T06:02:45+08:00', key: 'k3', kind: 'notify', source: 'risk-tier-high', version: 1,
    detail: { channel: 'in_app', to_role: 'sales_manager', body: '长城科技已列为高风险' }, trace: [],
  },
  {
    at: '2026-12-07T06:02:42+08:00', key: 'k4', kind: 'node', source: 'overdue-escalation', version: 1,
    detail: { workflow: 'overdue-escalation', event: 'started' }, trace: [],
  },
];

function order(): string[] {
  return [...document.querySelectorAll('.timeline-title')].map((e) => e.textContent ?? '');
}

describe('Timeline', () => {
  it('en: effects with why, activity, messages and payments, newest first, in the company zone', async () => {
    await i18n.changeLanguage('en');
    render(
      <Timeline
        effects={effects}
        currency="CNY"
        activity={[
          { at: '2026-12-08T10:00:00+08:00', actor: 'rep1.east@demo.recoup.test', actor_name: 'Rep One', action: 'task.completed', detail: { values: { outcome: 'promised', promised_date: '2027-01-15' } } },
          { at: '2026-12-08T09:00:00+08:00', actor: 'rep1.east@demo.recoup.test', action: 'task.comment', detail: { text: 'Called, will pay in January' } },
        ]}
        messages={[{ id: 9, created_at: '2026-12-07T07:00:00+08:00', channel: 'email', recipient: 'ap@customer.test', subject: 'Invoice INV-1 is overdue', body: 'Please pay CN¥95.39.', status: 'sent' }]}
        payments={[{ reference: 'PAY-1', amount_minor: 5000, currency: 'CNY', paid_at: '2026-12-09T08:00:00+08:00' }]}
      />,
    );
    expect(order()).toEqual([
      'Payment received CN¥50.00',
      'Rep One completed the task',
      'rep1.east@demo.recoup.test commented',
      'Message (email) to ap@customer.test sent',
      'Notification (in-app) to Sales manager',
      'Task created: Call 新达科技 about INV-0000003 (44 days overdue)',
      'Customer risk changed from Low to High',
      'Workflow overdue-escalation started',
    ]);
    // the why: the values the condition saw, money in the invoice's currency
    expect(screen.getAllByText('Why: the values the condition saw').length).toBe(2);
    expect(screen.getByText('CN¥12,172.35')).toBeTruthy();
    expect(screen.getByText('44')).toBeTruthy();
    // texts people and customers saw
    expect(screen.getByText('Called, will pay in January')).toBeTruthy();
    expect(screen.getByText('Please pay CN¥95.39.')).toBeTruthy();
    expect(screen.getByText('2027-01-15')).toBeTruthy();
    expect(screen.getByText('For rep3.west@demo.recoup.test')).toBeTruthy();
    // times in the zone the server wrote (the company's): 06:02 in Shanghai
    const time = document.querySelector('time[datetime="2026-12-07T06:02:44+08:00"]');
    expect(time?.textContent).toMatch(/06:02/);
  });

  it('zh-CN: the same in Chinese', async () => {
    await i18n.changeLanguage('zh-CN');
    render(<Timeline effects={effects} currency="CNY" payments={[{ reference: 'PAY-1', amount_minor: 5000, currency: 'CNY', paid_at: '2026-12-09T08:00:00+08:00' }]} />);
    expect(order()).toEqual([
      '收到回款 ¥50.00',
      '已发送通知（站内）给 销售经理',
      '已创建任务：Call 新达科技 about INV-0000003 (44 days overdue)',
      '客户风险 由 低 改为 高',
      '流程 overdue-escalation 已启动',
    ]);
    expect(screen.getAllByText('原因：条件判断时看到的数值').length).toBe(2);
    expect(screen.getByText('流水号 PAY-1')).toBeTruthy();
    await i18n.changeLanguage('en');
  });

  it('zh-CN: a completed task\'s values as its form names the fields and options', async () => {
    await i18n.changeLanguage('zh-CN');
    render(<Timeline activity={[{
      at: '2026-12-08T10:00:00+08:00', actor: 'director@demo.recoup.test', actor_name: 'Dora Director', action: 'task.completed',
      detail: { values: { decision: 'payment_plan', installments: 7, first_installment_date: '2026-12-21', urgent: true } },
      fields: {
        decision: { label: { en: 'Decision', 'zh-CN': '决定' }, type: 'enum', options: { payment_plan: { en: 'Payment plan', 'zh-CN': '分期付款' } } },
        installments: { label: { en: 'Installments', 'zh-CN': '分期期数' }, type: 'number' },
        first_installment_date: { label: { en: 'First installment', 'zh-CN': '首期日期' }, type: 'date' },
        urgent: { label: { en: 'Urgent', 'zh-CN': '紧急' }, type: 'bool' },
      },
    }]} />);
    const pairs = [...document.querySelectorAll('.timeline-values > div')].map((d) => `${d.querySelector('dt')?.textContent}=${d.querySelector('dd')?.textContent}`);
    expect(pairs).toEqual(['决定=分期付款', '分期期数=7', '首期日期=2026年12月21日', '紧急=是']);
    await i18n.changeLanguage('en');
  });

  it('a write-off, an adjustment and a reversal, in both languages', async () => {
    const props = {
      effects: [{
        at: '2026-12-09T10:00:00+08:00', key: 'w1', kind: 'write_off', source: 'overdue-escalation/director', version: 2,
        detail: { write_off: { minor: 123456, currency: 'CNY' }, reason: 'Customer insolvent' }, trace: [],
      }],
      activity: [
        { at: '2026-12-09T09:00:00+08:00', actor: 'finance1@demo.recoup.test', actor_name: 'Fay Finance', action: 'invoice.adjusted',
          detail: { kind: 'credit_note', key: 'CN-7', amount_minor: 5000, currency: 'CNY', reason: 'Damaged goods', approved_by: 'finance1@demo.recoup.test' } },
        { at: '2026-12-09T08:00:00+08:00', actor: 'finance1@demo.recoup.test', actor_name: 'Fay Finance', action: 'payment.reversed',
          detail: { reference: 'PAY-9', amount_minor: 7000, currency: 'CNY', reason: 'Transfer bounced' } },
      ],
    };
    await i18n.changeLanguage('en');
    const { unmount } = render(<Timeline {...props} />);
    expect(order()).toEqual(['Written off CN¥1,234.56', 'Fay Finance recorded an adjustment: Credit note', 'Fay Finance reversed payment PAY-9']);
    for (const text of ['Customer insolvent', 'Damaged goods', 'Transfer bounced', 'CN¥50.00', 'CN¥70.00']) expect(screen.getByText(text)).toBeTruthy();
    unmount();
    await i18n.changeLanguage('zh-CN');
    render(<Timeline {...props} />);
    expect(order()).toEqual(['已核销 ¥1,234.56', 'Fay Finance 登记了调整：贷项通知单', 'Fay Finance 撤销了回款 PAY-9']);
    await i18n.changeLanguage('en');
  });

  it('disputes, legal cases and holds: their outcomes, reasons and records in the user\'s language, not as codes', async () => {
    const reasons = [
      { code: 'pricing', en: 'Pricing', 'zh-CN': '价格有误', retired: false },
      { code: 'late_delivery', en: 'Late delivery', 'zh-CN': '延迟交货', retired: true },
    ];
    const fay = { actor: 'finance1@demo.recoup.test', actor_name: 'Fay Finance' };
    const activity = [
      { at: '2026-12-09T12:00:00+08:00', ...fay, action: 'invoice.hold_released', detail: { reason: 'legal' } },
      { at: '2026-12-09T11:00:00+08:00', ...fay, action: 'legal_case.closed', detail: { status: 'settled', notes: '' } },
      { at: '2026-12-09T10:30:00+08:00', ...fay, action: 'invoice.adjusted',
        detail: { kind: 'settlement', key: 'legal/2/settled', amount_minor: 3000, currency: 'CNY', reason: 'legal case settled: ', approved_by: fay.actor } },
      { at: '2026-12-09T10:00:00+08:00', ...fay, action: 'invoice.hold_placed', detail: { reason: 'legal' } },
      { at: '2026-12-09T09:30:00+08:00', ...fay, action: 'invoice.adjusted',
        detail: { kind: 'credit_note', key: 'dispute/1', amount_minor: 10000, currency: 'CNY', reason: 'dispute upheld: price list checked', approved_by: fay.actor } },
      { at: '2026-12-09T09:00:00+08:00', ...fay, action: 'dispute.resolved', detail: { status: 'upheld', note: 'price list checked' } },
      { at: '2026-12-09T08:30:00+08:00', actor: 'rep1.east@demo.recoup.test', action: 'dispute.opened', detail: { reason: 'late_delivery', description: '' } },
      { at: '2026-12-09T08:00:00+08:00', actor: 'rep1.east@demo.recoup.test', action: 'dispute.opened', detail: { reason: 'pricing', description: 'unit price 12.00' } },
      { at: '2026-12-09T07:00:00+08:00', ...fay, action: 'invoice.hold_placed', detail: { reason: 'customer in administration' } },
    ];
    const texts = () => [...document.querySelectorAll('.timeline-entry')].map((e) => [...e.children].slice(1).map((c) => c.textContent).join(' | '));
    await i18n.changeLanguage('zh-CN');
    render(<Timeline activity={activity} disputeReasons={reasons} />);
    expect(order()).toEqual([
      'Fay Finance 解除了暂停', 'Fay Finance 结案：已和解', 'Fay Finance 登记了调整：和解减免', 'Fay Finance 暂停了此发票的催收',
      'Fay Finance 登记了调整：贷项通知单', 'Fay Finance 处理了异议：成立', 'rep1.east@demo.recoup.test 登记了异议', 'rep1.east@demo.recoup.test 登记了异议',
      'Fay Finance 暂停了此发票的催收',
    ]);
    expect(texts()).toEqual([
      '法律案件已结案，法律暂停解除', '', '¥30.00 · 法律案件 #2 已和解', '因法律案件暂停：不再联系客户',
      '¥100.00 · 异议 #1 成立 | price list checked', 'price list checked', '异议原因：延迟交货', '异议原因：价格有误 | unit price 12.00',
      'customer in administration',
    ]);
    cleanup();
    await i18n.changeLanguage('en');
    render(<Timeline activity={activity} disputeReasons={reasons} />);
    expect(order()[1]).toBe('Fay Finance closed the legal case: settled');
    expect(order()[5]).toBe('Fay Finance resolved the dispute: upheld');
    expect(texts().slice(0, 8)).toEqual([
      'The legal case is closed: its hold is lifted', '', 'CN¥30.00 · Legal case #2, settled', 'Held for the legal case: no customer contact',
      'CN¥100.00 · Upheld dispute #1 | price list checked', 'price list checked', 'Reason: Late delivery', 'Reason: Pricing | unit price 12.00',
    ]);
    // a reference a person gave is shown as it is
    expect(caseAdjustment('CN-7', 'Damaged goods')).toBeUndefined();
    expect(caseAdjustment('legal/3/lost', 'legal case lost: court ruled')).toEqual({ from: 'lost', id: '3', note: 'court ruled' });
  });

  it('says when there is nothing', async () => {
    await i18n.changeLanguage('en');
    render(<Timeline />);
    expect(screen.getByText('Nothing has happened on this invoice yet.')).toBeTruthy();
  });

  it('reads the zone from the instant', () => {
    expect(zoneOfInstant('2026-12-07T06:02:43+08:00')).toBe('Etc/GMT-8');
    expect(zoneOfInstant('2026-12-07T06:02:43-05:00')).toBe('Etc/GMT+5');
    expect(zoneOfInstant('2026-12-07T06:02:43Z')).toBeUndefined();
    expect(zoneOfInstant('2026-12-07T06:02:43+00:00')).toBe('UTC');
    expect(zoneOfInstant('2026-12-07T06:02:43+05:30')).toBeUndefined();
  });
});
