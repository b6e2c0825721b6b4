import { tracingChannel } from 'node:diagnostics_channel';

/**
 * What a subscriber to 'faceless:step' receives. Node adds `result` when the step resolves and
 * `error` when it rejects (on the asyncStart/asyncEnd and error events).
 */
export interface StepContext {
  /** What ran: a command's basename (`ffmpeg`, `espeak-ng`) or a named piece of work. */
  name: string;
  /** A short, secret-free description of this run (its arguments, shortened). */
  summary: string;
  error?: unknown;
  result?: unknown;
}

/**
 * The child steps of a stage (each ffmpeg or espeak run…), published as a Node tracing channel:
 * `tracing:faceless:step:start` fires in the caller's async context, `asyncEnd` when the step settles,
 * `error` when it fails. The CLI's `--timings` and the OpenTelemetry spans subscribe here, so the code
 * that runs the steps knows neither.
 */
export const stepChannel = tracingChannel<StepContext>('faceless:step');

/**
 * Runs `fn` as a named step. With no subscriber it is a plain call; `summary` may be a function so
 * that building it costs nothing then.
 */
export function runStep<T>(name: string, summary: string | (() => string), fn: () => Promise<T>): Promise<T> {
  if (!stepChannel.hasSubscribers) return fn();
  const context: StepContext = { name, summary: typeof summary === 'function' ? summary() : summary };
  return stepChannel.tracePromise(fn, context);
}
