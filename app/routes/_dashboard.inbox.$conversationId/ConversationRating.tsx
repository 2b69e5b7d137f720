// The visitor's rating of this conversation (CSAT), beside the thread: stars or a thumb, and their comment.
import type { RatingRow } from '../../models/ratings.server.ts';

/** "4 of 5 stars" / "Thumbs up": the words a screen reader and the eye both get. */
export function ratingLabel(r: Pick<RatingRow, 'scale' | 'score'>): string {
  if (r.scale === 'thumbs') return r.score === 1 ? 'Thumbs up' : 'Thumbs down';
  return `${r.score} of 5 stars`;
}

export function ConversationRating({ rating }: { rating: RatingRow | null }) {
  return (
    <section aria-labelledby="rating-heading" data-testid="conversation-rating">
      <h3 id="rating-heading">Rating</h3>
      {rating ? (
        <>
          <p>
            <span aria-hidden="true">{rating.scale === 'thumbs' ? (rating.score === 1 ? '👍 ' : '👎 ') : `${'★'.repeat(rating.score)}${'☆'.repeat(5 - rating.score)} `}</span>
            <strong>{ratingLabel(rating)}</strong>
          </p>
          {rating.comment ? <blockquote className="muted">{rating.comment}</blockquote> : null}
        </>
      ) : (
        <p className="muted">Not rated yet.</p>
      )}
    </section>
  );
}
