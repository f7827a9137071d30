// Placeholder: replaced by the page's implementation.
export default function TokensPage() {
  return <h1>TokensPage</h1>;
}
