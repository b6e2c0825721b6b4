import type { Language, Script } from '@faceless/contracts';

/** Words too common to be a topic: articles, pronouns, auxiliaries, prepositions, question words. */
const STOP_WORDS: Record<Language, ReadonlySet<string>> = {
  en: new Set(('a an the and or but so of to in on at by for with from into about as than then that this these those there here ' +
    'it its is are was were be been being am do does did can could will would should may might must i you he she we they me him ' +
    'her us them my your his our their what why how when where who which whose if just really very ever not no yes all some any ' +
    'more most much many one ones also only even still get got has have had let lets like make makes made way thing things video ' +
    'explained truth know need want see look every each other than out up down over under again new').split(' ')),
  fr: new Set(('le la les l un une des du de d au aux et ou mais donc or ni car à a en dans sur sous par pour avec sans chez vers ' +
    'entre ce cet cette ces c ça cela qui que qu quoi dont où je j tu il elle on nous vous ils elles me m te t se s lui leur ' +
    'leurs mon ma mes ton ta tes son sa ses notre nos votre vos est sont était être ont avoir fait faire peut pourquoi comment ' +
    'quand quel quelle quels quelles combien ne n pas plus très vraiment tout tous toute toutes y si comme aussi encore même ' +
    'bien alors ainsi chose choses vidéo expliqué vérité savoir').split(' ')),
  es: new Set('el la los las un una y o de del al a en con por para sin sobre que qué cómo como es son se su sus lo le muy más'.split(' ')),
  de: new Set('der die das den dem des ein eine und oder zu in im an am auf mit von für über ist sind wie warum was es sie er wir nicht'.split(' ')),
  it: new Set('il lo la i gli le un una e o di del della a al da in con su per che perché come è sono si non molto'.split(' ')),
  pt: new Set('o a os as um uma e ou de do da em no na com por para que porque como é são se seu sua não muito'.split(' ')),
};

export function isStopWord(word: string, lang: Language): boolean {
  return STOP_WORDS[lang].has(word.toLocaleLowerCase(lang));
}

/** Words of a text, accents kept; French elisions ("l'éléphant") give the word after the apostrophe. */
export function words(text: string): string[] {
  return (text.normalize('NFC').match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [])
    .map((w) => w.replace(/^\p{L}{1,2}['’](?=\p{L})/u, '').replace(/['’-]+$/u, ''))
    .filter(Boolean);
}

/**
 * The script's topic words, most telling first: content words of the title idea and
 * the section headings (weighted), then of the narration, ranked by weighted count.
 */
export function topicTerms(script: Script, lang: Language, limit = 12): string[] {
  const score = new Map<string, { word: string; score: number; first: number }>();
  let order = 0;
  const add = (text: string, weight: number): void => {
    for (const w of words(text)) {
      if (isStopWord(w, lang) || [...w].length < 3 || /^\p{N}+$/u.test(w)) continue;
      const key = w.toLocaleLowerCase(lang);
      const entry = score.get(key) ?? { word: key, score: 0, first: order++ };
      entry.score += weight;
      score.set(key, entry);
    }
  };
  add(script.titleIdea, 5);
  for (const s of script.sections) add(s.heading, 3);
  for (const s of script.sections) add(s.visualKeywords.join(' '), 2);
  add(script.hook, 1);
  for (const s of script.sections) add(s.narration, 1);
  return [...score.values()]
    .sort((a, b) => b.score - a.score || a.first - b.first)
    .slice(0, limit)
    .map((e) => e.word);
}

/**
 * "#" + the phrase in CamelCase: "marine biology" → "#MarineBiology", "peur des abeilles"
 * → "#PeurDesAbeilles". Letters keep their accents (YouTube hashtags are Unicode);
 * anything that is not a letter or digit goes. Undefined when nothing usable is left.
 */
export function toHashtag(phrase: string, lang: Language, maxChars = 30): string | undefined {
  const body = words(phrase)
    .flatMap((w) => w.split(/[-'’]+/u))
    .filter(Boolean)
    .map((w) => w.charAt(0).toLocaleUpperCase(lang) + w.slice(1))
    .join('')
    .replace(/[^\p{L}\p{N}]/gu, '');
  if (!body || /^\p{N}+$/u.test(body) || [...body].length > maxChars) return undefined;
  return `#${body}`;
}

/** 3–5 hashtags: from the keywords in order, topped up from the topic terms, no duplicates (case-insensitive). */
export function pickHashtags(keywords: readonly string[], terms: readonly string[], lang: Language, max = 5): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const phrase of [...keywords, ...terms]) {
    if (out.length >= max) break;
    // Long keyword phrases make unreadable hashtags: keep those of up to three words.
    if (words(phrase).length > 3) continue;
    const tag = toHashtag(phrase, lang);
    if (!tag || seen.has(tag.toLocaleLowerCase(lang))) continue;
    seen.add(tag.toLocaleLowerCase(lang));
    out.push(tag);
  }
  return out;
}
