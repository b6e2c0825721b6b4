import { createServer } from 'node:net';
import { STACK_SERVICES } from './stack.ts';

/**
 * For the stack's end-to-end tests. A free port below Linux's ephemeral range (32768+), so that servers
 * other test files open on port 0 cannot take it between this check and the service's own listen.
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = 20000 + Math.floor(Math.random() * 12000);
    const free = await new Promise<boolean>((resolve) => {
      const srv = createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (free) return port;
  }
}

/** A free port for each of the stack's ten services. */
export async function freeStackPorts(): Promise<Record<string, number>> {
  const ports: Record<string, number> = {};
  for (const s of STACK_SERVICES) ports[s.name] = await freePort();
  return ports;
}
