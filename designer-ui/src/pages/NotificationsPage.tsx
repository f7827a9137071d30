// Placeholder: replaced by the page's implementation.
export default function NotificationsPage() {
  return <h1>NotificationsPage</h1>;
}
