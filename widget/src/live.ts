// The panel's live signals (issue 18, ADR 0011): agents typing, the visitor's own typing, who of the team is
// online, and how far each side has read. Broadcast and presence on topics of their own; the read marks come from
// the database (conversation.updated, the catch-up), and the visitor's goes out through widget-seen.
import type { WidgetClient } from './client.ts';
import type { ChatMessage } from './text.ts';
import { TYPING_EVENT, TypingSender, TypingWatch, typingTopic } from './typing.ts';

/** The parts of realtime-js's channel and client these signals use (the engine's fakes can stand in). */
interface Channel {
  on(type: 'broadcast' | 'presence', filter: { event: string }, cb: (m: { payload?: unknown }) => void): unknown;
  subscribe(): unknown;
  send(m: { type: 'broadcast'; event: string; payload: unknown }): Promise<unknown>;
  presenceState(): Record<string, { initials?: unknown }[]>;
  state: string;
}
interface Realtime {
  channel(topic: string, opts: { config: { private: boolean } }): unknown;
  removeChannel(channel: never): Promise<unknown>;
}

export class LiveSignals {
  /** Initials of up to 3 agents online in the dashboard; empty = away. */
  agents: string[] = [];
  /** Whether the availability topic has answered (before that, nothing is said about who is there). */
  known = false;
  /** The newest message an agent has read. */
  agentRead: string | null = null;
  readonly typist: TypingWatch;
  readonly sender: TypingSender;
  private channels: Channel[] = [];
  private seenSent: string | null = null;

  constructor(
    private readonly client: WidgetClient,
    private readonly widgetKey: string,
    private readonly rerender: () => void,
  ) {
    this.typist = new TypingWatch(rerender);
    this.sender = new TypingSender((typing) => {
      const ch = this.channels[0];
      if (ch?.state !== 'joined') return false;
      void ch.send({ type: 'broadcast', event: TYPING_EVENT, payload: { from: 'visitor', typing } });
    });
  }

  /** Joins the typing and availability topics of the conversation (again after each reconnect). */
  join(rt: Realtime, conversationId: string) {
    this.leave(rt);
    const typing = rt.channel(typingTopic(conversationId), { config: { private: true } }) as Channel;
    typing.on('broadcast', { event: TYPING_EVENT }, ({ payload }) => this.typist.receive(payload, 'agent'));
    const who = rt.channel(`availability:${this.widgetKey}`, { config: { private: true } }) as Channel;
    who.on('presence', { event: 'sync' }, () => {
      const all = Object.values(who.presenceState()).flat();
      this.known = true;
      this.agents = [...new Set(all.map((m) => m.initials).filter((i): i is string => typeof i === 'string').map((i) => i.slice(0, 2)))].slice(0, 3);
      this.rerender();
    });
    this.channels = [typing, who];
    for (const ch of this.channels) ch.subscribe();
  }

  leave(rt: Realtime) {
    for (const ch of this.channels) void rt.removeChannel(ch as never);
    this.channels = [];
  }

  /** A read mark from the database (conversation.updated or the catch-up). */
  read(messageId: unknown) {
    if (typeof messageId === 'string' && messageId !== this.agentRead) {
      this.agentRead = messageId;
      this.rerender();
    }
  }

  /** The visitor's last message at or before the agents' read mark: where "Seen" goes. */
  seenUnder(messages: ChatMessage[]): string | null {
    const upTo = messages.findIndex((m) => m.id === this.agentRead);
    for (let i = upTo; i >= 0; i--) if (messages[i]!.senderKind === 'visitor') return messages[i]!.id;
    return null;
  }

  /** The panel shows the conversation to the visitor: the newest reply is seen (once per message). */
  markSeen(conversationId: string, messages: ChatMessage[]) {
    const last = messages[messages.length - 1];
    if (!last || last.senderKind === 'visitor' || last.state || last.id === this.seenSent || document.visibilityState !== 'visible') return;
    this.seenSent = last.id;
    this.client.call('widget-seen', { body: { conversationId, messageId: last.id } }).catch(() => {
      this.seenSent = null;
    });
  }
}
