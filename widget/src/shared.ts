// Pieces the launcher and the panel share (kept tiny: both ship them).
// The API's shape, defined once beside the functions that answer it (a type: nothing of it ships).
import type { FieldMode, PublicWidgetConfig as WidgetConfig } from '../../functions/_shared/contract.ts';
import type { WidgetClient } from './client.ts';

export type { FieldMode, WidgetConfig };

export interface Options {
  widgetKey: string;
  supabaseUrl: string;
  anonKey: string;
  locale: string | null;
}

/** What the launcher hands the panel. */
export interface PanelHost {
  options: Options;
  /** The launcher's client (session and calls): one copy of that code, in widget.js. */
  client: WidgetClient;
  config: WidgetConfig | null;
  /** Where the panel renders (inside the launcher's shadow root). */
  container: HTMLElement;
  locale: string;
  isOpen(): boolean;
  close(): void;
  emit(event: 'message' | 'unread', detail: unknown): void;
  setUnread(n: number): void;
}

/** Porchlight.identify(): name and email, and for a verified visitor userId with userHash = HMAC-SHA256(userId). */
export interface Identity {
  name?: string;
  email?: string;
  userId?: string;
  userHash?: string;
}

export interface PanelApi {
  opened(): void;
  identify(v: Identity): void;
}

/** A closed widget keeps a live socket only this long after its conversation's last sign of life. */
export const LIVE_FOR_MS = 15 * 60_000;

/** The newest message the visitor has had on screen (unread counts start after it). */
export interface Seen {
  id: string;
  at: string;
}

export const storageKey = (widgetKey: string, what: string) => `porchlight:${widgetKey}:${what}`;
