// Canned responses in the composer: the shortcut/title/body rules shared by the settings form and the database's
// checks, the `/` picker's filter, and the variables filled in before the reply is sent.
import { z } from 'zod';
import { MAX_MESSAGE_LENGTH } from '../../functions/_shared/limits.ts';

export interface CannedResponse {
  id: string;
  shortcut: string;
  title: string;
  body: string;
}

export const cannedSchema = z.object({
  shortcut: z
    .string()
    .trim()
    .toLowerCase()
    .regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'Shortcuts are 1 to 32 lower-case letters, digits, - or _ (no spaces).'),
  title: z.string().trim().min(1, 'Give it a title.').max(80, 'Titles are at most 80 characters.'),
  body: z
    .string()
    .trim()
    .min(1, 'Write the reply.')
    .max(MAX_MESSAGE_LENGTH, `Replies are at most ${MAX_MESSAGE_LENGTH} characters.`)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: the rule is exactly "no control characters"
    .refine((s) => !/[\x01-\x08\x0b\x0c\x0e-\x1f\x7f]/.test(s), 'The reply holds characters that cannot be shown.'),
});

/** The values a canned response's variables are filled with (null/empty = unknown). */
export interface CannedContext {
  visitorName: string | null;
  visitorEmail: string | null;
  agentName: string | null;
  companyName: string | null;
}

/**
 * Fills {{visitor.name}}, {{visitor.email}}, {{agent.name}} and {{company.name}} (spaces inside the braces allowed).
 * Missing values: visitor.name → "there" (reads well in "Hi {{visitor.name}}"), agent.name → "the team",
 * visitor.email and company.name → empty. Unknown variables stay as typed, so a typo is visible before sending.
 */
export function fillVariables(body: string, ctx: CannedContext): string {
  const values: Record<string, string> = {
    'visitor.name': ctx.visitorName?.trim() || 'there',
    'visitor.email': ctx.visitorEmail?.trim() || '',
    'agent.name': ctx.agentName?.trim() || 'the team',
    'company.name': ctx.companyName?.trim() || '',
  };
  return body.replace(/\{\{\s*([a-z]+\.[a-z]+)\s*\}\}/g, (whole, key: string) => values[key] ?? whole);
}

/** The picker's query when the whole draft is a `/` command ("/ref" → "ref"), else null (picker closed). */
export function slashQuery(draft: string): string | null {
  const m = /^\/([a-z0-9_-]{0,32})$/i.exec(draft);
  return m ? m[1]!.toLowerCase() : null;
}

/** Canned responses matching a query: shortcut prefix first, then shortcut or title containing it. */
export function matchCanned(list: readonly CannedResponse[], query: string, limit = 8): CannedResponse[] {
  const q = query.toLowerCase();
  const prefix = list.filter((c) => c.shortcut.startsWith(q));
  const rest = list.filter((c) => !c.shortcut.startsWith(q) && (c.shortcut.includes(q) || c.title.toLowerCase().includes(q)));
  return [...prefix, ...rest].slice(0, limit);
}
