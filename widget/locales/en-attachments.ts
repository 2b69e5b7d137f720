// English strings of the widget's attachments, a file of their own so that only the attachments chunk ships them.
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
