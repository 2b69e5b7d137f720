// Finding the widget a request names by its public key (?key=pk_…), cached for a few seconds per instance.
import { HttpError } from './http.ts';
import { widgetKey as widgetKeySchema } from './schemas.ts';
import { adminClient } from './supabase.ts';
import { type CacheHit, WidgetCache } from './widget-cache.ts';
import type { WidgetConfigRow } from './widget-row.ts';

/** The widget's row with its company's name and switch, as findWidget reads it. */
export interface Widget extends WidgetConfigRow {
  companies: { name: string; enabled: boolean } | null;
}

// Widgets change rarely and every visitor call needs one: keep them for a few seconds per function instance
// (bounded, unknown keys apart: widget-cache.ts). widget-config reads fresh (`fresh: true`) so saved settings
// show on the next uncached read. The database is the truth either way: the widget RPCs check key, switches and
// origin again in their own transaction, so a widget switched off within the TTL is refused there.
const WIDGET_TTL_MS = 5_000;
const cache = new WidgetCache<Widget>(WIDGET_TTL_MS);
const loading = new Map<string, Promise<CacheHit<Widget>>>();

async function loadWidget(key: string): Promise<CacheHit<Widget>> {
  const { data, error } = await adminClient().from('widget_configs').select('*, companies(name, enabled)').eq('widget_key', key).maybeSingle();
  if (error) throw new Error(`widget lookup failed: ${error.message}`);
  return cache.set(key, data as Widget | null);
}

/**
 * One answer for an unknown key, a widget or company switched off, and an origin the widget does not allow:
 * same status, code, body and headers, so nobody can tell which widget keys exist (docs/widget-api.md).
 */
export function widgetUnavailable(): HttpError {
  return new HttpError(404, 'widget_not_found', 'This chat widget does not exist, is switched off, or is not allowed on this website.');
}

export async function findWidget(key: string | null, { fresh = false }: { fresh?: boolean } = {}): Promise<Widget> {
  const parsed = widgetKeySchema.safeParse(key ?? '');
  if (!parsed.success) throw new HttpError(400, 'invalid_request', 'The widget key is missing or malformed (expected ?key=pk_…).');
  let hit = fresh ? await loadWidget(parsed.data) : cache.get(parsed.data);
  if (!hit) {
    // Requests that miss together share one lookup (no stampede on the database).
    let pending = loading.get(parsed.data);
    if (!pending) {
      pending = loadWidget(parsed.data).finally(() => loading.delete(parsed.data));
      loading.set(parsed.data, pending);
    }
    hit = await pending;
  }
  const widget = hit.value;
  if (!widget?.enabled || !widget.companies?.enabled) throw widgetUnavailable();
  return widget;
}
