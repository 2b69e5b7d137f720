// The widget API's shapes (docs/widget-api.md) and their mappers from database rows: the functions answer with
// them, the widget and the dashboard import the types (types only in the widget: the panel must not grow).
import { type Attachment, toAttachment } from './attachment-rules.ts';
import { utcMicros } from './time.ts';
import type { WidgetConfigRow } from './widget-row.ts';

export type FieldMode = WidgetConfigRow['prechat_name'];

/** A message as the widget API returns it (camelCase, microsecond UTC time). */
export interface Message {
  id: string;
  conversationId: string;
  senderKind: 'visitor' | 'agent' | 'bot' | 'system';
  authorName: string | null;
  body: string;
  createdAt: string;
  /** The message's files (none for a message of text only; absent in older payloads). */
  attachments?: Attachment[];
  /** A private note (dashboard only: the widget's APIs never return one). */
  isPrivate?: boolean;
}

/** The widget's public settings (GET widget-config): what a page may know about the widget. */
export interface PublicWidgetConfig {
  key: string;
  companyName: string;
  title: string;
  greeting: string;
  launcherLabel: string;
  primaryColor: string;
  accentColor: string;
  position: WidgetConfigRow['position'];
  autoOpenAfterSeconds: number | null;
  locale: string;
  prechat: { name: FieldMode; email: FieldMode; phone: FieldMode };
  /** "Typically replies in N minutes": the median first response of the last 7 days; null with too little data. */
  typicalReplyMinutes: number | null;
  /** Office hours and away mode (issue 19): open now by the hours, and what to show while away; null = not set up. */
  away?: AwayState | null;
  /** identify() must carry a valid userHash. */
  requireVerification?: boolean;
  /** The company has published help articles: only then does the panel load its help chunk. */
  hasHelpArticles?: boolean;
}

/** widget_away_state(): within office hours now; while away, the message with chat (message) or a contact form only. */
export interface AwayState {
  open: boolean;
  mode: 'message' | 'form';
  message: string;
}

/** Message row (snake_case, as the RPCs and Realtime carry it) → Message. */
export function toMessage(row: Record<string, unknown>): Message {
  return {
    id: String(row.id),
    conversationId: String(row.conversation_id),
    senderKind: row.sender_kind as Message['senderKind'],
    authorName: (row.author_name as string | null | undefined) ?? null,
    body: String(row.body),
    createdAt: utcMicros(String(row.created_at)),
    ...(Array.isArray(row.attachments) && row.attachments.length
      ? { attachments: (row.attachments as Record<string, unknown>[]).map(toAttachment) }
      : {}),
  };
}

/** widget_configs row (+ its company's name and reply time) → PublicWidgetConfig; nothing else of the row leaves. */
export function toPublicConfig(row: WidgetConfigRow, companyName: string, typicalReplyMinutes: number | null = null): PublicWidgetConfig {
  return {
    key: row.widget_key,
    companyName,
    title: row.title,
    greeting: row.greeting,
    launcherLabel: row.launcher_label,
    primaryColor: row.primary_color,
    accentColor: row.accent_color,
    position: row.position,
    autoOpenAfterSeconds: row.auto_open_after_seconds,
    locale: row.locale,
    prechat: { name: row.prechat_name, email: row.prechat_email, phone: row.prechat_phone },
    typicalReplyMinutes,
  };
}
