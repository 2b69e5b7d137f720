// The help center's shapes (widget-help answers with them; the widget imports the types only) and the Auto Bot's
// rules that the function, the bench and the tests share: the confidence threshold and how an answer reads.

/** An article in a list of results: what the widget shows before opening it. */
export interface HelpArticleSummary {
  id: string;
  title: string;
  category: string | null;
  locale: string;
  /** The body's first words as plain text (search results only). */
  excerpt?: string;
  /** 0..1 match of the query (search results only). */
  score?: number;
}

/** An opened article: Markdown rendered by the widget to its small allowed subset. */
export interface HelpArticle {
  id: string;
  title: string;
  body: string;
  locale: string;
  category: string | null;
}

/**
 * The bot answers only when the best article scores at least this (private.help_search's 0..1 share of the
 * question's weighted words). Tuned on tests/fixtures/help with `npm run bench:bot`: below it a confident wrong
 * answer becomes likelier than a right one is gained (docs/decisions/0017-help-search-and-bot.md).
 */
export const BOT_CONFIDENCE_THRESHOLD = 0.45;

/** The most articles one answer names. */
export const BOT_MAX_ARTICLES = 2;

/** The articles the bot answers with, of matches best first: those confident enough, at most BOT_MAX_ARTICLES. */
export const botAnswerArticles = <T extends { score: unknown }>(matches: readonly T[]): T[] =>
  matches.filter((m) => Number(m.score) >= BOT_CONFIDENCE_THRESHOLD).slice(0, BOT_MAX_ARTICLES);

export const toSummary = (row: Record<string, unknown>): HelpArticleSummary => ({
  id: String(row.id),
  title: String(row.title),
  category: (row.category as string | null) ?? null,
  locale: String(row.locale),
  ...(typeof row.excerpt === 'string' ? { excerpt: row.excerpt } : {}),
  ...(row.score !== undefined && row.score !== null ? { score: Math.round(Number(row.score) * 1000) / 1000 } : {}),
});

/** Markdown → plain text for a bot message (messages are text, never HTML): marks dropped, links keep their text. */
export function markdownToText(md: string): string {
  return md
    .replace(/\r\n?/g, '\n')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/^#{1,6}\s+/gm, '')
    .replace(/^\s*[-*+]\s+/gm, '• ')
    .replace(/(\*\*|__|\*|_|`)/g, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}

const LABELS = {
  en: { intro: 'This article may help:', more: 'Also see:', person: 'Not what you need? Choose "Talk to a person".' },
  de: { intro: 'Dieser Artikel hilft vielleicht:', more: 'Siehe auch:', person: 'Nicht das Richtige? Wählen Sie „Mit einem Menschen sprechen“.' },
} as const;

export const botLabels = (locale: string | null | undefined) => (locale?.startsWith('de') ? LABELS.de : LABELS.en);

/** The bot's answer without a language model: the best article quoted (its first paragraphs), others named. */
export function quoteAnswer(matches: { title: string; body: string }[], locale: string | null | undefined): string {
  const l = botLabels(locale);
  const [best, ...rest] = matches;
  if (!best) return '';
  let quote = markdownToText(best.body);
  if (quote.length > 700) quote = `${quote.slice(0, 700).replace(/\s+\S*$/, '')} …`;
  const more = rest.length ? `\n\n${l.more} ${rest.map((r) => `“${r.title}”`).join(', ')}` : '';
  return `${l.intro} “${best.title}”\n\n${quote}${more}\n\n${l.person}`;
}
