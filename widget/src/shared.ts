// Pieces the launcher and the panel share (kept tiny: both ship them).

export interface WidgetConfig {
  key: string;
  companyName: string;
  title: string;
  greeting: string;
  launcherLabel: string;
  primaryColor: string;
  accentColor: string;
  position: 'bottom-right' | 'bottom-left' | 'top-right' | 'top-left';
  autoOpenAfterSeconds: number | null;
  locale: string;
  prechat: { name: FieldMode; email: FieldMode; phone: FieldMode };
}
export type FieldMode = 'off' | 'optional' | 'required';

export interface Options {
  widgetKey: string;
  supabaseUrl: string;
  anonKey: string;
  locale: string | null;
}

/** What the launcher hands the panel. */
export interface PanelHost {
  options: Options;
  config: WidgetConfig | null;
  /** Where the panel renders (inside the launcher's shadow root). */
  container: HTMLElement;
  locale: string;
  isOpen(): boolean;
  close(): void;
  emit(event: 'message' | 'unread', detail: unknown): void;
  setUnread(n: number): void;
}

export interface PanelApi {
  opened(): void;
  identify(v: { name?: string; email?: string }): void;
}

export const storageKey = (widgetKey: string, what: string) => `porchlight:${widgetKey}:${what}`;
