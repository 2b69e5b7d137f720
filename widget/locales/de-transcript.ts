// Deutsche Texte des Transkript-Knopfs, nur im Transkript-Chunk.
import type { transcript as en } from './en-transcript.ts';

export const transcript: typeof en = {
  ask: 'Verlauf per E-Mail senden',
  sent: 'Wir senden Ihnen den Verlauf per E-Mail.',
  failed: 'Der Verlauf konnte nicht gesendet werden. Bitte versuchen Sie es später erneut.',
};
