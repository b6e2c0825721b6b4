import type { Language } from '@faceless/contracts';
import { cleanTitle, codePointLength, fitTitle, YOUTUBE_TITLE_CHARS } from './youtube-limits.ts';

/** The A/B forms of a title: a question, a number or a length, an "explained" promise. */
export const TITLE_FORMS = ['question', 'list', 'explained'] as const;
export type TitleForm = (typeof TITLE_FORMS)[number];

interface Templates {
  question: (topic: string) => string;
  list: (topic: string, n: number) => string;
  short: (topic: string, duration: string) => string;
  explained: (topic: string) => string;
  seconds: (n: number) => string;
  minutes: (n: number) => string;
  leadingQuestion: RegExp;
  /** A question with the verb before its subject ("fabrique-t-il") does not read as a statement. */
  inversion?: RegExp;
}

const TEMPLATES: Record<Language, Templates> = {
  en: {
    question: (t) => `${t}: What's Really Going On?`,
    list: (t, n) => `${t}: ${n} Things to Know`,
    short: (t, d) => `${t} in ${d}`,
    explained: (t) => `${t}, Explained`,
    seconds: (n) => `${n} Seconds`,
    minutes: (n) => (n === 1 ? '1 Minute' : `${n} Minutes`),
    leadingQuestion: /^(?:why|how(?! to\b)|what|when|where|who)(?:\s+(?:do|does|did|is|are|was|were|can|could|would|should|will))?\s+/iu,
  },
  fr: {
    question: (t) => `${t} : que se passe-t-il vraiment ?`,
    list: (t, n) => `${t} : ${n} choses à savoir`,
    short: (t, d) => `${t} en ${d}`,
    explained: (t) => `${t} : l'explication simple`,
    seconds: (n) => `${n} secondes`,
    minutes: (n) => (n === 1 ? '1 minute' : `${n} minutes`),
    leadingQuestion: /^(?:pourquoi|comment|quand|où|qui|quel(?:le)?s?)(?:\s+est-ce\s+qu(?:e\s+|['’]))?\s*/iu,
    inversion: /\p{L}-t-(?:il|elle|on)\b|\p{L}-(?:il|elle|ils|elles|on|je|tu|nous|vous)\b/iu,
  },
  es: {
    question: (t) => `${t}: ¿qué está pasando realmente?`,
    list: (t, n) => `${t}: ${n} datos clave`,
    short: (t, d) => `${t} en ${d}`,
    explained: (t) => `${t}: la explicación`,
    seconds: (n) => `${n} segundos`,
    minutes: (n) => (n === 1 ? '1 minuto' : `${n} minutos`),
    leadingQuestion: /^¿?(?:por qué|cómo|qué|cuándo|dónde|quién)\s+/iu,
  },
  de: {
    question: (t) => `${t}: Was steckt wirklich dahinter?`,
    list: (t, n) => `${t}: ${n} Fakten`,
    short: (t, d) => `${t} in ${d}`,
    explained: (t) => `${t} einfach erklärt`,
    seconds: (n) => `${n} Sekunden`,
    minutes: (n) => (n === 1 ? '1 Minute' : `${n} Minuten`),
    leadingQuestion: /^(?:warum|wie|was|wann|wo|wer)\s+/iu,
  },
  it: {
    question: (t) => `${t}: cosa succede davvero?`,
    list: (t, n) => `${t}: ${n} cose da sapere`,
    short: (t, d) => `${t} in ${d}`,
    explained: (t) => `${t}: la spiegazione`,
    seconds: (n) => `${n} secondi`,
    minutes: (n) => (n === 1 ? '1 minuto' : `${n} minuti`),
    leadingQuestion: /^(?:perché|come|cosa|quando|dove|chi)\s+/iu,
  },
  pt: {
    question: (t) => `${t}: o que está realmente acontecendo?`,
    list: (t, n) => `${t}: ${n} fatos essenciais`,
    short: (t, d) => `${t} em ${d}`,
    explained: (t) => `${t}: a explicação`,
    seconds: (n) => `${n} segundos`,
    minutes: (n) => (n === 1 ? '1 minuto' : `${n} minutos`),
    leadingQuestion: /^(?:por que|porque|como|o que|quando|onde|quem)\s+/iu,
  },
};

function capitalise(text: string, lang: Language): string {
  return text.charAt(0).toLocaleUpperCase(lang) + text.slice(1);
}

/**
 * What the video is about, as a phrase the templates can take: the title idea without
 * its question word and final punctuation ("Pourquoi les éléphants ont peur des
 * abeilles ?" → "Les éléphants ont peur des abeilles"); the first keyword instead when
 * that would not read as a statement or is long.
 */
export function titleSubject(titleIdea: string, lang: Language, keywords: readonly string[] = []): string {
  const t = TEMPLATES[lang];
  // A title that already has a hook after a separator ("Why the Moon Has Phases: What Nobody Tells You") gives its
  // head: the forms add their own hook, and two in one title read as a stutter.
  const head = titleIdea.normalize('NFC').trim().split(/\s*[:|–—]\s+|\s+-\s+/u)[0] ?? '';
  const bare = (head.trim() || titleIdea.normalize('NFC').trim()).replace(/[\s?!.…:;,¿¡]+$/u, '');
  const stripped = bare.replace(t.leadingQuestion, '').trim();
  const subject = stripped || bare;
  const keyword = keywords[0]?.trim();
  if (keyword && ((t.inversion?.test(subject) ?? false) || codePointLength(subject) > 60)) return capitalise(keyword, lang);
  return capitalise(subject, lang);
}

export function durationLabel(durationSec: number, lang: Language): string {
  const t = TEMPLATES[lang];
  return durationSec < 90 ? t.seconds(Math.max(1, Math.round(durationSec / 5) * 5)) : t.minutes(Math.round(durationSec / 60));
}

export interface TitleAlternativesOptions {
  titleIdea: string;
  lang: Language;
  keywords?: readonly string[];
  sectionCount: number;
  durationSec: number;
}

/**
 * Two or three alternative titles for the A/B test, one per form, each within the
 * limit and different from the main title. A form whose text would run over the limit
 * is left out rather than cut mid-thought.
 */
export function titleAlternatives(options: TitleAlternativesOptions): { form: TitleForm; title: string }[] {
  const { titleIdea, lang, sectionCount, durationSec } = options;
  const t = TEMPLATES[lang];
  const keyword = options.keywords?.[0]?.trim();
  // The title's own subject first; the main keyword when the subject makes a form too long.
  const subjects = [titleSubject(titleIdea, lang, options.keywords), ...(keyword ? [capitalise(keyword, lang)] : [])];
  const forms: { form: TitleForm; make: (subject: string) => string }[] = [
    { form: 'question', make: (s) => t.question(s) },
    {
      form: 'list',
      make: (s) => (sectionCount >= 3 && !/^\d/u.test(s) ? t.list(s, sectionCount) : t.short(s, durationLabel(durationSec, lang))),
    },
    { form: 'explained', make: (s) => t.explained(s) },
  ];
  const seen = new Set([fitTitle(titleIdea).toLocaleLowerCase(lang)]);
  const out: { form: TitleForm; title: string }[] = [];
  for (const { form, make } of forms) {
    for (const subject of subjects) {
      const clean = cleanTitle(make(subject));
      if (codePointLength(clean) > YOUTUBE_TITLE_CHARS) continue;
      const title = fitTitle(clean);
      const key = title.toLocaleLowerCase(lang);
      if (seen.has(key)) continue;
      seen.add(key);
      out.push({ form, title });
      break;
    }
  }
  return out;
}
