// Placeholder: replaced by the page's implementation.
export default function InvoicePage() {
  return <h1>InvoicePage</h1>;
}
