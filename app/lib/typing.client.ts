// Typing on the private `conversation:<id>:typing` channels (issue 18, ADR 0011): which visitors are typing (the
// inbox's marks, the open conversation's line) and the agent's own typing, throttled at the sender. One channel per
// conversation, ref-counted like the presence hub; only `typing` events from a visitor count as the visitor's.
import type { RealtimeChannel, SupabaseClient } from '@supabase/supabase-js';
import { TYPING_EVENT, TypingSender, TypingWatch, typingTopic } from '../../widget/src/typing.ts';

interface Entry {
  channel: RealtimeChannel;
  refs: number;
  visitor: TypingWatch;
  sender: TypingSender;
}

export class TypingHub {
  private entries = new Map<string, Entry>();
  private listeners = new Set<() => void>();
  private version = 0;

  constructor(
    readonly supabase: SupabaseClient,
    readonly agentName: string,
  ) {}

  getVersion = () => this.version;

  onChange = (listener: () => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private emit = () => {
    this.version += 1;
    for (const l of this.listeners) l();
  };

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
      const channel = this.supabase.channel(typingTopic(conversationId), { config: { private: true } });
      const visitor = new TypingWatch(this.emit);
      const sender = new TypingSender((typing) => {
        if (channel.state !== 'joined') return false;
        void channel.send({ type: 'broadcast', event: TYPING_EVENT, payload: { from: 'agent', typing, name: this.agentName } });
      });
      channel.on('broadcast', { event: TYPING_EVENT }, ({ payload }) => visitor.receive(payload, 'visitor'));
      channel.subscribe((status) => {
        if (status === 'CLOSED' || status === 'CHANNEL_ERROR') visitor.clear();
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
        void this.supabase.removeChannel(e.channel);
      }
    };
  }

  close() {
    for (const e of this.entries.values()) void this.supabase.removeChannel(e.channel);
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
  const channel = supabase.channel(`availability:${widgetKey}`, { config: { private: true, presence: { enabled: true } } });
  // One track per join: hosted Realtime shuts a channel past 5 presence events in 30 s.
  channel.subscribe((status) => {
    if (status === 'SUBSCRIBED') void channel.track({ initials });
  });
  return () => void supabase.removeChannel(channel);
}
