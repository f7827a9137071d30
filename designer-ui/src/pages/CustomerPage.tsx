// Placeholder: replaced by the page's implementation.
export default function CustomerPage() {
  return <h1>CustomerPage</h1>;
}
