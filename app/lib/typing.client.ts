// Typing on the private `conversation:<id>:typing` channels (issue 18, ADR 0011): which visitors are typing (the
// inbox's marks, the open conversation's line) and the agent's own typing, throttled at the sender. One channel per
// conversation, ref-counted like the presence hub; only `typing` events from a visitor count as the visitor's.
import type { SupabaseClient } from '@supabase/supabase-js';
import { TYPING_EVENT, TypingSender, TypingWatch, typingTopic } from '../../widget/src/typing.ts';
import { ChangeFeed } from './conversation-watch.ts';
import { type RejoiningChannel, rejoiningChannel } from './rejoining-channel.ts';

interface Entry {
  channel: RejoiningChannel;
  refs: number;
  visitor: TypingWatch;
  sender: TypingSender;
}

export class TypingHub extends ChangeFeed {
  private entries = new Map<string, Entry>();

  constructor(
    readonly supabase: SupabaseClient,
    readonly agentName: string,
  ) {
    super();
  }

  isVisitorTyping(conversationId: string): boolean {
    return this.entries.get(conversationId)?.visitor.typing ?? false;
  }

  /** The agent's draft in a conversation changed (empty = cleared), or it was sent or left (`stop`). */
  input(conversationId: string, draft: string) {
    this.entries.get(conversationId)?.sender.input(draft);
  }

  stop(conversationId: string) {
    this.entries.get(conversationId)?.sender.stop();
  }

  /** A message from the visitor arrived: they are not typing any more. */
  visitorSent(conversationId: string) {
    this.entries.get(conversationId)?.visitor.clear();
  }

  watch(conversationId: string): () => void {
    let entry = this.entries.get(conversationId);
    if (!entry) {
      const visitor = new TypingWatch(this.emit);
      // Rejoined when Realtime ends it: the visitor's marks and the agent's own typing keep flowing.
      const channel = rejoiningChannel(
        this.supabase,
        typingTopic(conversationId),
        { config: { private: true } },
        (c) => c.on('broadcast', { event: TYPING_EVENT }, ({ payload }) => visitor.receive(payload, 'visitor')),
        (status) => {
          if (status === 'CLOSED' || status === 'CHANNEL_ERROR') visitor.clear();
        },
      );
      const sender = new TypingSender((typing) => {
        const c = channel.current;
        if (c.state !== 'joined') return false;
        void c.send({ type: 'broadcast', event: TYPING_EVENT, payload: { from: 'agent', typing, name: this.agentName } });
      });
      entry = { channel, refs: 0, visitor, sender };
      this.entries.set(conversationId, entry);
    }
    entry.refs += 1;
    const e = entry;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      e.refs -= 1;
      if (e.refs <= 0) {
        e.sender.stop();
        e.visitor.clear();
        this.entries.delete(conversationId);
        e.channel.remove();
      }
    };
  }

  close() {
    for (const e of this.entries.values()) e.channel.remove();
    this.entries.clear();
    this.emit();
  }
}

let shared: TypingHub | null = null;

/** The page's one hub (the browser client hands out one channel object per topic; see presence.client.ts). */
export function typingHub(supabase: SupabaseClient, agentName: string): TypingHub {
  if (shared && (shared.supabase !== supabase || shared.agentName !== agentName)) {
    shared.close();
    shared = null;
  }
  shared ??= new TypingHub(supabase, agentName);
  return shared;
}

/** Agents' presence on `availability:<widget key>`: the company's visitors see who of the team is online. */
export function announceAvailability(supabase: SupabaseClient, widgetKey: string, displayName: string): () => void {
  const initials =
    displayName
      .split(/\s+/)
      .filter(Boolean)
      .slice(0, 2)
      .map((w) => w[0]!.toUpperCase())
      .join('') || '?';
  // Presence enabled at the join: agents may read nothing else here, and a join that reads nothing is refused.
  // One track per join: hosted Realtime shuts a channel past 5 presence events in 30 s. Rejoined (and tracked
  // again) when Realtime ends it, so the visitors do not see the agent away while the dashboard is open.
  const channel = rejoiningChannel(
    supabase,
    `availability:${widgetKey}`,
    { config: { private: true, presence: { enabled: true } } },
    () => undefined,
    (status, _err, c) => {
      if (status === 'SUBSCRIBED') void c.track({ initials });
    },
  );
  return () => channel.remove();
}
