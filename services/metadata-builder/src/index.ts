import type { StageFactoryOptions } from '@faceless/runtime';
import { parseMetadataConfig } from './config.ts';
import { createRulesWriter } from './providers/rules.ts';
import { createMetadataStage } from './stage.ts';
import type { MetadataStage } from './stage.ts';

export { createMetadataStage } from './stage.ts';
export type { MetadataStage, MetadataStageDeps } from './stage.ts';
export { MetadataConfig, parseMetadataConfig } from './config.ts';
export type { MetadataDraft, MetadataWriter } from './metadata-writer.ts';
export { buildRulesMetadata, createRulesWriter } from './providers/rules.ts';
export {
  codePointLength, fitDescription, fitMetadata, fitTags, fitTitle, tagsLength, utf8Length, validateMetadata, MAX_TAG_CHARS,
} from './youtube-limits.ts';
export type { MetadataProblem } from './youtube-limits.ts';
export { buildChapters, chapterLines, formatTimestamp } from './chapters.ts';
export { composeDescription } from './description.ts';
export { titleAlternatives, TITLE_FORMS } from './title-templates.ts';
export { pickHashtags, toHashtag, topicTerms } from './topic-terms.ts';

const WRITERS = { rules: createRulesWriter } as const;

/** The metadata-builder stage with the writer the environment chooses (offline rules by default). */
export function createStage(options: StageFactoryOptions): MetadataStage {
  const config = parseMetadataConfig(options.env);
  return createMetadataStage({ writer: WRITERS[config.METADATA_PROVIDER](), categoryId: config.METADATA_CATEGORY_ID });
}
