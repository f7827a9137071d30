// Placeholder: replaced by the page's implementation.
export default function InvoicesPage() {
  return <h1>InvoicesPage</h1>;
}
