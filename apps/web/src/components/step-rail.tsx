export interface RailStep {
  key: string;
  label: string;
}

interface StepRailProps {
  steps: readonly RailStep[];
  current: string;
  /** Steps the user may jump back to (already completed). */
  reachable: (key: string) => boolean;
  onSelect: (key: string) => void;
}

/** The wizard's step rail: where you are, what is done, and a way back to finished steps. */
export function StepRail({ steps, current, reachable, onSelect }: StepRailProps) {
  const currentIndex = steps.findIndex((s) => s.key === current);
  return (
    <nav aria-label="Wizard progress" className="step-rail">
      <ol>
        {steps.map((step, i) => {
          const state = i < currentIndex ? 'done' : i === currentIndex ? 'current' : 'todo';
          return (
            <li key={step.key} data-state={state}>
              <button
                type="button"
                className="rail-step"
                aria-current={state === 'current' ? 'step' : undefined}
                disabled={state === 'current' || !reachable(step.key)}
                onClick={() => onSelect(step.key)}
              >
                <span className="rail-marker" aria-hidden="true">
                  {state === 'done' ? '✓' : i + 1}
                </span>
                <span>{step.label}</span>
                {state === 'done' && <span className="visually-hidden"> (done)</span>}
              </button>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
