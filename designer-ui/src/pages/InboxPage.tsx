// Placeholder: replaced by the page's implementation.
export default function InboxPage() {
  return <h1>InboxPage</h1>;
}
