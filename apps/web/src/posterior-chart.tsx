import { posteriorCurves } from './beta-density.ts';

const WIDTH = 640;
const HEIGHT = 240;
const PAD = { left: 16, right: 16, top: 12, bottom: 40 };
/** Colour and dash per variant: told apart without colour too. */
const STYLES = [
  { stroke: '#0b57d0', dash: '' },
  { stroke: '#b3261e', dash: '8 4' },
  { stroke: '#146c2e', dash: '2 3' },
  { stroke: '#7a4f00', dash: '10 3 2 3' },
  { stroke: '#5b2c83', dash: '4 2' },
];

export interface ChartVariant {
  label: string;
  alpha: number;
  beta: number;
  lower: number;
  upper: number;
  probabilityBest: number;
}

const percent = (x: number): string => `${(x * 100).toFixed(x < 0.1 ? 1 : 0)} %`;

/**
 * Each variant's posterior of its CTR (a Beta density), drawn as SVG: no chart library, nothing from a CDN.
 * The numbers behind it are in the variants table; the figure's description says who leads.
 */
export function PosteriorChart({ variants }: { variants: ChartVariant[] }) {
  const usable = variants.filter((v) => v.alpha > 0 && v.beta > 0);
  if (usable.length === 0) return <p>No posterior yet: import metrics first.</p>;
  const { from, to, peak, curves } = posteriorCurves(usable);
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const x = (v: number): number => PAD.left + ((v - from) / (to - from || 1)) * plotW;
  const y = (d: number): number => PAD.top + plotH - (peak > 0 ? (d / peak) * plotH : 0);
  const ticks = Array.from({ length: 5 }, (_, i) => from + ((to - from) * i) / 4);
  const leader = [...usable].sort((a, b) => b.probabilityBest - a.probabilityBest)[0];
  const description = `Posterior CTR of ${usable.length} variants from ${percent(from)} to ${percent(to)}. `
    + usable.map((v) => `${v.label}: 95 % between ${percent(v.lower)} and ${percent(v.upper)}, P(best) ${percent(v.probabilityBest)}`).join('; ')
    + (leader ? `. ${leader.label} leads.` : '.');
  return (
    <figure class="posterior">
      <svg viewBox={`0 0 ${WIDTH} ${HEIGHT}`} role="img" aria-labelledby="posterior-title posterior-desc" class="posterior-chart">
        <title id="posterior-title">Posterior of each variant's click-through rate</title>
        <desc id="posterior-desc">{description}</desc>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={PAD.top + plotH} y2={PAD.top + plotH} class="axis" />
        {ticks.map((t) => (
          <g key={t}>
            <line x1={x(t)} x2={x(t)} y1={PAD.top + plotH} y2={PAD.top + plotH + 5} class="axis" />
            <text x={x(t)} y={PAD.top + plotH + 20} text-anchor="middle" class="tick">{percent(t)}</text>
          </g>
        ))}
        <text x={WIDTH / 2} y={HEIGHT - 4} text-anchor="middle" class="tick">click-through rate</text>
        {curves.map((c, i) => {
          const style = STYLES[i % STYLES.length] ?? STYLES[0]!;
          const d = c.points.map(([px, py], j) => `${j === 0 ? 'M' : 'L'}${x(px).toFixed(1)},${y(py).toFixed(1)}`).join(' ');
          return <path key={c.label} d={d} fill="none" stroke={style.stroke} stroke-width={2.5} stroke-dasharray={style.dash || undefined} data-variant={c.label} />;
        })}
      </svg>
      <figcaption>
        <ul class="legend">
          {usable.map((v, i) => {
            const style = STYLES[i % STYLES.length] ?? STYLES[0]!;
            return (
              <li key={v.label}>
                <svg width="36" height="10" aria-hidden="true"><line x1="0" x2="36" y1="5" y2="5" stroke={style.stroke} stroke-width={2.5} stroke-dasharray={style.dash || undefined} /></svg>
                {' '}{v.label}: P(best) {percent(v.probabilityBest)}
              </li>
            );
          })}
        </ul>
      </figcaption>
    </figure>
  );
}
