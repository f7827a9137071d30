// Small labels shared by the invoice and customer screens: status, risk and
// aging as coloured tags with their localized names (an unknown value from
// the server is shown as it is), and the link to an invoice, whose number
// may hold slashes and is encoded as one path segment.
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export const statuses = ['open', 'overdue', 'payment_plan', 'paid', 'written_off', 'cancelled'] as const;
export const risks = ['low', 'medium', 'high'] as const;
export const agingBuckets = ['current', '1-30', '31-60', '61-90', '90+'] as const;
export type AgingBucket = (typeof agingBuckets)[number];

/** invoicePath is the page of an invoice: its number is one encoded segment. */
export function invoicePath(number: string): string {
  return `/invoices/${encodeURIComponent(number)}`;
}

/** customerPath is the page of a customer by its external id. */
export function customerPath(id: string): string {
  return `/customers/${encodeURIComponent(id)}`;
}

/** agingOf is the bucket of a number of days overdue, as the API's aging filter names it. */
export function agingOf(daysOverdue: number): AgingBucket {
  if (daysOverdue <= 0) return 'current';
  if (daysOverdue <= 30) return '1-30';
  if (daysOverdue <= 60) return '31-60';
  if (daysOverdue <= 90) return '61-90';
  return '90+';
}

// Solid tags in dark shades: white text on them passes WCAG AA contrast
// (antd's light preset tags do not).
export const tagColors = { blue: '#0b57c5', red: '#a8071a', green: '#2b6a0c', gold: '#8a5a00', orange: '#a4410b', volcano: '#a22c0b', grey: '#595959' } as const;
const statusColor: Record<string, string> = { open: tagColors.blue, overdue: tagColors.red, paid: tagColors.green, written_off: tagColors.grey, cancelled: tagColors.grey };
const riskColor: Record<string, string> = { low: tagColors.green, medium: tagColors.gold, high: tagColors.red };
const agingColor: Record<AgingBucket, string> = { current: tagColors.green, '1-30': tagColors.gold, '31-60': tagColors.orange, '61-90': tagColors.volcano, '90+': tagColors.red };

/** label looks a value up in the invoices catalog and falls back to the value itself. */
function useLabel(group: string): (v: string) => string {
  const { t } = useTranslation('invoices');
  return (v) => t(`${group}.${v}`, { defaultValue: v });
}

export function StatusTag({ status }: { status: string }) {
  const label = useLabel('status');
  return <Tag color={statusColor[status] ?? tagColors.grey}>{label(status)}</Tag>;
}

export function RiskTag({ risk }: { risk: string | undefined }) {
  const label = useLabel('risk');
  if (!risk) return null;
  return <Tag color={riskColor[risk] ?? tagColors.grey}>{label(risk)}</Tag>;
}

export function AgingTag({ daysOverdue }: { daysOverdue: number }) {
  const label = useLabel('aging');
  const b = agingOf(daysOverdue);
  return <Tag color={agingColor[b]}>{label(b)}</Tag>;
}

export function useStatusLabel() { return useLabel('status'); }
export function useRiskLabel() { return useLabel('risk'); }
export function useAgingLabel() { return useLabel('aging'); }

/** muted is secondary text dark enough for WCAG AA on white (antd's secondary text is not). */
export const muted = { color: '#595959' } as const;
