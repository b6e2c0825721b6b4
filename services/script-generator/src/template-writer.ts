import { WORDS_PER_MINUTE, type Language, type Script, type ScriptSection } from '@faceless/contracts';
import { countWords, finalizeScript, sectionCountFor, targetWordCount } from './script-stats.ts';
import { EN } from './templates/en.ts';
import { FR } from './templates/fr.ts';
import { SECTION_ROLES, type SectionRole, type TemplatePack } from './templates/template-pack.ts';
import { seededRandom } from '@faceless/runtime';

/** Languages with their own sentences; the others are written with the English ones (their `lang` stays theirs). */
export const TEMPLATE_PACKS: Partial<Record<Language, TemplatePack>> = { en: EN, fr: FR };

export const HEADING_MAX_CHARS = 40;
export const TITLE_MAX_CHARS = 70;

/** FNV-1a: a stable 32-bit hash, so that a topic always gets the same variants. */
export function hashText(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}


function chooser(random: () => number) {
  return {
    pick<T>(list: readonly T[]): T {
      const item = list[Math.floor(random() * list.length)];
      if (item === undefined) throw new Error('pick from an empty list');
      return item;
    },
    shuffle<T>(list: readonly T[]): T[] {
      const out = [...list];
      for (let i = out.length - 1; i > 0; i--) {
        const j = Math.floor(random() * (i + 1));
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}

export function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

function fill(template: string, vars: Record<string, string>): string {
  return capitalize(template.replace(/\{(\w+)\}/g, (m, name: string) => vars[name] ?? m));
}

/** The topic as prose: trailing punctuation removed, a leading question word or article lower-cased. */
export function proseTopic(topic: string, pack: TemplatePack): string {
  const t = topic.trim().replace(/\s+/g, ' ').replace(/[\s.?!;:,]+$/u, '').replace(/[’‘]/g, "'").replace(pack.nounOpening, '');
  const first = (t.split(' ')[0] ?? '').toLowerCase();
  const elided = /^[a-z]'/.exec(first)?.[0];
  return pack.lowerFirst.has(first) || (elided !== undefined && pack.lowerFirst.has(elided)) ? t.charAt(0).toLowerCase() + t.slice(1) : t;
}

/** The noun to film: the topic without stop words or, in a question topic, its verb (last in English, first in French). */
export function topicVisual(topic: string, pack: TemplatePack, lang: Language): string {
  const clause = pack.clauseOpening.test(topic);
  const subject = clause ? topic : topic.split(pack.ofPreposition).at(-1) ?? topic;
  let words = subject.toLowerCase().replace(/[^\p{L}\p{N}' -]/gu, ' ').split(/\s+/)
    .map((w) => w.replace(/^[a-z]'/, ''))
    .filter((w) => w.length > 1 && !pack.stopWords.has(w));
  if (clause && words.length >= 2) words = lang === 'en' ? words.slice(0, -1) : words.slice(1);
  if (words.length === 0) return topic.toLowerCase();
  if (words.length <= 2) return words.join(' ');
  return words.reduce((a, b) => (b.length > a.length ? b : a));
}

function keyOf(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/** Which section a keyword belongs to: its most specific cue wins ("bitcoin myths" → mistakes, not basics). */
export function roleForKeyword(keyword: string, pack: TemplatePack): SectionRole | undefined {
  const order: SectionRole[] = ['mistakes', 'history', 'future', 'facts', 'tips', 'why', 'how', 'basics', 'recap'];
  return order.find((r) => pack.roles[r].cue.test(keyword));
}

interface PlannedSection {
  role: SectionRole;
  keyword?: string;
}

/**
 * Whether a keyword says more than the topic: "what are octopuses" does, "how octopuses think 2025"
 * (the topic plus a modifier) only picks a section, it is not worth saying aloud.
 */
export function isInformativeKeyword(keyword: string, topic: string, pack: TemplatePack): boolean {
  const k = keyOf(keyword);
  const t = keyOf(proseTopic(topic, pack));
  const bare = t.replace(/^\S+\s/, '');
  return k !== t && !k.startsWith(`${t} `) && !(bare !== t && (k === bare || k.startsWith(`${bare} `)));
}

/** Basics first, a recap last from five sections on; the middle from the keywords' cues, then by the topic's hash. */
export function planSections(options: { count: number; keywords: readonly string[]; topic: string; pack: TemplatePack; random: () => number }): PlannedSection[] {
  const { count, pack } = options;
  const recap = count >= 5;
  const middle = count - 1 - (recap ? 1 : 0);
  const plan = new Map<SectionRole, string | undefined>([['basics', undefined]]);
  let middleUsed = 0;
  for (const kw of options.keywords) {
    const k = kw.trim();
    if (!k || k.length > 60 || keyOf(k) === keyOf(proseTopic(options.topic, pack))) continue;
    const role = roleForKeyword(k, pack);
    if (!role || role === 'recap') continue;
    const said = isInformativeKeyword(k, options.topic, pack) ? k : undefined;
    // A role already planned keeps its keyword unless this one is worth saying and that one is not.
    if (plan.has(role)) {
      if (said && plan.get(role) === undefined) plan.set(role, said);
      continue;
    }
    if (middleUsed >= middle) continue;
    plan.set(role, said);
    middleUsed++;
  }
  const rest = chooser(options.random).shuffle(SECTION_ROLES.filter((r) => r !== 'basics' && r !== 'recap' && !plan.has(r)));
  for (const r of rest.slice(0, middle - middleUsed)) plan.set(r, undefined);
  if (recap) plan.set('recap', undefined);
  return SECTION_ROLES.filter((r) => plan.has(r)).map((role) => {
    const keyword = plan.get(role);
    return keyword ? { role, keyword } : { role };
  });
}

interface Part {
  sentences: string[];
  /** How many leading sentences must stay (a section's lead, a hook's question). */
  fixed: number;
  /** How many of those are a section's leads, which a script over its length may still drop. */
  leads?: number;
  budget: number;
  pool: string[];
  /** Take the pool in order (a hook's promise before its extras) rather than by best fit. */
  ordered?: boolean;
}

const words = (s: string): number => countWords(s);
const total = (p: Part): number => p.sentences.reduce((n, s) => n + words(s), 0);

/** Index of the sentence among the next `among` whose length is closest to `room` words. */
function closest(pool: readonly string[], room: number, among = 3): number {
  let best = 0;
  pool.slice(0, among).forEach((s, i) => {
    if (Math.abs(words(s) - room) < Math.abs(words(pool[best] ?? '') - room)) best = i;
  });
  return best;
}

/** Adds sentences from the part's pool, then the shared one, while that brings it closer to its budget. */
function grow(part: Part, shared: string[]): void {
  for (;;) {
    const have = total(part);
    const source = part.pool.length > 0 ? part.pool : shared;
    const i = part.ordered && source === part.pool ? 0 : closest(source, part.budget - have);
    const next = source[i];
    if (next === undefined || Math.abs(have + words(next) - part.budget) >= Math.abs(have - part.budget)) return;
    source.splice(i, 1);
    part.sentences.push(next);
  }
}

/**
 * Moves whole sentences until the script is within a few percent of its target: adds to the part
 * furthest under its budget, or removes an optional sentence from the part furthest over it.
 */
function balance(parts: Part[], shared: string[], target: number): void {
  for (let guard = 0; guard < 200; guard++) {
    const sum = parts.reduce((n, p) => n + total(p), 0);
    const diff = sum - target;
    if (Math.abs(diff) <= target * 0.04) return;
    if (diff < 0) {
      const part = [...parts].filter((p) => p.pool.length > 0 || shared.length > 0)
        .sort((a, b) => total(a) / a.budget - total(b) / b.budget)[0];
      const next = part ? part.pool[0] ?? shared[0] : undefined;
      if (!part || next === undefined || Math.abs(diff + words(next)) >= Math.abs(diff)) return;
      if (part.pool.length > 0) part.pool.shift();
      else shared.shift();
      part.sentences.push(next);
    } else {
      const part = [...parts].filter((p) => p.sentences.length > p.fixed)
        .sort((a, b) => total(b) / b.budget - total(a) / a.budget)[0];
      const last = part?.sentences.at(-1);
      if (part && last !== undefined && Math.abs(diff - words(last)) < Math.abs(diff)) {
        part.sentences.pop();
        part.pool.unshift(last);
        continue;
      }
      // Nothing optional left (a short video about a long topic): drop the longest section lead.
      const led = parts.filter((p) => (p.leads ?? 0) > 0 && p.sentences.length > 1)
        .sort((a, b) => words(b.sentences[0] ?? '') - words(a.sentences[0] ?? ''))[0];
      const lead = led?.sentences[0];
      if (!led || lead === undefined || Math.abs(diff - words(lead)) >= Math.abs(diff)) return;
      led.sentences.shift();
      led.fixed--;
      led.leads = (led.leads ?? 1) - 1;
    }
  }
}

export interface TemplateScriptInput {
  topic: string;
  lang: Language;
  durationSec: number;
  keywords: readonly string[];
  /** The voice's pace, pauses included (SPEAKING_RATES × speed); WORDS_PER_MINUTE when absent. */
  wordsPerMinute?: number;
}

/**
 * The offline writer: a hook, 3–7 sections and a call to action from the language's sentence
 * templates, sized to `durationSec` at the voice's pace. Variants are chosen by a hash of the
 * topic, so different topics read differently and the same topic always reads the same.
 */
export function writeTemplateScript(input: TemplateScriptInput): Script {
  const pack = TEMPLATE_PACKS[input.lang] ?? EN;
  const c = chooser(seededRandom(hashText(`${input.lang}|${keyOf(input.topic)}`)));
  const topic = proseTopic(input.topic, pack);
  const clause = pack.clauseOpening.test(topic);
  const duration = pack.duration(input.durationSec);
  const vars: Record<string, string> = {
    topic,
    Topic: capitalize(topic),
    subject: clause ? pack.thisTopic : topic,
    duration,
    Duration: pack.titleTopic(duration),
    ...pack.topicForms?.(topic, clause),
  };
  const wordsPerMinute = input.wordsPerMinute ?? WORDS_PER_MINUTE;
  const target = targetWordCount(input.durationSec, wordsPerMinute);
  const plan = planSections({ count: sectionCountFor(input.durationSec), keywords: input.keywords, topic: input.topic, pack, random: seededRandom(hashText(`plan|${input.lang}|${keyOf(input.topic)}`)) });

  const hookBudget = Math.max(8, Math.min(45, Math.round(target * 0.12)));
  const questions = c.shuffle(clause ? pack.clauseHookQuestions : pack.hookQuestions).map((s) => fill(s, vars));
  const hook: Part = {
    // A short video cannot afford a long question.
    sentences: [questions[target < 100 ? closest(questions, hookBudget, questions.length) : 0] ?? ''],
    fixed: 1,
    budget: hookBudget,
    pool: [fill(c.pick(pack.hookPromises), vars), ...c.shuffle(pack.hookExtras).map((s) => fill(s, vars))],
    ordered: true,
  };
  const ctaBudget = Math.max(3, Math.min(35, Math.round(target * 0.08)));
  const ctaOptions = c.shuffle(pack.ctas).map((s) => fill(s, vars));
  const mainCta = [...ctaOptions].sort((a, b) => Math.abs(words(a) - ctaBudget) - Math.abs(words(b) - ctaBudget))[0] ?? ctaOptions[0] ?? '';
  const cta: Part = { sentences: [mainCta], fixed: 1, budget: ctaBudget, pool: c.shuffle(pack.ctaExtras).map((s) => fill(s, vars)) };

  const used = new Set(plan.map((p) => p.role));
  const shared = c.shuffle([...pack.fillers, ...SECTION_ROLES.filter((r) => !used.has(r) && r !== 'recap').flatMap((r) => pack.roles[r].body)]);
  // A recap restates: it gets half the words of a section that explains.
  const weight = (r: SectionRole): number => (r === 'recap' ? 0.5 : 1);
  const perWeight = (target - hook.budget - cta.budget) / plan.reduce((n, p) => n + weight(p.role), 0);
  const visual = topicVisual(topic, pack, input.lang);
  const sections = plan.map((p) => {
    const role = pack.roles[p.role];
    const sectionBudget = Math.max(8, perWeight * weight(p.role));
    const asQuestion = p.keyword !== undefined && pack.questionKeyword.test(p.keyword) && p.keyword.length + 1 <= HEADING_MAX_CHARS;
    const kwVars = { ...vars, keyword: p.keyword ?? '', Keyword: capitalize(p.keyword ?? '') };
    // A short section has room for one lead only, the keyword then shows in the heading alone; a tiny one
    // (a 15-second short) for one body sentence only.
    const tiny = sectionBudget < 18;
    const withKeywordLead = p.keyword !== undefined && !asQuestion && sectionBudget >= 30;
    const lead: string[] = tiny ? [] : asQuestion
      ? [fill(c.pick(pack.keywordQuestionLeads), kwVars)]
      : [fill(c.pick(role.leads), vars), ...(withKeywordLead ? [fill(c.pick(pack.keywordLeads), kwVars)] : [])];
    const pool = c.shuffle(role.body).map((s) => fill(s, vars));
    // Every section says at least one thing beyond its lead: the body sentence that best fits what is left.
    const first = closest(pool, sectionBudget - lead.reduce((n, s) => n + words(s), 0), tiny ? pool.length : 3);
    const part: Part = { sentences: [...lead, ...pool.splice(first, 1)], fixed: lead.length + 1, leads: lead.length, budget: sectionBudget, pool };
    const heading = asQuestion && !tiny ? `${capitalize(p.keyword ?? '')}?` : c.pick(role.headings);
    const visuals = [...new Set([visual, ...c.shuffle(role.visuals).slice(0, 2)])];
    return { part, heading, visuals };
  });

  grow(hook, []);
  grow(cta, []);
  let carry = 0;
  for (const s of sections) {
    s.part.budget = Math.max(s.part.budget + carry, 4);
    grow(s.part, shared);
    carry = s.part.budget - total(s.part);
  }
  balance([hook, ...sections.map((s) => s.part), cta], shared, target);

  return finalizeScript({
    // A question topic reads best at the start of a title ("How Octopuses Think: …"), not after "about".
    titleIdea: pickTitle(pack, vars, c.shuffle(pack.titles).sort((a, b) => (clause ? Number(!a.startsWith('{Topic}')) - Number(!b.startsWith('{Topic}')) : 0))),
    hook: hook.sentences.join(' '),
    sections: sections.map((s): ScriptSection => ({ heading: s.heading, narration: s.part.sentences.join(' '), visualKeywords: s.visuals })),
    callToAction: cta.sentences.join(' '),
  }, input.lang, wordsPerMinute);
}

/** The first title variant that fits YouTube's search-result width; else the topic itself, cut at a word. */
function pickTitle(pack: TemplatePack, vars: Record<string, string>, order: readonly string[]): string {
  const titleVars = { ...vars, Topic: pack.titleTopic(vars.topic ?? ''), topic: vars.topic ?? '' };
  for (const t of order) {
    const title = fill(t, titleVars);
    if (title.length <= TITLE_MAX_CHARS) return title;
  }
  return truncateAtWord(titleVars.Topic, TITLE_MAX_CHARS);
}

export function truncateAtWord(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max + 1);
  const space = cut.lastIndexOf(' ');
  return (space > max / 2 ? cut.slice(0, space) : text.slice(0, max)).replace(/[\s,;:.-]+$/u, '');
}
