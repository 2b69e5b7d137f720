// English strings of the widget's rating prompt, a file of their own so that only the rating chunk ships them.
export const rating = {
  question: 'How was this conversation?',
  stars: (n: number) => `${n} of 5`,
  up: 'Good',
  down: 'Bad',
  commentLabel: 'Anything to add? (optional)',
  submit: 'Send rating',
  change: 'Change rating',
  thanks: 'Thank you for your rating.',
  failed: 'The rating could not be sent. Try again.',
};
