import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { StageKey } from '@faceless/contracts';
import type { RunnerHooks, StageClient } from '@faceless/pipeline';
import { stepChannel, type StepContext } from '@faceless/runtime';

/** One child step of a stage (an ffmpeg or espeak-ng run…), as 'faceless:step' published it. */
export interface StepTiming {
  name: string;
  summary: string;
  seconds: number;
  failed: boolean;
}

/** A stage of this make: its wall time and slowest step, or kept from an earlier run. */
export type StageTiming =
  | { stage: StageKey; resumed: true }
  | { stage: StageKey; resumed: false; seconds: number; steps: number; slowest?: StepTiming };

export interface TimingsRecorder {
  /** The runner's hooks with the stages' wall times taken on the way (onStageStart to onStageDone). */
  hooks<H extends RunnerHooks>(next: H): H;
  /** The client with each call run in an async context that names its stage: its steps are counted there. */
  client(inner: StageClient): StageClient;
  /** Runs `run` while listening to 'faceless:step'. */
  during<T>(run: () => Promise<T>): Promise<T>;
  /** The stages that finished or were resumed, in the order the runner met them. */
  timings(): StageTiming[];
}

/**
 * Times a make for `--timings`. Stages run one after another, but a stage's steps overlap (the video's
 * chunks render side by side), so a step belongs to the stage whose call it ran under, not to the
 * moment it ran.
 */
export function timingsRecorder(): TimingsRecorder {
  const currentStage = new AsyncLocalStorage<StageKey>();
  const stages = new Map<StageKey, StageTiming>();
  const startedAt = new Map<StageKey, number>();
  const steps = new Map<StageKey, { count: number; slowest?: StepTiming }>();
  const running = new WeakMap<StepContext, { stage: StageKey; at: number }>();

  const subscribers = {
    start(context: StepContext): void {
      const stage = currentStage.getStore();
      if (stage) running.set(context, { stage, at: performance.now() });
    },
    end(): void {},
    asyncStart(): void {},
    asyncEnd(context: StepContext): void {
      const run = running.get(context);
      if (!run) return;
      running.delete(context);
      const step: StepTiming = { name: context.name, summary: context.summary, seconds: (performance.now() - run.at) / 1000, failed: context.error !== undefined };
      const seen = steps.get(run.stage) ?? { count: 0 };
      steps.set(run.stage, { count: seen.count + 1, slowest: seen.slowest && seen.slowest.seconds >= step.seconds ? seen.slowest : step });
    },
    error(): void {},
  };

  return {
    hooks(next) {
      return {
        ...next,
        onStageSkipped(stage, record) {
          stages.set(stage, { stage, resumed: true });
          next.onStageSkipped?.(stage, record);
        },
        onStageStart(stage, info) {
          startedAt.set(stage, performance.now());
          next.onStageStart?.(stage, info);
        },
        onStageDone(stage, record) {
          const seconds = (performance.now() - (startedAt.get(stage) ?? performance.now())) / 1000;
          const { count, slowest } = steps.get(stage) ?? { count: 0 };
          stages.set(stage, { stage, resumed: false, seconds, steps: count, ...(slowest ? { slowest } : {}) });
          next.onStageDone?.(stage, record);
        },
      };
    },
    client(inner) {
      return { call: (stage, input, options) => currentStage.run(stage, () => inner.call(stage, input, options)) };
    },
    async during(run) {
      stepChannel.subscribe(subscribers);
      try {
        return await run();
      } finally {
        stepChannel.unsubscribe(subscribers);
      }
    },
    timings: () => [...stages.values()],
  };
}

export interface WaterfallOptions {
  /** The terminal's columns; lines never get longer. */
  width: number;
  /** Bold header and dim resumed rows; off when the output is not a terminal. */
  ansi: boolean;
}

const BAR_MAX = 24;
/** Narrower than this, the slowest step goes on a line of its own under its stage. */
const STEP_MIN = 24;

/** "0.1 s", "14.2 s", "2 m 05 s". */
export function formatSeconds(seconds: number): string {
  if (seconds < 59.95) return `${seconds.toFixed(1)} s`;
  const whole = Math.round(seconds);
  return `${Math.floor(whole / 60)} m ${String(whole % 60).padStart(2, '0')} s`;
}

/** Whole percentages of the total that add up to 100 (largest remainders round up). */
export function sharesOf(seconds: readonly number[]): number[] {
  const total = seconds.reduce((a, b) => a + b, 0);
  if (total <= 0) return seconds.map(() => 0);
  const exact = seconds.map((s) => (s / total) * 100);
  const shares = exact.map(Math.floor);
  const order = exact.map((x, i) => ({ i, rest: x - Math.floor(x) })).sort((a, b) => b.rest - a.rest);
  let missing = 100 - shares.reduce((a, b) => a + b, 0);
  for (const { i } of order) {
    if (missing <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    missing--;
  }
  return shares;
}

function clip(text: string, width: number): string {
  if (width <= 0) return '';
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** "ffmpeg 3.9 s (chunk-003.mp4 ← clip.mp4: -frames:v 450 …)", the summary cut to fit `width`. */
function describeStep(step: StepTiming | undefined, width: number): string {
  if (!step) return '–';
  const head = `${step.name} ${formatSeconds(step.seconds)}${step.failed ? ' failed' : ''}`;
  const room = width - head.length - 3;
  return room >= 8 && step.summary ? `${head} (${clip(step.summary, room)})` : clip(head, width);
}

/**
 * The waterfall `faceless make --timings` prints: a row per stage with its wall time, its share of the
 * stages that ran, a bar placed where the stage fell in the run, and its slowest step.
 */
export function formatWaterfall(timings: readonly StageTiming[], options: WaterfallOptions): string {
  const ran = timings.filter((t) => !t.resumed);
  const shares = sharesOf(ran.map((t) => t.seconds));
  const total = ran.reduce((sum, t) => sum + t.seconds, 0);
  const wall = (t: StageTiming): string => (t.resumed ? 'resumed' : formatSeconds(t.seconds));
  const nameW = Math.max('stage'.length, 'total'.length, ...timings.map((t) => t.stage.length));
  const wallW = Math.max('wall'.length, formatSeconds(total).length, ...timings.map((t) => wall(t).length));
  const shareW = '100 %'.length;
  const fixed = nameW + 2 + wallW + 2 + shareW + 2;
  const room = Math.max(0, options.width - fixed);
  let barW = Math.min(BAR_MAX, Math.floor(room * 0.35));
  if (barW < 6) barW = 0;
  const stepW = room - (barW > 0 ? barW + 2 : 0);
  const stepBelow = stepW < STEP_MIN;
  const bold = (s: string): string => (options.ansi ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string): string => (options.ansi ? `\x1b[2m${s}\x1b[0m` : s);

  const row = (name: string, wallText: string, share: string, bar: string, step: string): string => {
    const cells = [name.padEnd(nameW), wallText.padStart(wallW), share.padStart(shareW)];
    if (barW > 0) cells.push(bar.padEnd(barW));
    if (!stepBelow) cells.push(step);
    return cells.join('  ').trimEnd();
  };

  const lines = ['', bold(row('stage', 'wall', 'share', '', stepBelow ? '' : 'slowest step'))];
  let before = 0;
  let shareIndex = 0;
  for (const t of timings) {
    if (t.resumed) {
      lines.push(dim(row(t.stage, 'resumed', '', '', '')));
      continue;
    }
    const share = shares[shareIndex++] ?? 0;
    const from = total > 0 ? Math.round((before / total) * barW) : 0;
    before += t.seconds;
    const to = total > 0 ? Math.round((before / total) * barW) : 0;
    const bar = barW > 0 ? ' '.repeat(Math.min(from, barW - 1)) + (to > from ? '█'.repeat(to - from) : '▏') : '';
    const step = describeStep(t.slowest, stepBelow ? options.width - 4 : stepW);
    lines.push(row(t.stage, formatSeconds(t.seconds), `${share} %`, bar, step));
    if (stepBelow && t.slowest) lines.push(`    ${step}`);
  }
  lines.push(row('total', formatSeconds(total), ran.length > 0 ? '100 %' : '', '', ''));
  return `${lines.join('\n')}\n`;
}
