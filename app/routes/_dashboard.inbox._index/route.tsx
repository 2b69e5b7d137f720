export default function NoConversation() {
  return (
    <div className="empty">
      <p>Pick a conversation on the left.</p>
      <p className="muted">
        Shortcuts: <kbd>j</kbd>/<kbd>k</kbd> next/previous conversation, <kbd>/</kbd> or <kbd>c</kbd> write a reply.
      </p>
    </div>
  );
}
