// English strings of the transcript button, a file of their own so that only the transcript chunk ships them.
export const transcript = {
  ask: 'Email me the transcript',
  sent: 'We are emailing you the transcript.',
  failed: 'The transcript could not be sent. Please try again later.',
};
