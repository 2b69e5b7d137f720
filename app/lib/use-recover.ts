// Error boundaries of the signed-in pages: a loader that failed for a passing reason (the API or the network was
// down: a 5xx or no answer, never a 4xx) is retried every few seconds and when the browser is back online, so
// the page comes back by itself instead of stranding the agent on an error.
import { isRouteErrorResponse, useRevalidator } from '@remix-run/react';
import { useEffect, useRef } from 'react';

const RETRY_MS = 3000;

/** True while the error is a passing one (and being retried). */
export function useRecover(error: unknown): boolean {
  const passing = !isRouteErrorResponse(error) || error.status >= 500;
  const revalidator = useRevalidator();
  const revalidate = useRef(revalidator.revalidate);
  revalidate.current = revalidator.revalidate;
  useEffect(() => {
    if (!passing) return;
    const retry = () => revalidate.current();
    const timer = setInterval(retry, RETRY_MS);
    window.addEventListener('online', retry);
    return () => {
      clearInterval(timer);
      window.removeEventListener('online', retry);
    };
  }, [passing]);
  return passing;
}
