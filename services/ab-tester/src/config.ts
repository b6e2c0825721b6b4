import { z } from 'zod';
import { FacelessError, blankAsUnset } from '@faceless/runtime';

const RotateEnv = z.object({
  AB_ROTATE_INTERVAL_SEC: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(86_400).default(300)),
});

/** How often the service checks whether a rotation is due (AB_ROTATE_INTERVAL_SEC, default 300; 0 turns it off). */
export function readRotateIntervalSec(env: Record<string, string | undefined>): number {
  const r = RotateEnv.safeParse(env);
  if (!r.success) {
    throw new FacelessError('INVALID_OPTION', `AB_ROTATE_INTERVAL_SEC "${env.AB_ROTATE_INTERVAL_SEC ?? ''}" must be whole seconds from 0 (off) to 86400`, { field: 'AB_ROTATE_INTERVAL_SEC' });
  }
  return r.data.AB_ROTATE_INTERVAL_SEC;
}

const ReportsEnv = z.object({
  AB_REPORTS_INTERVAL_SEC: z.preprocess(blankAsUnset, z.coerce.number().int().min(0).max(7 * 86_400).default(21_600)),
});

/**
 * How often the service pulls the channels' reach reports and evaluates the running experiments
 * (AB_REPORTS_INTERVAL_SEC, default 6 h: YouTube adds a report a day, about 48 h late; 0 turns it off).
 */
export function readReportsIntervalSec(env: Record<string, string | undefined>): number {
  const r = ReportsEnv.safeParse(env);
  if (!r.success) {
    throw new FacelessError('INVALID_OPTION', `AB_REPORTS_INTERVAL_SEC "${env.AB_REPORTS_INTERVAL_SEC ?? ''}" must be whole seconds from 0 (off) to 604800`, { field: 'AB_REPORTS_INTERVAL_SEC' });
  }
  return r.data.AB_REPORTS_INTERVAL_SEC;
}

// Where the experiments live when the host does not hand the stage a database: the process's shared one.
export { readDatabaseTarget, describeDatabaseTarget, type DatabaseTarget } from '@faceless/infra';
