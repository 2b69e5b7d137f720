// A company of its own for a browser spec (away mode, verification, …), so that changing its settings never
// reaches the other specs' pk_demo_acme (the widget functions cache widgets for a few seconds), and the
// HMAC a customer's backend would compute for identify().
import { createHmac, randomUUID } from 'node:crypto';
import type { Page } from '@playwright/test';
import pg from 'pg';
import { createCompany } from '../support/factories.ts';
import { DEMO } from './support.ts';

export interface OwnWidget {
  key: string;
  companyId: string;
  /** The demo page embedding this widget. */
  url: string;
}

/** A fresh company whose widget has `settings`, with optional office hours and identity secret rows. */
export async function ownWidget(settings: Record<string, unknown> = {}, extra: { hours?: Record<string, unknown>; secret?: string } = {}): Promise<OwnWidget> {
  const key = `pk_e2e_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const db = new pg.Client({ connectionString: process.env.PORCHLIGHT_DB_URL });
  await db.connect();
  try {
    await db.query('begin');
    const { companyId } = await createCompany(db, { name: 'Acme', widgetKey: key, widget: { allowed_origins: [DEMO()], ...settings } });
    if (extra.hours) {
      const cols = Object.keys(extra.hours);
      await db.query(`insert into public.office_hours (company_id, ${cols.join(', ')}) values ($1, ${cols.map((_, i) => `$${i + 2}`).join(', ')})`, [companyId, ...Object.values(extra.hours)]);
    }
    if (extra.secret) await db.query('insert into public.widget_identity_secrets (company_id, secret) values ($1, $2)', [companyId, extra.secret]);
    await db.query('commit');
    return { key, companyId, url: `${DEMO()}/?key=${key}` };
  } finally {
    await db.end();
  }
}

export const userHash = (secret: string, userId: string) => createHmac('sha256', secret).update(userId).digest('hex');

/** Porchlight.identify(...) on the page (after widget.js has loaded). */
export async function identify(page: Page, v: Record<string, string>) {
  await page.waitForFunction(() => Boolean((window as unknown as { Porchlight?: { version?: string } }).Porchlight?.version));
  await page.evaluate((x) => (window as unknown as { Porchlight: { identify(v: object): void } }).Porchlight.identify(x), v);
}
