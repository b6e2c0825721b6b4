import type { ServerResponse } from 'node:http';
import { FacelessError, type StageApp } from '@faceless/runtime';
import { EXPERIMENT_STATUSES, type ExperimentStatus } from './experiment-repo.ts';
import type { AbTestService } from './ab-test-service.ts';

type IdRoute = { Params: { id: string } };

/** Aborted when the client goes away before the answer, so a slow YouTube call stops with it. */
function requestSignal(reply: { raw: ServerResponse }): AbortSignal {
  const controller = new AbortController();
  reply.raw.once('close', () => {
    if (!reply.raw.writableFinished) controller.abort(new FacelessError('CANCELLED', 'the client disconnected before the answer'));
  });
  return controller.signal;
}

/**
 * The experiment routes beside the stage's POST /abtests/create: create, list, show, import
 * metrics (JSON or CSV), evaluate, stop and rotate. Errors go through the app's one error handler.
 */
export function registerAbTestRoutes(app: StageApp, service: AbTestService): void {
  app.addContentTypeParser('text/csv', { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_request, body, done) => { done(null, body); });

  app.post('/abtest', async (request, reply) => {
    const { report, created } = await service.start(request.body, { signal: requestSignal(reply) });
    return reply.status(created ? 201 : 200).send(report);
  });

  app.get<{ Querystring: { status?: string } }>('/abtest', async (request) => {
    const status = request.query.status;
    if (status !== undefined && !(EXPERIMENT_STATUSES as readonly string[]).includes(status)) {
      throw new FacelessError('INVALID_INPUT', `status "${status}" is not one of ${EXPERIMENT_STATUSES.join(', ')}`, { field: 'status' });
    }
    return { experiments: await service.list(status ? { status: status as ExperimentStatus } : {}) };
  });

  app.get<IdRoute>('/abtest/:id', async (request) => service.show(request.params.id));

  app.post<IdRoute>('/abtest/:id/metrics', async (request) => service.importRows(request.params.id, request.body));

  app.post<IdRoute>('/abtest/:id/metrics/csv', async (request) => {
    if (typeof request.body !== 'string') {
      throw new FacelessError('UNSUPPORTED_MEDIA_TYPE', 'send the CSV as the body with content-type: text/csv (JSON rows go to POST /abtest/:id/metrics)', { field: 'content-type' });
    }
    return service.importCsv(request.params.id, request.body);
  });

  app.post<IdRoute>('/abtest/:id/evaluate', async (request, reply) => service.evaluate(request.params.id, { signal: requestSignal(reply) }));

  app.post<IdRoute>('/abtest/:id/stop', async (request, reply) => service.stop(request.params.id, request.body ?? {}, { signal: requestSignal(reply) }));

  app.post<IdRoute>('/abtest/:id/rotate', async (request, reply) => service.rotate(request.params.id, { signal: requestSignal(reply) }));
}
