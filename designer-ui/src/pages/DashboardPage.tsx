// Placeholder: replaced by the page's implementation.
export default function DashboardPage() {
  return <h1>DashboardPage</h1>;
}
