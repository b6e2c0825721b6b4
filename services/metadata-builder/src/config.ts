import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';

export const MetadataConfig = z.object({
  /** Who writes titles and descriptions: "rules" (offline templates) is the only one so far. */
  METADATA_PROVIDER: z.enum(['rules']).default('rules'),
  /** YouTube category id: 27 is Education (see videoCategories.list for others). */
  METADATA_CATEGORY_ID: z.string().regex(/^\d{1,3}$/, 'must be a YouTube category number such as 27 (Education) or 28 (Science & Technology)').default('27'),
});
export type MetadataConfig = z.infer<typeof MetadataConfig>;

/** Reads the metadata-builder's variables, naming every bad one at once. */
export function parseMetadataConfig(env: Record<string, string | undefined>): MetadataConfig {
  const picked = Object.fromEntries(
    Object.keys(MetadataConfig.shape).map((k) => [k, env[k] === '' ? undefined : env[k]]),
  );
  const result = MetadataConfig.safeParse(picked);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => `${i.path.join('.')}=${JSON.stringify(picked[String(i.path[0])])}: ${i.message}`);
  throw new FacelessError('INVALID_OPTION', `invalid metadata-builder configuration: ${problems.join('; ')}`, {
    field: String(result.error.issues[0]?.path[0] ?? ''),
  });
}
