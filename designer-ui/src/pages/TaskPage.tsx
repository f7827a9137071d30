// Placeholder: replaced by the page's implementation.
export default function TaskPage() {
  return <h1>TaskPage</h1>;
}
