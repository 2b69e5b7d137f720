// A widget_configs row as the API returns it. The widget functions read it (_shared/widget-lookup.ts) and the
// dashboard's settings form writes it (app/lib/widget-config.ts): one definition, so the two cannot drift.
// What each column means is in its comment in the widget_configs migration.

export const POSITIONS = ['bottom-right', 'bottom-left', 'top-right', 'top-left'] as const;
export const PRECHAT = ['off', 'optional', 'required'] as const;

export interface WidgetConfigRow {
  company_id: string;
  widget_key: string;
  enabled: boolean;
  title: string;
  greeting: string;
  launcher_label: string;
  primary_color: string;
  accent_color: string;
  position: (typeof POSITIONS)[number];
  auto_open_after_seconds: number | null;
  locale: string;
  prechat_name: (typeof PRECHAT)[number];
  prechat_email: (typeof PRECHAT)[number];
  prechat_phone: (typeof PRECHAT)[number];
  allowed_origins: string[];
  /** identify() calls without a valid userHash are refused (issue 19). */
  require_verification?: boolean;
}
