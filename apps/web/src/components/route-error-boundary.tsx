import { Component, type ReactNode } from 'react';

/**
 * Catches a page that failed to render or whose code chunk failed to load (for example after a
 * new version was deployed), so the shell and navigation stay usable.
 */
export class RouteErrorBoundary extends Component<{ children: ReactNode }, { error?: Error }> {
  override state: { error?: Error } = {};
  static getDerivedStateFromError(error: Error) {
    return { error };
  }
  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div role="alert" className="problem">
        <p>This page could not be shown: {this.state.error.message}</p>
        <button type="button" onClick={() => window.location.reload()}>
          Reload
        </button>
      </div>
    );
  }
}
