// German strings of the widget's rating prompt (same keys as en-rating.ts), shipped only in the rating chunk.
import type { rating as en } from './en-rating.ts';

export const rating: typeof en = {
  question: 'Wie war dieses Gespräch?',
  stars: (n: number) => `${n} von 5`,
  up: 'Gut',
  down: 'Schlecht',
  commentLabel: 'Möchten Sie etwas ergänzen? (optional)',
  submit: 'Bewertung senden',
  change: 'Bewertung ändern',
  thanks: 'Vielen Dank für Ihre Bewertung.',
  failed: 'Die Bewertung konnte nicht gesendet werden. Bitte erneut versuchen.',
};
