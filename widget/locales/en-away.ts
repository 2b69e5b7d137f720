// English strings of the away screen, contact form and earlier conversations (the away chunk ships them).
export const away = {
  awayTitle: "We're away right now",
  awayDefault: "Leave a message and we'll get back to you.",
  formIntro: 'Leave your name, email and message: we will answer by email.',
  askEmail: 'Your email, so we can answer you',
  name: 'Your name',
  email: 'Your email',
  message: 'Your message',
  send: 'Send',
  required: 'Required',
  invalidEmail: 'Enter a valid email address',
  earlier: (n: number) => `Earlier conversations (${n})`,
  image: 'Image',
  file: 'File',
  back: 'Back to the list',
  loading: 'Loading…',
  failed: 'Could not load this conversation.',
};
