// Placeholder: replaced by the page's implementation.
export default function CustomersPage() {
  return <h1>CustomersPage</h1>;
}
