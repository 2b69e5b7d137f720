// The limits and input rules every runtime shares (functions, widget, dashboard): one spelling of each.

/** Longest message body, in characters (the column's check constraint says the same). */
export const MAX_MESSAGE_LENGTH = 4000;

/**
 * The pre-chat form's checks of an email address and a phone number. The functions check the phone with the same
 * pattern and the email with zod's stricter email(), so the form never lets through what they would refuse often.
 */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
export const PHONE_PATTERN = /^[+()\d\s.-]{5,40}$/;

/** Rate limits of the widget functions, overridable per deployment by the named environment variable. */
export const WIDGET_RATE_LIMITS = {
  conversationsPerHour: { env: 'WIDGET_CONVERSATIONS_PER_HOUR', fallback: 3 },
  ipConversationsPerHour: { env: 'WIDGET_IP_CONVERSATIONS_PER_HOUR', fallback: 60 },
  messagesPerMinute: { env: 'WIDGET_MESSAGES_PER_MINUTE', fallback: 20 },
  ipMessagesPerMinute: { env: 'WIDGET_IP_MESSAGES_PER_MINUTE', fallback: 300 },
  attachmentsPerHour: { env: 'WIDGET_ATTACHMENTS_PER_HOUR', fallback: 30 },
  ipAttachmentsPerHour: { env: 'WIDGET_IP_ATTACHMENTS_PER_HOUR', fallback: 300 },
} as const;

/** How long a browser may reuse the widget's public settings (docs/widget-api.md). */
export const CONFIG_MAX_AGE_SECONDS = 300;

/** How long a browser may reuse a CORS preflight: Chromium's cap, so one OPTIONS per visitor per 2 hours. */
export const PREFLIGHT_MAX_AGE_SECONDS = 7200;

/** Attachments an agent may upload per hour (the dashboard's quota). */
export const AGENT_ATTACHMENTS_PER_HOUR = 300;
