import type { PipelineState } from '@faceless/contracts';

export function formatTime(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString();
}

/** 75 → "1:15" (chapters, durations). */
export function formatClock(sec: number): string {
  const s = Math.max(0, Math.round(sec));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${r}` : `${m}:${r}`;
}

export function formatMs(ms: number | undefined): string {
  if (ms === undefined) return '';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export const TERMINAL_STATES: readonly PipelineState[] = ['Completed', 'Failed'];

/** Filter groups of the pipelines list. */
export const STATE_FILTERS = {
  all: 'All',
  active: 'Queued or running',
  Review: 'Waiting for review',
  Completed: 'Completed',
  Failed: 'Failed',
} as const;
export type StateFilter = keyof typeof STATE_FILTERS;

export function matchesFilter(state: PipelineState, filter: StateFilter): boolean {
  switch (filter) {
    case 'all':
      return true;
    case 'active':
      return !TERMINAL_STATES.includes(state) && state !== 'Review';
    case 'Review':
    case 'Completed':
    case 'Failed':
      return state === filter;
  }
}
