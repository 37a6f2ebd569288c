import type { RunDto } from '@dolly/contracts';
import { useMutation } from '@tanstack/react-query';
import { useNavigate } from 'react-router';
import { api } from '../lib/api.ts';
import type { SessionInfo } from '../lib/session.ts';

export function HomePage({ session }: { session: SessionInfo }) {
  const navigate = useNavigate();
  const selftest = useMutation({
    mutationFn: () => api<RunDto>('/api/v1/selftest', { method: 'POST', body: {} }),
    onSuccess: (run) => navigate(`/runs/${run.id}`),
  });
  const canRun = session.role !== 'viewer';
  return (
    <section>
      <h1>Overview</h1>
      <p>
        Signed in as <strong>{session.user.name}</strong> ({session.role}) in tenant{' '}
        <strong>{session.tenant.name}</strong>.
      </p>
      <div className="card">
        <h2>Installation self-test</h2>
        <p>
          Runs a job through the queue and a worker, writes to the database and streams its progress back
          here.
        </p>
        <button
          type="button"
          onClick={() => selftest.mutate()}
          disabled={!canRun || selftest.isPending}
          title={canRun ? undefined : 'Viewers cannot start runs'}
        >
          Run self-test
        </button>
        {!canRun && <p className="muted">Viewers cannot start runs.</p>}
        {selftest.error && (
          <p role="alert" className="error">
            {selftest.error.message}
          </p>
        )}
      </div>
    </section>
  );
}
