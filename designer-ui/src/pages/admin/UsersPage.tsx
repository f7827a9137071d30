// Placeholder: replaced by the page's implementation.
export default function UsersPage() {
  return <h1>UsersPage</h1>;
}
