// A visitor's Gravatar address (a 404 when they have none: the avatar then keeps its initials).
import { createHash } from 'node:crypto';

export function gravatarUrl(email: string | null | undefined): string | null {
  if (!email) return null;
  const hash = createHash('md5').update(email.trim().toLowerCase()).digest('hex');
  return `https://www.gravatar.com/avatar/${hash}?s=96&d=404`;
}
