// Deutsche Texte des Hilfe-Centers im Widget; nur der Hilfe-Chunk lädt sie, und nur auf Deutsch.
import type { help as en } from './en-help.ts';

export const help: typeof en = {
  open: 'Hilfeartikel durchsuchen',
  title: 'Hilfeartikel',
  searchLabel: 'Hilfeartikel durchsuchen',
  searchPlaceholder: 'Ein paar Wörter eingeben…',
  results: 'Artikel',
  none: 'Keine Artikel gefunden. Schreiben Sie uns stattdessen.',
  failed: 'Die Artikel konnten nicht geladen werden.',
  back: 'Zurück',
  backToChat: 'Zurück zum Chat',
  suggested: 'Diese Artikel beantworten Ihre Frage vielleicht:',
  person: 'Mit einem Menschen sprechen',
  personAsked: 'Ein Mensch antwortet Ihnen hier.',
};
