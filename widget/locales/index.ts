// Supported widget languages and how one is chosen: data-locale, else the browser's languages, else the
// widget's configured locale, else English.
export const SUPPORTED = ['en', 'de'] as const;
export type Locale = (typeof SUPPORTED)[number];

export function chooseLocale(explicit: string | null | undefined, browser: readonly string[], configured?: string | null): Locale {
  const pick = (tag: string | null | undefined) => {
    const base = tag?.toLowerCase().split('-')[0];
    return (SUPPORTED as readonly string[]).includes(base ?? '') ? (base as Locale) : null;
  };
  return pick(explicit) ?? browser.map(pick).find(Boolean) ?? pick(configured) ?? 'en';
}
