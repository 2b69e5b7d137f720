// Which characters stored text may hold: one rule for the functions' schemas and the widget (no zod here, the widget bundles it).
// Control characters but tab, line feed and carriage return are refused: Postgres text cannot hold NUL, the rest are invisible.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;

/** Whether the text holds a character CONTROL_CHARACTERS refuses. */
export const hasControlCharacters = (text: string): boolean => CONTROL_CHARACTERS.test(text);

/** The text without the characters CONTROL_CHARACTERS refuses (for fields quietly cleaned rather than refused). */
export const stripControlCharacters = (text: string): string => text.replace(new RegExp(CONTROL_CHARACTERS.source, 'g'), '');
