import { spawn } from 'node:child_process';

function opener(url: string, env: NodeJS.ProcessEnv): [string, string[]] | undefined {
  if (process.platform === 'darwin') return ['open', [url]];
  // Not `cmd /c start`: cmd would split the URL at its `&`s.
  if (process.platform === 'win32') return ['rundll32', ['url.dll,FileProtocolHandler', url]];
  // Without a display xdg-open falls back to a text browser that would fight the CLI for the terminal.
  return env.DISPLAY || env.WAYLAND_DISPLAY ? ['xdg-open', [url]] : undefined;
}

/**
 * Tries to show the consent page in the user's browser. Never fails: on a server or over SSH there is no browser,
 * and the printed URL is the way in.
 */
export function openBrowserQuietly(url: string, env: NodeJS.ProcessEnv = process.env): void {
  const command = opener(url, env);
  if (!command) return;
  try {
    const child = spawn(command[0], command[1], { stdio: 'ignore', detached: true });
    child.on('error', () => {});
    child.unref();
  } catch {
    // No opener installed: the URL has been printed.
  }
}
