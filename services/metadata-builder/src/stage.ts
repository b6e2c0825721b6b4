import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MetadataGenerateInput, MetadataGenerateOutput } from '@faceless/contracts';
import type { VideoMetadata } from '@faceless/contracts';
import { FacelessError, defineStage } from '@faceless/runtime';
import type { MetadataWriter } from './metadata-writer.ts';
import { fitMetadata, validateMetadata } from './youtube-limits.ts';

export interface MetadataStageDeps {
  writer: MetadataWriter;
  categoryId: string;
}

export function createMetadataStage(deps: MetadataStageDeps) {
  return defineStage({
    name: 'metadata-builder',
    input: MetadataGenerateInput,
    output: MetadataGenerateOutput,
    async run(input, ctx) {
      ctx.progress(0, `writing metadata (${deps.writer.name})`);
      const draft = await deps.writer.write(input, { signal: ctx.signal });
      const metadata: VideoMetadata = fitMetadata({ ...draft, categoryId: deps.categoryId, defaultLanguage: input.lang });
      const problems = validateMetadata(metadata);
      if (problems.length > 0) {
        throw new FacelessError('LIMIT_EXCEEDED', `metadata breaks YouTube's limits: ${problems.map((p) => `${p.field}: ${p.message}`).join('; ')}`, {
          field: problems[0]?.field,
        });
      }
      const metadataFile = join(ctx.workDir, 'metadata.json');
      const descriptionFile = join(ctx.workDir, 'description.txt');
      await writeFile(metadataFile, `${JSON.stringify(metadata, null, 2)}\n`);
      await writeFile(descriptionFile, `${metadata.description}\n`);
      const metadataPath = `${input.outputPrefix}metadata.json`;
      await ctx.store.putFile(metadataPath, metadataFile, 'application/json');
      await ctx.store.putFile(`${input.outputPrefix}description.txt`, descriptionFile, 'text/plain; charset=utf-8');
      ctx.log.debug('metadata written', { title: metadata.title, chapters: metadata.chapters.length, tags: metadata.tags.length });
      ctx.progress(1, 'metadata written');
      return { provider: deps.writer.name, metadataPath, metadata };
    },
  });
}

export type MetadataStage = ReturnType<typeof createMetadataStage>;
