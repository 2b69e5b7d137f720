// The function's HMAC (WebCrypto, as Deno runs it) equals what the docs' Node snippet computes, hex of either case
// verifies, and anything else does not: another secret, another userId, a truncated or padded hash, no secret.
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { constantTimeEqual, hmacHex, verifyUserHash } from '../../functions/_shared/identity.ts';

const SECRET = '0f'.repeat(32);
const node = (secret: string, userId: string) => createHmac('sha256', secret).update(userId).digest('hex');

describe('identity hash', () => {
  it('computes HMAC-SHA256(userId) under the secret as lowercase hex, like the Node snippet (also for non-ASCII ids)', async () => {
    for (const userId of ['user_123', 'ünïcødé-42', '']) expect(await hmacHex(SECRET, userId)).toBe(node(SECRET, userId));
  });

  it('verifies the right hash in either case, and nothing else', async () => {
    const good = node(SECRET, 'user_123');
    expect(await verifyUserHash(SECRET, 'user_123', good)).toBe(true);
    expect(await verifyUserHash(SECRET, 'user_123', good.toUpperCase())).toBe(true);
    expect(await verifyUserHash('1e'.repeat(32), 'user_123', good)).toBe(false);
    expect(await verifyUserHash(SECRET, 'user_1234', good)).toBe(false);
    expect(await verifyUserHash(SECRET, 'user_123', good.slice(0, 63))).toBe(false);
    expect(await verifyUserHash(SECRET, 'user_123', `${good}0`)).toBe(false);
    expect(await verifyUserHash(null, 'user_123', good)).toBe(false);
  });

  it('compares strings of different lengths as unequal', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'ab')).toBe(false);
    expect(constantTimeEqual('', '')).toBe(true);
  });
});
