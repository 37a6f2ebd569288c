import { useEffect, useId, useMemo, useRef, useState } from 'react';
import { downloadText } from '../../lib/format.ts';
import { filterEvents, formatLogLine, logFileText, type RunEvent } from '../../lib/run-events.ts';

/** The live log: follow the tail, search it, download it. */
export function RunLog({ events, runId }: { events: readonly RunEvent[]; runId: string }) {
  const [follow, setFollow] = useState(true);
  const [query, setQuery] = useState('');
  const logRef = useRef<HTMLDivElement>(null);
  const searchId = useId();
  const shown = useMemo(() => filterEvents(events, query), [events, query]);
  useEffect(() => {
    const log = logRef.current;
    if (follow && log && shown.length) log.scrollTop = log.scrollHeight;
  }, [follow, shown]);
  return (
    <section aria-labelledby="log-heading" className="run-log">
      <div className="log-toolbar">
        <h2 id="log-heading">Log</h2>
        <label htmlFor={searchId} className="inline-field">
          Search
          <input id={searchId} type="search" value={query} onChange={(e) => setQuery(e.target.value)} />
        </label>
        <label className="inline-field">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow
        </label>
        <button
          type="button"
          className="secondary"
          disabled={events.length === 0}
          onClick={() => downloadText(`dolly-run-${runId}.log`, logFileText(events))}
        >
          Download log
        </button>
        <span className="muted small" role="status">
          {query ? `${shown.length} of ${events.length} lines` : `${events.length} lines`}
        </span>
      </div>
      {/* biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable log must be focusable to scroll it by keyboard */}
      <div className="log" role="log" aria-label="Run log" ref={logRef} tabIndex={0}>
        {shown.map((e) => (
          <div key={e.id} className={`log-line level-${e.level}`} data-event-id={e.id}>
            {formatLogLine(e)}
          </div>
        ))}
      </div>
    </section>
  );
}
