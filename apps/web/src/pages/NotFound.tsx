import { Link } from 'react-router-dom';

export function NotFoundPage() {
  return (
    <section className="page narrow">
      <h1>Page not found</h1>
      <p>
        There is nothing at this address. <Link to="/browse">Browse transcripts</Link> or <Link to="/transcripts/new">create one</Link>.
      </p>
    </section>
  );
}
