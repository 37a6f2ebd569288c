import { Link } from 'react-router';

export function NotFoundPage() {
  return (
    <section>
      <h1>Not found</h1>
      <p>
        There is no page here. <Link to="/">Back to the overview</Link>
      </p>
    </section>
  );
}
