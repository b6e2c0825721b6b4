/** Section kinds, in the order a script tells them. */
export const SECTION_ROLES = ['basics', 'history', 'how', 'why', 'facts', 'mistakes', 'tips', 'future', 'recap'] as const;
export type SectionRole = (typeof SECTION_ROLES)[number];

export interface RolePack {
  /** Chapter titles: at most 40 characters. */
  headings: readonly string[];
  /** First sentence of the section; may use {topic}. */
  leads: readonly string[];
  /** Self-contained sentences that read in any order. */
  body: readonly string[];
  /** Concrete nouns to search stock footage with. */
  visuals: readonly string[];
  /** A keyword matching this belongs to this section ("… mistakes" → mistakes). */
  cue: RegExp;
}

/**
 * The sentences of the template writer in one language. Placeholders: {topic}, {Topic} (capitalised),
 * {subject} (the topic, or "this topic" when the topic is a question and cannot be a grammatical subject),
 * {duration} ("30 seconds"), {keyword}, {Keyword}, and any that `topicForms` adds (French {de_topic}).
 */
export interface TemplatePack {
  titles: readonly string[];
  hookQuestions: readonly string[];
  /** Hooks for a topic phrased as a question ("how octopuses think"): "Have you ever wondered {topic}?" */
  clauseHookQuestions: readonly string[];
  hookPromises: readonly string[];
  hookExtras: readonly string[];
  ctas: readonly string[];
  ctaExtras: readonly string[];
  roles: Record<SectionRole, RolePack>;
  /** Opens a section built on a question keyword: "A question people often ask: {Keyword}?" */
  keywordQuestionLeads: readonly string[];
  /** Follows the lead of a section built on another keyword. */
  keywordLeads: readonly string[];
  /** Sentences any section may borrow once its own run out. */
  fillers: readonly string[];
  /** A keyword phrased as a question ("how does … work", "qu'est-ce que …"). */
  questionKeyword: RegExp;
  /** Words a topic's first word may be, lower-cased in prose ("How octopuses think" → "how octopuses think"). */
  lowerFirst: ReadonlySet<string>;
  stopWords: ReadonlySet<string>;
  /** A topic that starts as a question ("how octopuses think"); its verb is not a visual. */
  clauseOpening: RegExp;
  /** An opening that only announces a noun ("what is bitcoin"): prose uses the noun alone. */
  nounOpening: RegExp;
  /** The preposition before the real subject of "the history of X": the visual is X. */
  ofPreposition: RegExp;
  /** What {subject} becomes for a question topic: "this topic". */
  thisTopic: string;
  /** "30 seconds", "one minute", "three minutes". */
  duration(sec: number): string;
  /** The topic in a title: Title Case in English, sentence case in French. */
  titleTopic(topic: string): string;
  /** Extra placeholders built from the topic. */
  topicForms?(topic: string, clause: boolean): Record<string, string>;
  /** The fallback hook and call to action of a user text too short to hold its own. */
  sourceFallback: { hook: string; callToAction: string };
}

export function wordSet(list: string): ReadonlySet<string> {
  return new Set(list.split(/\s+/).filter(Boolean));
}
