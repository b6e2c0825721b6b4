import type { Language } from '@faceless/contracts';

/** The fixed words of a description and of chapter names, per language. */
export interface LocaleText {
  inThisVideo: string;
  chapters: string;
  credits: string;
  /** The AI-voice disclosure line every description carries. */
  disclosure: string;
  and: string;
  intro: string;
  outro: string;
  /** French puts a space before : ; ? ! */
  spaceBeforePunct: boolean;
}

export const LOCALE_TEXT: Record<Language, LocaleText> = {
  en: { inThisVideo: 'In this video:', chapters: 'Chapters:', credits: 'Credits:', disclosure: 'Narrated with a synthetic voice.', and: 'and', intro: 'Intro', outro: 'Wrap-up', spaceBeforePunct: false },
  fr: { inThisVideo: 'Dans cette vidéo :', chapters: 'Chapitres :', credits: 'Crédits :', disclosure: 'Narration réalisée avec une voix de synthèse.', and: 'et', intro: 'Introduction', outro: 'Conclusion', spaceBeforePunct: true },
  es: { inThisVideo: 'En este vídeo:', chapters: 'Capítulos:', credits: 'Créditos:', disclosure: 'Narrado con una voz sintética.', and: 'y', intro: 'Introducción', outro: 'Cierre', spaceBeforePunct: false },
  de: { inThisVideo: 'In diesem Video:', chapters: 'Kapitel:', credits: 'Credits:', disclosure: 'Mit einer synthetischen Stimme vertont.', and: 'und', intro: 'Einleitung', outro: 'Abschluss', spaceBeforePunct: false },
  it: { inThisVideo: 'In questo video:', chapters: 'Capitoli:', credits: 'Crediti:', disclosure: 'Narrato con una voce sintetica.', and: 'e', intro: 'Introduzione', outro: 'Conclusione', spaceBeforePunct: false },
  pt: { inThisVideo: 'Neste vídeo:', chapters: 'Capítulos:', credits: 'Créditos:', disclosure: 'Narrado com uma voz sintética.', and: 'e', intro: 'Introdução', outro: 'Encerramento', spaceBeforePunct: false },
};

/** The script's segment headings "Intro" and "Outro" (see scriptSegments) in the video's language. */
export function chapterHeading(heading: string, lang: Language): string {
  const t = LOCALE_TEXT[lang];
  if (heading === 'Intro') return t.intro;
  if (heading === 'Outro') return t.outro;
  return heading;
}

/** "A, B and C" / "A, B et C". */
export function joinList(items: readonly string[], lang: Language): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} ${LOCALE_TEXT[lang].and} ${items[items.length - 1]}`;
}
