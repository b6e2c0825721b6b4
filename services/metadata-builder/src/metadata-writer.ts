import type { MetadataGenerateInput, VideoMetadata } from '@faceless/contracts';

/** What a writer proposes; the stage adds category and language, fits it to YouTube's limits and checks it. */
export type MetadataDraft = Omit<VideoMetadata, 'categoryId' | 'defaultLanguage'>;

/** Writes titles, description and tags for a script; one implementation per source (rules, a chat model). */
export interface MetadataWriter {
  readonly name: string;
  write(input: MetadataGenerateInput, options: { signal: AbortSignal }): Promise<MetadataDraft>;
}
