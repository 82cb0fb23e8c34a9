import { Link } from 'react-router';

export function NotFound() {
  return (
    <section className="page">
      <h1>Not found</h1>
      <p>
        There is no page here. <Link to="/">Back to the projects</Link>
      </p>
    </section>
  );
}
