// The error boundary of an admin-only page. An agent who opens one (a 403 from requireAdmin) stays inside the
// dashboard layout, navigation included, and reads what the page needs; other failures say so and are retried.
import { isRouteErrorResponse, Link, useRouteError, useRouteLoaderData } from '@remix-run/react';
import { useRecover } from '../lib/use-recover.ts';
import type { loader as dashboardLoader } from '../routes/_dashboard/dashboard.server.ts';

/** Rendered by an admin-only route's ErrorBoundary; `page` names it in the message ("team"). */
export function AdminOnlyError({ page }: { page: string }) {
  const error = useRouteError();
  const retrying = useRecover(error);
  const company = useRouteLoaderData<typeof dashboardLoader>('routes/_dashboard')?.current.companyName;
  if (isRouteErrorResponse(error) && error.status === 403) {
    return (
      <main className="page" data-testid="admin-required">
        <h1>Admins only</h1>
        <p role="alert">{`The ${page} page needs the admin role${company ? ` in ${company}` : ''}. Ask an admin to change your role if you need it.`}</p>
        <p>
          <Link to="/inbox">Back to the inbox</Link>
        </p>
      </main>
    );
  }
  const data = isRouteErrorResponse(error) ? (error.data as { message?: string } | undefined) : undefined;
  return (
    <main className="page" role="alert" data-testid="route-error">
      <h1>{retrying ? 'Reconnecting…' : `The ${page} page could not be loaded`}</h1>
      <p>{data?.message ?? 'Try again in a moment.'}</p>
      <p>
        <Link to="/inbox">Back to the inbox</Link>
      </p>
    </main>
  );
}
