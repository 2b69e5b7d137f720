// The inbox search's date range: two day fields submitted with the search form (from / to, both inclusive).
export function SearchDates({ from, to }: { from: string | null; to: string | null }) {
  return (
    <fieldset className="row search-dates">
      <legend className="sr-only">Messages between</legend>
      <label>
        From <input type="date" name="from" defaultValue={from ?? ''} />
      </label>
      <label>
        To <input type="date" name="to" defaultValue={to ?? ''} />
      </label>
      <button type="submit">Search</button>
    </fieldset>
  );
}
