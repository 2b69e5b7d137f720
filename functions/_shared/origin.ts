// The page's origin against the widget's allow-list: CORS answers only allowed origins.
import { PREFLIGHT_MAX_AGE_SECONDS } from './limits.ts';
import { type Widget, widgetUnavailable } from './widget-lookup.ts';

export function originAllowed(widget: Widget, origin: string | null): origin is string {
  return Boolean(origin && widget.allowed_origins.includes(origin));
}

/** CORS headers for an allowed origin (none otherwise, so the browser blocks the response). */
export function corsHeaders(origin: string | null, allowed: boolean): Record<string, string> {
  if (!allowed || !origin) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type',
    'Access-Control-Allow-Methods': 'GET, POST, OPTIONS',
    'Access-Control-Expose-Headers': 'Retry-After',
    // One OPTIONS (an invocation) per visitor per 2 hours, not per page view.
    'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
    Vary: 'Origin',
  };
}

export function requireOrigin(widget: Widget, origin: string | null): asserts origin is string {
  if (!originAllowed(widget, origin)) throw widgetUnavailable();
}
