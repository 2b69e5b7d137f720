// What the sync engine needs from outside (Auth and the widget functions, Realtime, storage, clock, page), as
// interfaces: the panel hands it the real ones, the tests a fake server. Types only: nothing of it ships.
import type { panel } from '../../locales/en.ts';
import type { Session } from '../client.ts';
import type { LiveSignals } from '../live.ts';
import type { ChatMessage } from '../text.ts';

export type Strings = typeof panel;
export type Prechat = { name: string; email: string; phone: string };

/** Auth and the widget Edge Functions (WidgetClient); each call rejects with an HttpError for an error answer. */
export interface FunctionsApi {
  session(): Promise<Session>;
  keepFresh(onFresh: (s: Session) => void): void;
  startSession(body: Record<string, unknown>): Promise<{ data: { conversation: { id: string }; visitor: { id: string }; messages: ChatMessage[] } }>;
  send(conversationId: string, id: string, body: string, files?: { id: string }[]): Promise<{ data: { message: ChatMessage } }>;
  history(conversationId: string, after?: string): Promise<{ data: { messages: ChatMessage[]; hasMore: boolean; agentRead?: { messageId: string } | null; status?: string; statusAt?: string } }>;
}

/** The part of realtime-js's RealtimeChannel the engine uses. */
export interface ChannelLike {
  on(type: 'broadcast', filter: { event: string }, cb: (m: { payload: unknown }) => void): unknown;
  subscribe(cb: (status: string) => void): unknown;
  track(payload: Record<string, unknown>): Promise<unknown>;
}

/** The part of realtime-js's RealtimeClient the engine uses. */
export interface RealtimeLike {
  setAuth(): Promise<unknown>;
  channel(topic: string, opts: { config: { private: boolean; presence: { key: string } } }): ChannelLike;
  removeChannel(channel: ChannelLike): Promise<unknown>;
}

/** The launcher's side of the panel, as the engine sees it. */
export interface SyncHost {
  locale: string;
  isOpen(): boolean;
  emit(event: 'message', detail: unknown): void;
  setUnread(n: number): void;
}

export interface SyncDeps {
  host: SyncHost;
  api: FunctionsApi;
  /** Makes the Realtime client, on the first connect. */
  realtime(): RealtimeLike;
  /** This widget's entries in localStorage (storageKey(widgetKey, what)). */
  get(what: string): string | null;
  set(what: string, value: string): void;
  remove(what: string): void;
  /** Runs `fn` after `ms`; the answer cancels it. */
  later(fn: () => void, ms: number): () => void;
  online(): boolean;
  /** The page the visitor is on (sent with the start of a conversation). */
  page(): { url: string; title: string };
  t: Strings;
  /** Loads the live signals (typing, who is there, read marks) once a conversation connects; absent in tests. */
  live?(): Promise<LiveSignals>;
}
