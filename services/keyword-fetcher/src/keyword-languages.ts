import type { Language } from '@faceless/contracts';

/**
 * What follows a topic's opening words: "what is" leaves a noun phrase ("what is bitcoin"),
 * "how"/"why" leave a clause ("how octopuses think"), "how to" leaves an action ("how to bake bread").
 */
export type SubjectShape = 'noun' | 'clause' | 'action';

/** The search intent a template expresses; the offline scorer weighs each. */
export const INTENTS = ['topic', 'question', 'howto', 'beginner', 'explained', 'list', 'freshness', 'curiosity', 'format', 'audience'] as const;
export type Intent = (typeof INTENTS)[number];

/**
 * A keyword pattern. `{s}` is the subject (`{b}` without its article), `{q}` the topic's own opening ("how", "pourquoi"),
 * `{year}` the current year, `{a|b}` picks a (singular subject) or b (plural subject).
 */
export interface KeywordTemplate {
  pattern: string;
  intent: Intent;
  /** Shapes the pattern reads well with; a noun only when absent. */
  shapes?: readonly SubjectShape[];
  /** Reads well for any noun, not only a skill or a product ("octopuses facts", not "learn octopuses"). */
  general?: boolean;
}

export interface KeywordLanguage {
  stopWords: ReadonlySet<string>;
  /** Leading articles dropped where a keyword puts a modifier after the subject ("photosynthèse définition"). */
  articles: readonly string[];
  /** Appended to other modifiers to stack a beginner variant ("bitcoin tutorial for beginners"). */
  beginnerSuffix: string;
  /** Openings a topic may start with, with the shape of what follows them. */
  openings: readonly { words: string; shape: SubjectShape }[];
  templates: readonly KeywordTemplate[];
  /** Language-specific contraction after substitution (French "que il" → "qu'il"). */
  finish?: (keyword: string) => string;
  /** Whether the subject reads as plural ("octopuses", "les pieuvres"). */
  isPlural: (subject: string) => boolean;
}

const NOUN: readonly SubjectShape[] = ['noun'];
const NOUN_OR_ACTION: readonly SubjectShape[] = ['noun', 'action'];
const ACTION: readonly SubjectShape[] = ['action'];
const CLAUSE: readonly SubjectShape[] = ['clause'];

function words(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter(Boolean));
}

const EN: KeywordLanguage = {
  stopWords: words(`a an the and or but of to in on at for from by with about into over under as is are was were be been being
    do does did doing have has had this that these those it its it's i you he she we they me my your our their his her them
    what which who whom whose when where why how not no so than too very can could should would will just really also
    there here more most some any all each every both few many much such own same other only then once again`),
  articles: ['the', 'a', 'an'],
  beginnerSuffix: 'for beginners',
  openings: [
    { words: 'what is', shape: 'noun' }, { words: 'what are', shape: 'noun' }, { words: "what's", shape: 'noun' },
    { words: 'how to', shape: 'action' }, { words: 'how do i', shape: 'action' }, { words: 'how can i', shape: 'action' },
    { words: 'how does', shape: 'clause' }, { words: 'how do', shape: 'clause' }, { words: 'how', shape: 'clause' },
    { words: 'why does', shape: 'clause' }, { words: 'why do', shape: 'clause' }, { words: 'why', shape: 'clause' },
    { words: 'when', shape: 'clause' }, { words: 'where', shape: 'clause' },
  ],
  templates: [
    { pattern: 'what {is|are} {s}', intent: 'question', shapes: NOUN, general: true },
    { pattern: 'how {does|do} {s} work', intent: 'question', shapes: NOUN },
    { pattern: 'why {is|are} {s} important', intent: 'question', shapes: NOUN },
    { pattern: '{is|are} {s} worth it', intent: 'question', shapes: NOUN },
    { pattern: 'what is the future of {s}', intent: 'question', shapes: NOUN },
    { pattern: 'how to get started with {s}', intent: 'howto', shapes: NOUN },
    { pattern: 'how to understand {s}', intent: 'howto', shapes: NOUN },
    { pattern: 'how to {s}', intent: 'howto', shapes: ACTION },
    { pattern: 'best way to {s}', intent: 'howto', shapes: ACTION },
    { pattern: 'how to {s} fast', intent: 'howto', shapes: ACTION },
    { pattern: 'how to {s} at home', intent: 'howto', shapes: ACTION },
    { pattern: '{q} {s}', intent: 'question', shapes: CLAUSE },
    { pattern: 'why {s}', intent: 'question', shapes: CLAUSE },
    { pattern: '{q} {s} explained', intent: 'explained', shapes: CLAUSE },
    { pattern: '{q} {s} simply explained', intent: 'explained', shapes: CLAUSE },
    { pattern: '{q} {s} for beginners', intent: 'beginner', shapes: CLAUSE },
    { pattern: '{q} {s} for kids', intent: 'audience', shapes: CLAUSE },
    { pattern: '{q} {s} science', intent: 'explained', shapes: CLAUSE },
    { pattern: '{q} {s} research', intent: 'curiosity', shapes: CLAUSE },
    { pattern: '{q} {s} facts', intent: 'curiosity', shapes: CLAUSE },
    { pattern: '{q} {s} documentary', intent: 'format', shapes: CLAUSE },
    { pattern: '{q} {s} in 60 seconds', intent: 'format', shapes: CLAUSE },
    { pattern: '{q} {s} animation', intent: 'format', shapes: CLAUSE },
    { pattern: '{q} {s} {year}', intent: 'freshness', shapes: CLAUSE },
    { pattern: '{s} explained', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} explained simply', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} explained for beginners', intent: 'beginner', shapes: NOUN, general: true },
    { pattern: '{s} for beginners', intent: 'beginner', shapes: NOUN_OR_ACTION, general: true },
    { pattern: '{s} for beginners {year}', intent: 'beginner', shapes: NOUN_OR_ACTION },
    { pattern: '{s} step by step', intent: 'howto', shapes: NOUN_OR_ACTION },
    { pattern: '{s} tutorial', intent: 'howto', shapes: NOUN_OR_ACTION },
    { pattern: '{s} tips', intent: 'list', shapes: NOUN_OR_ACTION },
    { pattern: 'best {s} tips', intent: 'list', shapes: NOUN },
    { pattern: '{s} tips for beginners', intent: 'beginner', shapes: NOUN },
    { pattern: '{s} mistakes to avoid', intent: 'list', shapes: NOUN_OR_ACTION },
    { pattern: '{s} {year}', intent: 'freshness', shapes: NOUN_OR_ACTION, general: true },
    { pattern: '{s} guide {year}', intent: 'freshness', shapes: NOUN },
    { pattern: '{s} facts', intent: 'curiosity', general: true },
    { pattern: 'surprising facts about {s}', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: '{s} myths', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: '{s} history', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: '{s} examples', intent: 'list', shapes: NOUN },
    { pattern: '{s} ideas', intent: 'list', shapes: NOUN },
    { pattern: '{s} pros and cons', intent: 'list', shapes: NOUN },
    { pattern: '{s} documentary', intent: 'format', general: true },
    { pattern: '{s} in 60 seconds', intent: 'format', general: true },
    { pattern: '{s} animation', intent: 'format', general: true },
    { pattern: '{s} for kids', intent: 'audience', shapes: NOUN, general: true },
    { pattern: '{s} science', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} guide', intent: 'howto', shapes: NOUN },
    { pattern: '{s} basics', intent: 'beginner', shapes: NOUN, general: true },
    { pattern: '{s} crash course', intent: 'howto', shapes: NOUN },
    { pattern: '{s} meaning', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} definition', intent: 'explained', shapes: NOUN },
    { pattern: '{s} explained in 5 minutes', intent: 'format', shapes: NOUN, general: true },
    { pattern: 'learn {s}', intent: 'howto', shapes: NOUN },
    { pattern: 'the truth about {s}', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: 'everything you need to know about {s}', intent: 'explained', shapes: NOUN, general: true },
    { pattern: 'things nobody tells you about {s}', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: '{s} tips and tricks', intent: 'list', shapes: NOUN_OR_ACTION },
    { pattern: '{s} beginner mistakes', intent: 'beginner', shapes: NOUN_OR_ACTION },
    { pattern: '{s} trends {year}', intent: 'freshness', shapes: NOUN },
  ],
  isPlural: (s) => {
    const last = s.split(' ').pop() ?? '';
    return /[^s']s$/.test(last) && !/(ss|us|is|ics)$/.test(last);
  },
};

const FR_VOWEL = /^[aeiouyàâäéèêëîïôöùûüœ]/i;

const FR: KeywordLanguage = {
  stopWords: words(`le la les l un une des du de d au aux et ou mais donc or ni car à a en dans par pour sur sous avec sans
    ce cet cette ces mon ma mes ton ta tes son sa ses notre nos votre vos leur leurs je tu il elle on nous vous ils elles
    me te se lui y qui que qu quoi dont où est sont être avoir a ont été fait faire ne pas plus moins très trop bien
    comment pourquoi quand quel quelle quels quelles c ça cela ceci s n j m t`),
  articles: ['le', 'la', 'les', "l'", 'un', 'une', 'des', 'du'],
  beginnerSuffix: 'pour débutants',
  openings: [
    { words: "qu'est-ce que", shape: 'noun' }, { words: "qu'est-ce qu'", shape: 'noun' }, { words: "c'est quoi", shape: 'noun' },
    { words: 'définition de', shape: 'noun' }, { words: 'définition du', shape: 'noun' },
    { words: 'comment faire', shape: 'action' }, { words: 'comment', shape: 'clause' }, { words: 'pourquoi', shape: 'clause' },
    { words: 'quand', shape: 'clause' }, { words: 'où', shape: 'clause' },
  ],
  templates: [
    { pattern: "qu'est-ce que {s}", intent: 'question', shapes: NOUN, general: true },
    { pattern: "{s} c'est quoi", intent: 'question', shapes: NOUN, general: true },
    { pattern: 'comment {fonctionne|fonctionnent} {s}', intent: 'question', shapes: NOUN },
    { pattern: 'à quoi {sert|servent} {s}', intent: 'question', shapes: NOUN },
    { pattern: "{s} pourquoi c'est important", intent: 'question', shapes: NOUN },
    { pattern: 'comment comprendre {s}', intent: 'howto', shapes: NOUN },
    { pattern: 'comment débuter avec {s}', intent: 'howto', shapes: NOUN },
    { pattern: 'comment {s}', intent: 'howto', shapes: ACTION },
    { pattern: 'comment {s} facilement', intent: 'howto', shapes: ACTION },
    { pattern: 'comment {s} rapidement', intent: 'howto', shapes: ACTION },
    { pattern: '{q} {s}', intent: 'question', shapes: CLAUSE },
    { pattern: 'pourquoi {s}', intent: 'question', shapes: CLAUSE },
    { pattern: '{q} {s} expliqué', intent: 'explained', shapes: CLAUSE },
    { pattern: '{q} {s} expliqué simplement', intent: 'explained', shapes: CLAUSE },
    { pattern: '{q} {s} pour débutants', intent: 'beginner', shapes: CLAUSE },
    { pattern: '{q} {s} pour les enfants', intent: 'audience', shapes: CLAUSE },
    { pattern: '{q} {s} science', intent: 'explained', shapes: CLAUSE },
    { pattern: '{q} {s} anecdotes', intent: 'curiosity', shapes: CLAUSE },
    { pattern: '{q} {s} documentaire', intent: 'format', shapes: CLAUSE },
    { pattern: '{q} {s} en 5 minutes', intent: 'format', shapes: CLAUSE },
    { pattern: '{q} {s} {year}', intent: 'freshness', shapes: CLAUSE },
    { pattern: '{s} expliqué', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} expliqué simplement', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} explication', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} définition', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} pour débutants', intent: 'beginner', shapes: NOUN_OR_ACTION, general: true },
    { pattern: '{s} pour les nuls', intent: 'beginner', shapes: NOUN, general: true },
    { pattern: '{s} pour débutants {year}', intent: 'beginner', shapes: NOUN_OR_ACTION },
    { pattern: '{s} étape par étape', intent: 'howto', shapes: NOUN_OR_ACTION },
    { pattern: '{s} tuto', intent: 'howto', shapes: NOUN_OR_ACTION },
    { pattern: '{s} tutoriel', intent: 'howto', shapes: NOUN },
    { pattern: '{s} conseils', intent: 'list', shapes: NOUN },
    { pattern: 'meilleurs conseils {b}', intent: 'list', shapes: NOUN },
    { pattern: '{s} astuces', intent: 'list', shapes: NOUN_OR_ACTION },
    { pattern: '{s} erreurs à éviter', intent: 'list', shapes: NOUN },
    { pattern: '{s} {year}', intent: 'freshness', shapes: NOUN_OR_ACTION, general: true },
    { pattern: '{s} en {year}', intent: 'freshness', shapes: NOUN },
    { pattern: '{s} guide complet {year}', intent: 'freshness', shapes: NOUN },
    { pattern: 'tout savoir sur {s}', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: '{s} idées reçues', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: '{s} histoire', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: '{s} anecdotes', intent: 'curiosity', general: true },
    { pattern: '{s} exemples', intent: 'list', shapes: NOUN },
    { pattern: '{s} avantages et inconvénients', intent: 'list', shapes: NOUN },
    { pattern: '{s} documentaire', intent: 'format', general: true },
    { pattern: '{s} en 5 minutes', intent: 'format', general: true },
    { pattern: '{s} résumé', intent: 'format', shapes: NOUN, general: true },
    { pattern: '{s} pour enfants', intent: 'audience', shapes: NOUN, general: true },
    { pattern: '{s} science', intent: 'explained', shapes: NOUN, general: true },
    { pattern: '{s} les bases', intent: 'beginner', shapes: NOUN, general: true },
    { pattern: '{s} cours', intent: 'howto', shapes: NOUN },
    { pattern: '{s} formation gratuite', intent: 'howto', shapes: NOUN_OR_ACTION },
    { pattern: '{s} signification', intent: 'explained', shapes: NOUN },
    { pattern: 'apprendre {s}', intent: 'howto', shapes: NOUN },
    { pattern: 'la vérité sur {s}', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: 'ce que personne ne dit sur {s}', intent: 'curiosity', shapes: NOUN, general: true },
    { pattern: '{s} trucs et astuces', intent: 'list', shapes: NOUN_OR_ACTION },
    { pattern: '{s} erreurs de débutant', intent: 'beginner', shapes: NOUN_OR_ACTION },
    { pattern: '{s} tendances {year}', intent: 'freshness', shapes: NOUN },
    { pattern: '{s} expliqué en 5 minutes', intent: 'format', shapes: NOUN, general: true },
  ],
  finish: (k) => k
    .replace(/(^|\s)(qu|d)e (\S+)/gi, (m, sp: string, p: string, w: string) => (FR_VOWEL.test(w) ? `${sp}${p}'${w}` : m))
    .replace(/(^|\s)à les /g, '$1aux ')
    .replace(/(^|\s)à le /g, '$1au '),
  isPlural: (s) => /^(les|des|mes|ses|nos|vos|leurs|ces) /.test(s) || /[sx]$/.test(s.split(' ')[0] ?? ''),
};

/** Spanish, German, Italian and Portuguese: the common question forms and modifiers only. */
function basic(options: {
  stopWords: string;
  articles: string;
  beginnerSuffix: string;
  openings: KeywordLanguage['openings'];
  what: string;
  how: string;
  why: string;
  suffixes: readonly [string, Intent][];
  isPlural?: (s: string) => boolean;
}): KeywordLanguage {
  return {
    stopWords: words(options.stopWords),
    articles: options.articles.split(' '),
    beginnerSuffix: options.beginnerSuffix,
    openings: options.openings,
    templates: [
      { pattern: options.what, intent: 'question', shapes: NOUN, general: true },
      { pattern: options.how, intent: 'question', shapes: NOUN },
      { pattern: options.why, intent: 'question', shapes: NOUN },
      { pattern: '{q} {s}', intent: 'question', shapes: CLAUSE },
      ...options.suffixes.map(([text, intent]) => ({ pattern: `{s} ${text}`, intent, shapes: NOUN_OR_ACTION, general: intent !== 'howto' && intent !== 'list' })),
    ],
    isPlural: options.isPlural ?? ((s) => /s$/.test(s.split(' ')[0] ?? '')),
  };
}

const ES = basic({
  stopWords: `el la los las un una unos unas y o pero de del al a en por para con sin sobre es son ser que qué cómo como por qué
    porque cuál cuando dónde se su sus lo le les mi tu muy más`,
  articles: 'el la los las un una',
  beginnerSuffix: 'para principiantes',
  openings: [{ words: 'qué es', shape: 'noun' }, { words: 'qué son', shape: 'noun' }, { words: 'cómo', shape: 'clause' }, { words: 'por qué', shape: 'clause' }],
  what: 'qué {es|son} {s}', how: 'cómo {funciona|funcionan} {s}', why: 'por qué {es importante|son importantes} {s}',
  suffixes: [['explicado', 'explained'], ['para principiantes', 'beginner'], ['para niños', 'audience'], ['{year}', 'freshness'],
    ['consejos', 'list'], ['tutorial', 'howto'], ['paso a paso', 'howto'], ['curiosidades', 'curiosity'], ['historia', 'curiosity'],
    ['errores comunes', 'list'], ['ejemplos', 'list'], ['documental', 'format'], ['en 5 minutos', 'format'], ['resumen', 'format'],
    ['ventajas y desventajas', 'list'], ['guía {year}', 'freshness'], ['para principiantes {year}', 'beginner'],
    ['fácil', 'beginner'], ['curso', 'howto'], ['definición', 'explained'], ['explicación sencilla', 'explained'], ['trucos', 'list'],
    ['mitos', 'curiosity'], ['tendencias {year}', 'freshness'], ['explicado en 5 minutos', 'format']],
});

const DE = basic({
  stopWords: `der die das den dem des ein eine einer eines einem einen und oder aber von zu zum zur in im an am auf für mit ohne
    über unter ist sind sein war was wie warum wann wo wer welche es sich nicht auch sehr mehr`,
  articles: 'der die das den dem ein eine einen',
  beginnerSuffix: 'für Anfänger',
  openings: [{ words: 'was ist', shape: 'noun' }, { words: 'was sind', shape: 'noun' }, { words: 'wie', shape: 'clause' }, { words: 'warum', shape: 'clause' }],
  what: 'was {ist|sind} {s}', how: 'wie {funktioniert|funktionieren} {s}', why: 'warum {ist|sind} {s} wichtig',
  suffixes: [['erklärt', 'explained'], ['einfach erklärt', 'explained'], ['für Anfänger', 'beginner'], ['für Kinder', 'audience'],
    ['{year}', 'freshness'], ['Tipps', 'list'], ['Tutorial', 'howto'], ['Schritt für Schritt', 'howto'], ['Fakten', 'curiosity'],
    ['Geschichte', 'curiosity'], ['Fehler vermeiden', 'list'], ['Beispiele', 'list'], ['Doku', 'format'], ['in 5 Minuten', 'format'],
    ['Vor- und Nachteile', 'list'], ['Anleitung {year}', 'freshness'], ['für Anfänger {year}', 'beginner'],
    ['Grundlagen', 'beginner'], ['Kurs', 'howto'], ['Definition', 'explained'], ['Bedeutung', 'explained'], ['Tricks', 'list'],
    ['Mythen', 'curiosity'], ['Trends {year}', 'freshness'], ['kurz erklärt', 'format']],
  isPlural: () => false,
});

const IT = basic({
  stopWords: `il lo la i gli le un uno una e o ma di del della dei degli delle a al alla in nel nella da per con su tra fra è sono
    essere che cosa come perché quando dove si suo sua non più molto`,
  articles: "il lo la i gli le l' un uno una",
  beginnerSuffix: 'per principianti',
  openings: [{ words: "cos'è", shape: 'noun' }, { words: 'cosa sono', shape: 'noun' }, { words: 'come', shape: 'clause' }, { words: 'perché', shape: 'clause' }],
  what: "{cos'è|cosa sono} {s}", how: 'come {funziona|funzionano} {s}', why: 'perché {è importante|sono importanti} {s}',
  suffixes: [['spiegato', 'explained'], ['spiegato semplice', 'explained'], ['per principianti', 'beginner'], ['per bambini', 'audience'],
    ['{year}', 'freshness'], ['consigli', 'list'], ['tutorial', 'howto'], ['passo dopo passo', 'howto'], ['curiosità', 'curiosity'],
    ['storia', 'curiosity'], ['errori da evitare', 'list'], ['esempi', 'list'], ['documentario', 'format'], ['in 5 minuti', 'format'],
    ['pro e contro', 'list'], ['guida {year}', 'freshness'], ['per principianti {year}', 'beginner'],
    ['facile', 'beginner'], ['corso', 'howto'], ['definizione', 'explained'], ['significato', 'explained'], ['trucchi', 'list'],
    ['miti', 'curiosity'], ['tendenze {year}', 'freshness'], ['spiegato in 5 minuti', 'format']],
  isPlural: (s) => /^(i|gli|le) /.test(s),
});

const PT = basic({
  stopWords: `o a os as um uma uns umas e ou mas de do da dos das ao à em no na nos nas por para com sem sobre é são ser que
    como por quê porque quando onde se seu sua não mais muito`,
  articles: 'o a os as um uma',
  beginnerSuffix: 'para iniciantes',
  openings: [{ words: 'o que é', shape: 'noun' }, { words: 'o que são', shape: 'noun' }, { words: 'como', shape: 'clause' }, { words: 'por que', shape: 'clause' }],
  what: 'o que {é|são} {s}', how: 'como {funciona|funcionam} {s}', why: 'por que {s} {é importante|são importantes}',
  suffixes: [['explicado', 'explained'], ['para iniciantes', 'beginner'], ['para crianças', 'audience'], ['{year}', 'freshness'],
    ['dicas', 'list'], ['tutorial', 'howto'], ['passo a passo', 'howto'], ['curiosidades', 'curiosity'], ['história', 'curiosity'],
    ['erros comuns', 'list'], ['exemplos', 'list'], ['documentário', 'format'], ['em 5 minutos', 'format'], ['resumo', 'format'],
    ['vantagens e desvantagens', 'list'], ['guia {year}', 'freshness'], ['para iniciantes {year}', 'beginner'],
    ['fácil', 'beginner'], ['curso', 'howto'], ['definição', 'explained'], ['significado', 'explained'], ['truques', 'list'],
    ['mitos', 'curiosity'], ['tendências {year}', 'freshness'], ['explicado em 5 minutos', 'format']],
});

export const KEYWORD_LANGUAGES: Record<Language, KeywordLanguage> = { en: EN, fr: FR, es: ES, de: DE, it: IT, pt: PT };
