import type { MetadataGenerateInput } from '@faceless/contracts';
import { buildChapters } from '../chapters.ts';
import { composeDescription } from '../description.ts';
import { chapterHeading } from '../locale-text.ts';
import type { MetadataDraft, MetadataWriter } from '../metadata-writer.ts';
import { titleAlternatives } from '../title-templates.ts';
import { pickHashtags, topicTerms } from '../topic-terms.ts';
import { fitTags, fitTitle } from '../youtube-limits.ts';

/**
 * The offline default: the script's title idea as the title, template alternatives,
 * a description assembled from the script, chapters from the segment timings, tags
 * from the keywords then the script's topic words.
 */
export function buildRulesMetadata(input: MetadataGenerateInput): MetadataDraft {
  const { script, lang } = input;
  const terms = topicTerms(script, lang, 8);
  const headings = script.sections.map((s) => s.heading);
  const chapters = buildChapters(input.segments, { durationSec: input.durationSec, rename: (h) => chapterHeading(h, lang) });
  const hashtags = pickHashtags(input.keywords, terms, lang);
  const description = composeDescription({
    lang, hook: script.hook, headings, chapters, hashtags, credits: input.credits,
  });
  const alternatives = titleAlternatives({
    // With no keyword research, the script's top topic word stands in when a subject is too long.
    titleIdea: script.titleIdea, lang, keywords: input.keywords.length > 0 ? input.keywords : terms.slice(0, 1), sectionCount: script.sections.length,
    durationSec: input.durationSec,
  });
  return {
    title: fitTitle(script.titleIdea),
    titleAlternatives: alternatives.map((a) => a.title),
    description,
    tags: fitTags([...input.keywords, ...terms, ...headings.map((h) => h.toLocaleLowerCase(lang))]),
    hashtags,
    chapters,
  };
}

export function createRulesWriter(): MetadataWriter {
  return {
    name: 'rules',
    write: (input) => Promise.resolve(buildRulesMetadata(input)),
  };
}
