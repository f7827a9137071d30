// Placeholder: replaced by the page's implementation.
export default function QueuePage() {
  return <h1>QueuePage</h1>;
}
