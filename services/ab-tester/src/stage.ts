import { resolve } from 'node:path';
import { AbTestCreateInput, AbTestCreateOutput } from '@faceless/contracts';
import { migrate, type Database } from '@faceless/infra';
import { defineStage, FacelessError, isFacelessError, type StageContext } from '@faceless/runtime';
import { createExperimentRepo } from './experiment-repo.ts';
import { migrations } from './migrations.ts';

export interface AbTesterDeps {
  /** The database, opened on first use; the host owns it and closes it. */
  database(): Promise<Database>;
  /** Where the database is, for error messages (never with credentials). */
  location?: string;
  now?: () => Date;
}

const migrated = new WeakMap<Database, Promise<string[]>>();

/** Applies the A/B tester's migrations to this database once per process. */
export function ensureMigrated(db: Database): Promise<string[]> {
  let done = migrated.get(db);
  if (!done) {
    done = migrate(db, migrations);
    migrated.set(db, done);
    done.catch(() => migrated.delete(db));
  }
  return done;
}

// SQLSTATE classes worth retrying: connection lost, server short of resources, shutting down, serialisation.
const RETRYABLE_SQLSTATE = /^(08|53|57P|40)/;
const RETRYABLE_NET = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN']);

/** A database failure as STORAGE_FAILED, retryable when the server was unreachable or busy. */
export function databaseError(err: unknown, what: string): FacelessError {
  if (isFacelessError(err)) return err;
  const code = String((err as { code?: unknown }).code ?? '');
  const retryable = RETRYABLE_SQLSTATE.test(code) || RETRYABLE_NET.has(code);
  const message = err instanceof Error ? err.message : String(err);
  return new FacelessError('STORAGE_FAILED', `${what}: ${message}${retryable ? ' (the database is unreachable or busy: check it is running, then retry)' : ''}`, { cause: err, retryable });
}

/**
 * How an experiment records a variant's thumbnail: a folder store's file by its absolute path, so that
 * `faceless abtest rotate` finds it from any directory later; an object store's by its key.
 */
function thumbnailRecord(key: string | undefined, ctx: StageContext): string | undefined {
  if (!key) return undefined;
  const local = ctx.store.localPath?.(key);
  return local ? resolve(local) : key;
}

export function createAbTesterStage(deps: AbTesterDeps) {
  const now = deps.now ?? (() => new Date());
  const on = deps.location ? ` on ${deps.location}` : '';

  async function create(input: AbTestCreateInput, ctx: StageContext): Promise<AbTestCreateOutput> {
    checkVariants(input);
    const db = await deps.database();
    try {
      await ensureMigrated(db);
    } catch (err) {
      throw databaseError(err, `could not apply the A/B tester migrations${on}`);
    }
    const repo = createExperimentRepo(db);
    const existing = await repo.listByPipeline(input.pipelineId).catch((err: unknown) => { throw databaseError(err, `could not read experiments${on}`); });
    if (existing.length === 0) {
      for (const [i, v] of input.variants.entries()) {
        if (v.thumbnailPath && !(await ctx.store.exists(v.thumbnailPath))) {
          throw new FacelessError('NOT_FOUND', `variant "${v.label}" names thumbnail "${v.thumbnailPath}", which is not in the object store (${ctx.store.describe(v.thumbnailPath)}): make the thumbnails first`, { field: `variants.${i}.thumbnailPath` });
        }
      }
    }
    const { experiment, created } = await repo.create({
      pipelineId: input.pipelineId,
      videoId: input.videoId,
      channel: input.channel,
      rotationHours: input.rotationHours,
      variants: input.variants.map((v) => ({ label: v.label, thumbnailKey: thumbnailRecord(v.thumbnailPath, ctx), title: v.title })),
      policy: { ...(input.metric ? { metric: input.metric } : {}), ...(input.launchDays !== undefined ? { launchDays: input.launchDays } : {}) },
      now: now(),
    }).catch((err: unknown) => { throw databaseError(err, `could not create the experiment for pipeline ${input.pipelineId}${on}`); });
    if (created) {
      ctx.log.info('experiment created', { testId: experiment.id, variants: experiment.variants.length, live: experiment.variants[0]?.label });
    } else {
      const labels = experiment.variants.map((v) => v.label).join(',');
      if (labels !== input.variants.map((v) => v.label).join(',')) {
        ctx.log.warn('this pipeline already has an experiment with other variants: keeping it', { testId: experiment.id, variants: labels });
      }
    }
    ctx.progress(1, created ? `experiment ${experiment.id} running` : `experiment ${experiment.id} already exists`);
    return { testId: experiment.id, status: experiment.status, variants: experiment.variants.map((v) => ({ id: v.id, label: v.label })) };
  }

  return defineStage({ name: 'ab-tester', input: AbTestCreateInput, output: AbTestCreateOutput, run: create });
}

/** Labels name variants in reports, so they must differ; a variant must change the thumbnail or the title. */
export function checkVariants(input: Pick<AbTestCreateInput, 'variants'>): void {
  const seen = new Set<string>();
  for (const [i, v] of input.variants.entries()) {
    if (seen.has(v.label)) {
      throw new FacelessError('INVALID_INPUT', `two variants are labelled "${v.label}": give each variant its own label`, { field: `variants.${i}.label` });
    }
    seen.add(v.label);
    if (!v.thumbnailPath && !v.title) {
      throw new FacelessError('INVALID_INPUT', `variant "${v.label}" has neither a thumbnailPath nor a title, so it tests nothing: give it one or both`, { field: `variants.${i}` });
    }
  }
}
