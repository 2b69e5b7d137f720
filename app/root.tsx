import type { LinksFunction, MetaFunction } from '@remix-run/node';
import { isRouteErrorResponse, Links, Meta, Outlet, Scripts, ScrollRestoration, useRouteError } from '@remix-run/react';

export const meta: MetaFunction = () => [{ title: 'Porchlight' }];

export const links: LinksFunction = () => [
  { rel: 'stylesheet', href: '/dashboard.css' },
  { rel: 'icon', href: '/favicon.svg', type: 'image/svg+xml' },
];

export function Layout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <head>
        <meta charSet="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <Meta />
        <Links />
      </head>
      <body>
        {children}
        <ScrollRestoration />
        <Scripts />
      </body>
    </html>
  );
}

export default function App() {
  return <Outlet />;
}

export function ErrorBoundary() {
  const error = useRouteError();
  let title = 'Something went wrong';
  let message = 'Please reload the page.';
  if (isRouteErrorResponse(error)) {
    title = `${error.status} ${error.statusText}`;
    const data = error.data as { message?: string } | string | undefined;
    message = typeof data === 'string' ? data : (data?.message ?? message);
  }
  return (
    <main className="error-page">
      <h1>{title}</h1>
      <p>{message}</p>
      <p>
        <a href="/inbox">Back to the inbox</a> · <a href="/login">Sign in</a>
      </p>
    </main>
  );
}
