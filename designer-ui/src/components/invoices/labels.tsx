// Small labels shared by the invoice and customer screens: status, risk and
// aging as coloured tags with their localized names (an unknown value from
// the server is shown as it is), and the link to an invoice, whose number
// may hold slashes and is encoded as one path segment.
import { Tag } from 'antd';
import { useTranslation } from 'react-i18next';

export const statuses = ['open', 'overdue', 'paid', 'written_off', 'cancelled'] as const;
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

const statusColor: Record<string, string> = { open: 'blue', overdue: 'red', paid: 'green', written_off: 'default', cancelled: 'default' };
const riskColor: Record<string, string> = { low: 'green', medium: 'gold', high: 'red' };
const agingColor: Record<AgingBucket, string> = { current: 'green', '1-30': 'gold', '31-60': 'orange', '61-90': 'volcano', '90+': 'red' };

/** label looks a value up in the invoices catalog and falls back to the value itself. */
function useLabel(group: string): (v: string) => string {
  const { t } = useTranslation('invoices');
  return (v) => t(`${group}.${v}`, { defaultValue: v });
}

export function StatusTag({ status }: { status: string }) {
  const label = useLabel('status');
  return <Tag color={statusColor[status] ?? 'default'}>{label(status)}</Tag>;
}

export function RiskTag({ risk }: { risk: string | undefined }) {
  const label = useLabel('risk');
  if (!risk) return null;
  return <Tag color={riskColor[risk] ?? 'default'}>{label(risk)}</Tag>;
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
