// Reading is an action: a conversation is marked read only while it is on screen in a visible, focused tab, and at
// most once every few seconds while messages keep arriving (the rest wait for the next one). A hidden or background
// tab keeps its unread count, and no loader writes anything.
import { useSubmit } from '@remix-run/react';
import { useEffect, useSyncExternalStore } from 'react';
import { useDashboard } from '../../lib/dashboard-context.tsx';

/** The longest a read waits after the previous one for the same conversation (a burst of messages, one read). */
export const READ_THROTTLE_MS = 3000;

const lastRead = new Map<string, number>();
const pending = new Map<string, { timer: ReturnType<typeof setTimeout>; send: () => void }>();

function subscribe(onChange: () => void) {
  document.addEventListener('visibilitychange', onChange);
  window.addEventListener('focus', onChange);
  window.addEventListener('blur', onChange);
  return () => {
    document.removeEventListener('visibilitychange', onChange);
    window.removeEventListener('focus', onChange);
    window.removeEventListener('blur', onChange);
  };
}

/** Whether the agent can see this tab: visible and focused. */
export function useAttention(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => document.visibilityState === 'visible' && document.hasFocus(),
    () => false,
  );
}

export function useReadWhileShown(conversationId: string, unread: number) {
  const { store } = useDashboard();
  const submit = useSubmit();
  const attentive = useAttention();
  useEffect(() => {
    if (!attentive || unread === 0) return;
    // This tab shows the messages now: its own counts say so at once; the database hears it (throttled).
    store.markedRead(conversationId);
    if (pending.has(conversationId)) return;
    const send = () => {
      const p = pending.get(conversationId);
      if (p) clearTimeout(p.timer);
      pending.delete(conversationId);
      lastRead.set(conversationId, Date.now());
      submit({ intent: 'read' }, { method: 'post', action: `/inbox/${conversationId}`, navigate: false, fetcherKey: `read:${conversationId}` });
    };
    const wait = (lastRead.get(conversationId) ?? 0) + READ_THROTTLE_MS - Date.now();
    if (wait <= 0) send();
    else pending.set(conversationId, { timer: setTimeout(send, wait), send });
  }, [attentive, unread, conversationId, store, submit]);
  // Leaving the conversation: what was on screen was read, so a waiting read goes now.
  useEffect(() => () => pending.get(conversationId)?.send(), [conversationId]);
}
