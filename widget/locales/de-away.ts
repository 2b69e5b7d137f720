// Deutsche Texte der Abwesenheitsansicht, des Kontaktformulars und früherer Gespräche (im away-Chunk).
import type { away as en } from './en-away.ts';

export const away: typeof en = {
  awayTitle: 'Wir sind gerade nicht da',
  awayDefault: 'Hinterlassen Sie eine Nachricht, wir melden uns.',
  formIntro: 'Hinterlassen Sie Name, E-Mail und Nachricht: Wir antworten per E-Mail.',
  askEmail: 'Ihre E-Mail-Adresse, damit wir antworten können',
  name: 'Ihr Name',
  email: 'Ihre E-Mail-Adresse',
  message: 'Ihre Nachricht',
  send: 'Senden',
  required: 'Pflichtfeld',
  invalidEmail: 'Bitte eine gültige E-Mail-Adresse eingeben',
  earlier: (n: number) => `Frühere Gespräche (${n})`,
  image: 'Bild',
  file: 'Datei',
  back: 'Zurück zur Liste',
  loading: 'Wird geladen…',
  failed: 'Dieses Gespräch konnte nicht geladen werden.',
};
