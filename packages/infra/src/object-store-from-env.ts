import { resolve } from 'node:path';
import { z } from 'zod';
import { FacelessError, blankAsUnset } from '@faceless/runtime';
import { FolderStore } from './object-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3ObjectStore } from './s3-object-store.ts';
import type { S3ObjectStoreOptions } from './s3-object-store.ts';

const optional = <T extends z.ZodType>(schema: T) => z.preprocess(blankAsUnset, schema.optional());

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };

// S3's bucket naming rules (3–63 chars, lowercase letters, digits, dots, hyphens; starts and ends alphanumeric).
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const StorageEnv = z.object({
  S3_ENDPOINT: optional(z.string().refine((v) => /^https?:\/\/[^/\s]+/.test(v) && URL.canParse(v), 'must be an http(s):// URL such as http://127.0.0.1:9000')),
  S3_PUBLIC_ENDPOINT: optional(z.string().refine((v) => /^https?:\/\/[^/\s]+/.test(v) && URL.canParse(v), 'must be an http(s):// URL such as https://files.example.com')),
  S3_BUCKET: optional(z.string().regex(BUCKET_NAME, 'must be an S3 bucket name: 3–63 lowercase letters, digits, dots or hyphens')),
  S3_REGION: optional(z.string().regex(/^[a-z0-9-]+$/, 'must be a region name such as us-east-1')),
  S3_ACCESS_KEY_ID: optional(z.string()),
  S3_SECRET_ACCESS_KEY: optional(z.string()),
  S3_FORCE_PATH_STYLE: optional(z.string().refine((v) => v.toLowerCase() in BOOLEAN_WORDS, 'must be true or false')),
  S3_KEY_PREFIX: optional(z.string().refine((v) => !v.split('/').includes('..') && !v.includes('\0'), 'must not contain ".." segments')),
  FACELESS_STORE_DIR: optional(z.string()),
}).superRefine((env, ctx) => {
  // Names only: a secret's value never goes into a message.
  if (env.S3_ACCESS_KEY_ID && !env.S3_SECRET_ACCESS_KEY) ctx.addIssue({ code: 'custom', path: ['S3_SECRET_ACCESS_KEY'], message: 'is required when S3_ACCESS_KEY_ID is set' });
  if (env.S3_SECRET_ACCESS_KEY && !env.S3_ACCESS_KEY_ID) ctx.addIssue({ code: 'custom', path: ['S3_ACCESS_KEY_ID'], message: 'is required when S3_SECRET_ACCESS_KEY is set' });
});

export type StorageConfig =
  | { kind: 'folder'; dir: string }
  | { kind: 's3'; options: S3ObjectStoreOptions };

/**
 * S3 (MinIO, R2, AWS) when S3_BUCKET is set, else a folder (FACELESS_STORE_DIR, ./faceless-store).
 * Every bad variable is listed in one INVALID_OPTION error.
 */
export function readStorageConfig(env: Record<string, string | undefined>): StorageConfig {
  const r = StorageEnv.safeParse(env);
  if (!r.success) {
    const problems = r.error.issues.map((i) => `${i.path.join('.')} ${i.message}`);
    throw new FacelessError('INVALID_OPTION', `bad storage environment: ${problems.join('; ')}`, { field: String(r.error.issues[0]?.path[0] ?? '') });
  }
  const e = r.data;
  if (!e.S3_BUCKET) return { kind: 'folder', dir: resolve(e.FACELESS_STORE_DIR ?? './faceless-store') };
  const forcePathStyle = e.S3_FORCE_PATH_STYLE !== undefined ? BOOLEAN_WORDS[e.S3_FORCE_PATH_STYLE.toLowerCase()] === true : e.S3_ENDPOINT !== undefined;
  const options: S3ObjectStoreOptions = { bucket: e.S3_BUCKET, region: e.S3_REGION ?? 'us-east-1', forcePathStyle };
  if (e.S3_ENDPOINT) options.endpoint = e.S3_ENDPOINT;
  if (e.S3_PUBLIC_ENDPOINT) options.publicEndpoint = e.S3_PUBLIC_ENDPOINT;
  if (e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY) {
    options.accessKeyId = e.S3_ACCESS_KEY_ID;
    options.secretAccessKey = e.S3_SECRET_ACCESS_KEY;
  }
  if (e.S3_KEY_PREFIX) options.keyPrefix = e.S3_KEY_PREFIX;
  return { kind: 's3', options };
}

/** The object store the environment asks for; see readStorageConfig. */
export function createObjectStore(env: Record<string, string | undefined>): ObjectStore {
  const config = readStorageConfig(env);
  return config.kind === 's3' ? new S3ObjectStore(config.options) : new FolderStore(config.dir);
}
