// Deutsche Texte des Widgets. `launcher` liegt in widget.js; `panel` und `attachments` bilden einen eigenen Chunk,
// den das Panel nur für deutsche Besucher vor dem ersten Zeichnen lädt.
import type * as en from './en.ts';
import type { attachments as enAttachments } from './en-attachments.ts';

export const launcher: typeof en.launcher = {
  open: 'Chat öffnen',
  close: 'Chat schließen',
  unread: (n: number) => `${n} ungelesene Nachricht${n === 1 ? '' : 'en'}`,
};

export const panel: typeof en.panel = {
  close: 'Chat schließen',
  unavailableTitle: 'Chat nicht verfügbar',
  unavailable: 'Der Chat ist auf dieser Website gerade nicht verfügbar.',
  nameLabel: 'Ihr Name',
  emailLabel: 'E-Mail',
  phoneLabel: 'Telefon',
  optional: '(optional)',
  firstMessageLabel: 'Wie können wir helfen?',
  start: 'Chat starten',
  required: 'Bitte ausfüllen.',
  invalidEmail: 'Bitte eine gültige E-Mail-Adresse eingeben.',
  invalidPhone: 'Bitte eine gültige Telefonnummer eingeben.',
  composerLabel: 'Nachricht eingeben',
  composerPlaceholder: 'Nachricht schreiben… (Enter sendet, Umschalt+Enter für neue Zeile)',
  send: 'Senden',
  sending: 'Wird gesendet…',
  notSent: 'Nicht gesendet.',
  invalidCharacters: 'Nicht gesendet: Die Nachricht enthält Zeichen, die nicht gesendet werden können.',
  edit: 'Bearbeiten',
  drop: 'Löschen',
  signInLimited: 'Gerade starten zu viele neue Chats aus Ihrem Netzwerk. Bitte versuchen Sie es in einigen Minuten erneut.',
  retry: 'Erneut versuchen',
  you: 'Sie',
  agent: 'Support',
  offline: 'Sie sind offline. Nachrichten werden gesendet, sobald Sie wieder online sind.',
  wait: (s: number) => `Zu viele Nachrichten. Bitte ${s} Sekunden warten.`,
  error: 'Etwas ist schiefgelaufen. Bitte erneut versuchen.',
  tooLong: 'Nicht gesendet: Die Nachricht ist zu lang.',
  typing: (name: string) => `${name} schreibt…`,
  seen: 'Gesehen',
  online: 'Online',
  away: 'Wir sind gerade nicht da',
  replies: (n: number) => `Antwortet meist innerhalb von ${n} Minute${n === 1 ? '' : 'n'}`,
};

export const attachments: typeof enAttachments = {
  attach: 'Dateien anhängen',
  remove: (name: string) => `${name} entfernen`,
  uploading: (name: string) => `${name} wird hochgeladen`,
  tooMany: 'Sie können bis zu 5 Dateien an eine Nachricht anhängen.',
  typeRefused: 'Dateien dieses Typs können nicht gesendet werden.',
  tooLarge: 'Diese Datei ist zu groß.',
  failed: 'Hochladen fehlgeschlagen.',
  open: (name: string) => `${name} öffnen`,
  download: (name: string) => `${name} herunterladen`,
  close: 'Schließen',
};
