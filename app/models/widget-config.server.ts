// The company's widget_configs row: read for the settings page and its preview, written by the settings form.
import type { PostgrestError, SupabaseClient } from '@supabase/supabase-js';
import type { WidgetConfigRow } from '../../functions/_shared/widget-row.ts';

const WIDGET_CONFIG_COLUMNS =
  'company_id, widget_key, enabled, title, greeting, launcher_label, primary_color, accent_color, position, auto_open_after_seconds, locale, prechat_name, prechat_email, prechat_phone, allowed_origins';

export async function getWidgetConfig(supabase: SupabaseClient, companyId: string): Promise<WidgetConfigRow | null> {
  const { data, error } = await supabase.from('widget_configs').select(WIDGET_CONFIG_COLUMNS).eq('company_id', companyId).maybeSingle();
  if (error) throw new Error(`widget config: ${error.message}`);
  return data as WidgetConfigRow | null;
}

/** Rows saved (0: the company has no widget) or the database's refusal (RLS, a check constraint). */
export async function saveWidgetConfig(
  supabase: SupabaseClient,
  companyId: string,
  values: Omit<WidgetConfigRow, 'company_id' | 'widget_key'>,
): Promise<{ count: number; error: PostgrestError | null }> {
  const { data, error } = await supabase.from('widget_configs').update(values).eq('company_id', companyId).select('company_id');
  return { count: data?.length ?? 0, error };
}
