import { STAGES, type StageKey } from '@faceless/contracts';
import type { RunnerHooks, StageRecord } from '@faceless/orchestrator';

const LABELS: Record<StageKey, string> = {
  keywords: 'Keywords', script: 'Script', audio: 'Voice-over', video: 'Video', thumbnail: 'Thumbnails',
  metadata: 'Metadata', upload: 'Publish', abtest: 'A/B test',
};

export interface ProgressOutput {
  write(text: string): void;
  isTTY: boolean;
}

function seconds(record: StageRecord): string {
  return `${((Date.parse(record.finishedAt) - Date.parse(record.startedAt)) / 1000).toFixed(1)}s`;
}

/** Live progress, one line per stage: redrawn in place on a terminal, plain lines in a log. */
export function progressView(out: ProgressOutput, describe: (stage: StageKey, output: unknown) => string): RunnerHooks {
  const n = STAGES.length;
  const pos = (stage: StageKey): string => `[${STAGES.findIndex((s) => s.key === stage) + 1}/${n}]`;
  let lastLogged = -1;
  let liveLine = false;
  const clearLive = (): void => {
    if (liveLine && out.isTTY) out.write('\r\x1b[2K');
    liveLine = false;
  };
  return {
    onStageSkipped(stage, record) {
      out.write(`✓ ${pos(stage)} ${LABELS[stage].padEnd(11)} done earlier, kept (${describe(stage, record.output)})\n`);
    },
    onStageStart(stage) {
      lastLogged = -1;
      if (out.isTTY) {
        out.write(`… ${pos(stage)} ${LABELS[stage].padEnd(11)} starting`);
        liveLine = true;
      } else out.write(`… ${pos(stage)} ${LABELS[stage]} started\n`);
    },
    onStageProgress(stage, fraction, note) {
      const pct = Math.max(0, Math.min(100, Math.round(fraction * 100)));
      if (out.isTTY) {
        clearLive();
        out.write(`… ${pos(stage)} ${LABELS[stage].padEnd(11)} ${String(pct).padStart(3)}%${note ? `  ${note}` : ''}`);
        liveLine = true;
      } else if (pct >= lastLogged + 25 || (pct === 100 && lastLogged < 100)) {
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
