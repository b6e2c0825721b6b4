import type { Language } from '@faceless/contracts';
import { EN } from './templates/en.ts';
import { FR } from './templates/fr.ts';

/**
 * The `n` content words a text repeats most (ties: first seen), as visual keywords for text that came
 * without any. Short words and the language's stop words are skipped.
 */
export function salientWords(text: string, lang: Language, n = 3): string[] {
  const stop = (lang === 'fr' ? FR : EN).stopWords;
  const counts = new Map<string, { count: number; first: number }>();
  text.toLowerCase().replace(/[’‘]/g, "'").split(/[^\p{L}\p{N}'-]+/u).forEach((raw, i) => {
    const w = raw.replace(/^[a-z]'/, '').replace(/^['-]+|['-]+$/g, '');
    if (w.length < 4 || stop.has(w) || /^\d+$/.test(w)) return;
    const c = counts.get(w);
    counts.set(w, { count: (c?.count ?? 0) + 1, first: c?.first ?? i });
  });
  return [...counts.entries()]
    .sort((a, b) => b[1].count - a[1].count || a[1].first - b[1].first)
    .slice(0, n)
    .map(([w]) => w);
}
