// What the composer tells the typing channel: a reply's draft, never a note's (ADR 0015: a note makes no signal).
import type { TypingHub } from './typing.client.ts';

export type ComposerMode = 'reply' | 'note';

/** The draft changed in this mode. A note sends nothing; switching to one ends a reply's typing already sent. */
export function composerTyping(hub: Pick<TypingHub, 'input' | 'stop'> | null | undefined, conversationId: string, mode: ComposerMode, draft: string) {
  if (!hub) return;
  if (mode === 'note') hub.stop(conversationId);
  else hub.input(conversationId, draft);
}
