import { STAGES, type StageKey } from '@faceless/contracts';
import type { RunnerHooks, StageRecord } from '@faceless/pipeline';

const LABELS: Record<StageKey, string> = {
  keywords: 'Keywords', script: 'Script', audio: 'Voice-over', video: 'Video', thumbnail: 'Thumbnails',
  metadata: 'Metadata', upload: 'Publish', abtest: 'A/B test',
};

export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
  /** Where warnings go (stderr); `write` when absent. On a terminal both show in the same place. */
  note?(text: string): void;
}

export interface ProgressView extends RunnerHooks {
  /** A log line (pino's JSON) shown as a readable line of its own, above the progress line. */
  log(line: string): void;
}

const MARKS: Record<string, string> = { warn: '⚠', error: '✖', fatal: '✖', info: '·', debug: '·', trace: '·' };
/** Fields every line carries that say nothing to a person reading a terminal. */
const QUIET = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'pipelineId', 'stage', 'service']);

function short(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value && typeof value === 'object' && 'message' in value && typeof value.message === 'string') return value.message;
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/**
 * One of the logger's JSON lines as a person reads it: "⚠ Voice-over: no ElevenLabs key, using
 * espeak-ng (voice en)", the stage's name first, the fields that matter after. A line that is not
 * JSON is returned as it is.
 */
export function readableLogLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    const parsed: unknown = JSON.parse(line);
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) return line;
    entry = parsed as Record<string, unknown>;
  } catch {
    return line;
  }
  const mark = MARKS[String(entry.level)] ?? '·';
  const stage = typeof entry.stage === 'string' && entry.stage in LABELS ? `${LABELS[entry.stage as StageKey]}: ` : '';
  const details = Object.entries(entry)
    .filter(([key, value]) => !QUIET.has(key) && value !== undefined && value !== null)
    .map(([key, value]) => (key === 'err' || key === 'error' ? short(value) : `${key} ${short(value)}`));
  return `${mark} ${stage}${typeof entry.msg === 'string' ? entry.msg : ''}${details.length > 0 ? ` (${details.join(', ')})` : ''}`;
}

function seconds(record: StageRecord): string {
  return `${((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000).toFixed(1)}s`;
}

/** Live progress, one line per stage: redrawn in place on a terminal, plain lines in a log. */
export function progressView(out: ProgressOutput, describe: (stage: StageKey, output: unknown) => string): ProgressView {
  const n = STAGES.length;
  const pos = (stage: StageKey): string => `[${STAGES.findIndex((s) => s.key === stage) + 1}/${n}]`;
  let lastLogged = -1;
  let liveLine = false;
  let live = '';
  const clearLive = (): void => {
    if (liveLine && out.isTTY) out.write('\r\x1b[2K');
    liveLine = false;
  };
  /** The line redrawn in place on a terminal. */
  const showLive = (text: string): void => {
    clearLive();
    out.write(text);
    live = text;
    liveLine = true;
  };
  const writeNote = (text: string): void => (out.note ?? out.write)(text);
  return {
    log(line) {
      const wasLive = liveLine;
      clearLive();
      writeNote(`${readableLogLine(line)}\n`);
      if (wasLive && out.isTTY) showLive(live);
    },
    onStageSkipped(stage, record) {
      out.write(`✓ ${pos(stage)} ${LABELS[stage].padEnd(11)} done earlier, kept (${describe(stage, record.output)})\n`);
    },
    onStageStart(stage) {
      lastLogged = -1;
      if (out.isTTY) showLive(`… ${pos(stage)} ${LABELS[stage].padEnd(11)} starting`);
      else out.write(`… ${pos(stage)} ${LABELS[stage]} started\n`);
    },
    onStageProgress(stage, fraction, note) {
      const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
      if (out.isTTY) showLive(`… ${pos(stage)} ${LABELS[stage].padEnd(11)} ${String(pct).padStart(3)}%${note ? `  ${note}` : ''}`);
      else if (pct >= lastLogged + 25 || (pct === 100 && lastLogged < 100)) {
        lastLogged = pct - (pct % 25);
        out.write(`  ${pos(stage)} ${LABELS[stage]} ${pct}%${note ? ` ${note}` : ''}\n`);
      }
    },
    onStageDone(stage, record) {
      clearLive();
      out.write(`✓ ${pos(stage)} ${LABELS[stage].padEnd(11)} ${seconds(record).padStart(6)}  ${describe(stage, record.output)}\n`);
    },
    onRetry(stage, info) {
      clearLive();
      out.write(`! ${pos(stage)} ${LABELS[stage]} attempt ${info.attempt} failed (${info.error.message}); retrying in ${(info.delayMs / 1000).toFixed(1)}s\n`);
    },
  };
}
