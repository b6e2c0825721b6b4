import type { z } from 'zod';
import type { Database, ObjectStore } from './ports.ts';
import type { Logger } from './logger.ts';
import { parseInput } from './validation.ts';

/** What every stage may use; a stage's deps (providers, database) come through its factory instead. */
export interface StageContext {
  store: ObjectStore;
  log: Logger;
  signal: AbortSignal;
  /** Fraction done in [0, 1] with a short note, for live progress. */
  progress(fraction: number, note?: string): void;
  /** A scratch folder this run may write to; removed by the host afterwards. */
  workDir: string;
}

export interface StageDefinition<I extends z.ZodType, O extends z.ZodType> {
  name: string;
  input: I;
  output: O;
  run(input: z.infer<I>, ctx: StageContext): Promise<z.infer<O>>;
}

export interface Stage<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> extends StageDefinition<I, O> {
  /** Validates the raw input, runs, and validates the output: what every host calls. */
  execute(raw: unknown, ctx: StageContext): Promise<z.infer<O>>;
}

export function defineStage<I extends z.ZodType, O extends z.ZodType>(def: StageDefinition<I, O>): Stage<I, O> {
  return {
    ...def,
    async execute(raw, ctx) {
      const input = parseInput(def.input, raw, `${def.name} input`);
      const out = await def.run(input, ctx);
      return parseInput(def.output, out, `${def.name} output`);
    },
  };
}

/** What a service's createStage() receives: the raw environment (each service parses its own variables) and shared ports. */
export interface StageFactoryOptions {
  env: Record<string, string | undefined>;
  /** Opens the database on first use, so hosts that never reach the A/B test never pay for it. */
  openDatabase?: () => Promise<Database>;
}
