// English strings of the widget. `launcher` ships in widget.js, `panel` in the panel chunk.
export const launcher = {
  open: 'Open chat',
  close: 'Close chat',
  unread: (n: number) => `${n} unread message${n === 1 ? '' : 's'}`,
};

export const panel = {
  close: 'Close chat',
  unavailableTitle: 'Chat unavailable',
  unavailable: 'Chat is not available on this site right now.',
  nameLabel: 'Your name',
  emailLabel: 'Email',
  phoneLabel: 'Phone',
  optional: '(optional)',
  firstMessageLabel: 'How can we help?',
  start: 'Start chat',
  required: 'Please fill this in.',
  invalidEmail: 'Please enter a valid email address.',
  invalidPhone: 'Please enter a valid phone number.',
  composerLabel: 'Type your message',
  composerPlaceholder: 'Write a message… (Enter to send, Shift+Enter for a new line)',
  send: 'Send',
  sending: 'Sending…',
  notSent: 'Not sent.',
  invalidCharacters: 'Not sent: it contains characters that cannot be sent.',
  edit: 'Edit',
  drop: 'Delete',
  signInLimited: 'Too many new chats from your network right now. Please try again in a few minutes.',
  retry: 'Try again',
  you: 'You',
  agent: 'Support',
  offline: 'You are offline. Messages will be sent when you are back.',
  wait: (s: number) => `Too many messages. Please wait ${s} seconds.`,
  error: 'Something went wrong. Please try again.',
  tooLong: 'Not sent: that message is too long.',
};

/** The attachments chunk (widget/src/attachments/), loaded once a conversation exists. */
export const attachments = {
  attach: 'Attach files',
  remove: (name: string) => `Remove ${name}`,
  uploading: (name: string) => `Uploading ${name}`,
  tooMany: 'You can attach up to 5 files to one message.',
  typeRefused: 'This type of file cannot be sent.',
  tooLarge: 'This file is too large.',
  failed: 'Upload failed.',
  open: (name: string) => `Open ${name}`,
  download: (name: string) => `Download ${name}`,
  close: 'Close',
};
