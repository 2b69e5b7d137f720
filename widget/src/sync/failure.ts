// What a failed call means for the visitor: the notice shown, and when the engine tries again by itself.
import { isHttpError } from '../client.ts';
import { afterFailure } from '../outbox.ts';
import type { Strings } from './ports.ts';

export interface AfterFailure {
  notice: string;
  /** The notice offers a retry button. */
  canRetry?: boolean;
  /** Try again after this many ms; none: only when the visitor acts. */
  retryIn?: number;
  /** The retry used the backoff, which doubles for the next one. */
  backedOff?: boolean;
}

/** `backoff`: the wait after a 5xx or network error (no answer); `online`: whether the browser has a network. */
export function afterError(err: unknown, t: Strings, online: boolean, backoff: number): AfterFailure {
  const what = afterFailure(isHttpError(err) ? err.status : 0);
  if (isHttpError(err) && err.code === 'over_request_rate_limit') {
    // Hosted Auth caps anonymous sign-ins per address: say so, retry when told, else when the visitor asks.
    return { notice: t.signInLimited, canRetry: true, retryIn: err.retryAfter ? err.retryAfter * 1000 : undefined };
  }
  if (isHttpError(err) && what === 'wait') {
    const wait = err.retryAfter ?? 30;
    return { notice: t.wait(wait), retryIn: wait * 1000 };
  }
  if (isHttpError(err) && what === 'refused') return { notice: err.code === 'message_too_long' ? t.tooLong : String(err.body.message ?? t.error) };
  return { notice: online ? t.error : t.offline, retryIn: backoff, backedOff: true };
}
