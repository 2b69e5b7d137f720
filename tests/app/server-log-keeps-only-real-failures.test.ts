// The dashboard's server log: an unknown URL or a browser that went away is not a failure and is not logged; a
// thrown error in a loader is (app/entry.server.tsx handleError).
import { afterEach, describe, expect, it, vi } from 'vitest';
import { handleError } from '../../app/entry.server.tsx';

const args = (aborted = false) => {
  const controller = new AbortController();
  if (aborted) controller.abort();
  return { request: new Request('http://dashboard.test/nope', { signal: controller.signal }), params: {}, context: {} };
};
// What Remix throws for a URL no route matches (an internal route error response).
const noRouteMatches = { status: 404, statusText: 'Not Found', internal: true, data: 'Error: No route matches URL "/nope"' };

describe('the server log', () => {
  afterEach(() => vi.restoreAllMocks());

  it('does not log an unknown URL (answered with the 404 page)', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    handleError(noRouteMatches, args());
    expect(log).not.toHaveBeenCalled();
  });

  it('does not log a request the browser aborted', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    handleError(new Error('socket hang up'), args(true));
    expect(log).not.toHaveBeenCalled();
  });

  it('logs a real failure, and a 5xx route error', () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const failure = new Error('relation does not exist');
    handleError(failure, args());
    handleError({ ...noRouteMatches, status: 503, statusText: 'Service Unavailable' }, args());
    expect(log).toHaveBeenCalledTimes(2);
    expect(log).toHaveBeenCalledWith(failure);
  });
});
