// Admins choose the scale the widget asks visitors to rate on (five stars or thumbs) when a conversation is resolved.
import { useFetcher } from '@remix-run/react';

export function RatingScaleForm({ scale }: { scale: 'five' | 'thumbs' }) {
  const fetcher = useFetcher<{ ok?: boolean; message?: string }>();
  return (
    <section className="card" aria-labelledby="scale-title">
      <h2 id="scale-title">Rating question</h2>
      <fetcher.Form method="post" className="report-filter">
        <input type="hidden" name="intent" value="scale" />
        <label>
          Visitors rate a resolved conversation with
          <select name="scale" defaultValue={scale}>
            <option value="five">Five stars</option>
            <option value="thumbs">Thumbs up or down</option>
          </select>
        </label>
        <button type="submit" disabled={fetcher.state !== 'idle'}>
          Save
        </button>
        <p role="status" className={fetcher.data && !fetcher.data.ok ? 'form-error' : 'notice'}>
          {fetcher.data?.message ?? ''}
        </p>
      </fetcher.Form>
    </section>
  );
}
