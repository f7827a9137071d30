// Placeholder: replaced by the page's implementation.
export default function AuditPage() {
  return <h1>AuditPage</h1>;
}
