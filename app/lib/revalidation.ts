// When Remix re-runs the dashboard's loaders (shouldRevalidate of the signed-in routes). A change made from the
// conversation page (a reply, a read, status, assignee, bot) is broadcast by the database and applied in place by
// every tab, this one included, so it re-reads nothing; while the company channel is down nothing would arrive,
// so then it re-reads as Remix would.
import type { ShouldRevalidateFunction } from '@remix-run/react';

const APPLIED_IN_PLACE = new Set(['send', 'read', 'status', 'assign', 'bot']);

let channelLive = false;

/** The layout says whether the company channel is joined (events will arrive). */
export function setChannelLive(live: boolean) {
  channelLive = live;
}

export const liveShouldRevalidate: ShouldRevalidateFunction = ({ formMethod, formAction, formData, defaultShouldRevalidate }) => {
  const intent = formData?.get('intent');
  if (
    channelLive &&
    formMethod &&
    formMethod.toUpperCase() !== 'GET' &&
    formAction?.startsWith('/inbox/') &&
    typeof intent === 'string' &&
    APPLIED_IN_PLACE.has(intent)
  ) {
    return false;
  }
  return defaultShouldRevalidate;
};
