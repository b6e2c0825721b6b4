import { createOperatorMetrics, type MetricsRegistry } from '@faceless/runtime';
import type { RenderReport } from './stage.ts';

/** Records each render's speed (seconds of video per second of wall time) on the service's /metrics registry. */
export function renderMetricsRecorder(registry: MetricsRegistry): (report: RenderReport) => void {
  const m = createOperatorMetrics(registry, ['renderSpeed', 'renderedVideo', 'renderWall']);
  return ({ videoSec, wallSec, width, height }) => {
    const labels = { resolution: `${width}x${height}` };
    m.renderedVideo.inc(labels, videoSec);
    m.renderWall.inc(labels, wallSec);
    if (wallSec > 0) m.renderSpeed.observe(labels, videoSec / wallSec);
  };
}
