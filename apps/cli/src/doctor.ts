import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '@faceless/runtime';

export interface Check {
  name: string;
  ok: boolean;
  required: boolean;
  detail: string;
  fix?: string;
  /** A suggestion for a check that passes: a better way that is one step away. */
  hint?: string;
}

const APT_FFMPEG = 'Debian/Ubuntu: sudo apt-get install -y ffmpeg';

/** Reads what an ffmpeg build can do from its -encoders and -filters listings (pure). */
export function ffmpegCapabilities(encoders: string, filters: string): { missing: string[] } {
  const has = (listing: string, name: string): boolean => new RegExp(`^\\s*\\S+\\s+${name}\\s`, 'm').test(listing);
  const missing = [
    ...['libx264', 'aac'].filter((e) => !has(encoders, e)).map((e) => `encoder ${e}`),
    ...['ass', 'loudnorm', 'concat'].filter((f) => !has(filters, f)).map((f) => `filter ${f}`),
  ];
  return { missing };
}

async function checkFfmpeg(): Promise<Check[]> {
  try {
    const { stdout } = await runProcess('ffmpeg', ['-hide_banner', '-version']);
    const version = /ffmpeg version (\S+)/.exec(stdout)?.[1] ?? 'unknown';
    const [enc, fil] = await Promise.all([
      runProcess('ffmpeg', ['-hide_banner', '-encoders']),
      runProcess('ffmpeg', ['-hide_banner', '-filters']),
    ]);
    const { missing } = ffmpegCapabilities(enc.stdout, fil.stdout);
    const probe = await runProcess('ffprobe', ['-version']).then(() => true, () => false);
    return [
      {
        name: 'ffmpeg', required: true, ok: missing.length === 0,
        detail: missing.length ? `${version} lacks ${missing.join(', ')}` : `${version} (libx264, aac, libass, loudnorm)`,
        ...(missing.length ? { fix: `install a full build: ${APT_FFMPEG}` } : {}),
      },
      { name: 'ffprobe', required: true, ok: probe, detail: probe ? 'found' : 'not found', ...(probe ? {} : { fix: APT_FFMPEG }) },
    ];
  } catch {
    return [
      { name: 'ffmpeg', required: true, ok: false, detail: 'not found on PATH', fix: APT_FFMPEG },
      { name: 'ffprobe', required: true, ok: false, detail: 'not found on PATH', fix: APT_FFMPEG },
    ];
  }
}

async function checkEspeakEngine(): Promise<Check> {
  try {
    const { checkEspeak } = await import('@faceless/tts-renderer');
    const r = await checkEspeak();
    return { name: 'espeak-ng', required: true, ok: r.ok, detail: r.detail, ...(r.ok ? {} : { fix: 'reinstall the dependencies: npm install' }) };
  } catch (err) {
    return { name: 'espeak-ng', required: true, ok: false, detail: (err as Error).message, fix: 'reinstall the dependencies: npm install' };
  }
}

async function checkDataDir(dataDir: string): Promise<Check> {
  try {
    await mkdir(dataDir, { recursive: true });
    const probe = join(dataDir, `.doctor-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
    return { name: 'data folder', required: true, ok: true, detail: `${dataDir} is writable` };
  } catch (err) {
    return { name: 'data folder', required: true, ok: false, detail: `${dataDir}: ${(err as NodeJS.ErrnoException).code ?? 'error'}`, fix: 'set FACELESS_DATA_DIR to a folder you can write to' };
  }
}

/**
 * Which writer `faceless make` will use for the script: the chat API when a key is set, else (the default
 * SCRIPT_PROVIDER=auto) a local Ollama or LM Studio when one answers, else the offline templates.
 */
export async function checkScriptWriter(env: Record<string, string | undefined>): Promise<Check> {
  const name = 'script writer';
  try {
    const { readScriptConfig, probeLocalChatServers, chatModelOf, LOCAL_SERVER_KINDS } = await import('@faceless/script-generator');
    const config = readScriptConfig(env);
    if (config.provider === 'offline') return { name, required: false, ok: true, detail: 'offline templates (SCRIPT_PROVIDER=offline)' };
    if (config.provider === 'openai' || config.apiKey) {
      return { name, required: false, ok: true, detail: `chat API at ${config.baseUrl}, model ${config.model}` };
    }
    const servers = await probeLocalChatServers(config.local);
    const usable = servers.find((s) => chatModelOf(s, config.local.model));
    if (usable) {
      const model = chatModelOf(usable, config.local.model) ?? '';
      return {
        name, required: false, ok: true,
        detail: `${LOCAL_SERVER_KINDS[usable.kind]} answers at ${usable.baseUrl}: faceless make writes the script with ${model} (SCRIPT_PROVIDER=auto)`,
        hint: `another model: LOCAL_LLM_MODEL=<name> (it offers ${usable.models.slice(0, 5).join(', ')}); the offline templates: SCRIPT_PROVIDER=offline`,
      };
    }
    const empty = servers[0];
    if (empty) {
      return {
        name, required: false, ok: true,
        detail: `${LOCAL_SERVER_KINDS[empty.kind]} answers at ${empty.baseUrl} but offers no model: the offline templates write the script`,
        hint: empty.kind === 'ollama' ? 'pull a model: ollama pull llama3.2' : 'load a model in LM Studio and start its server',
      };
    }
    return {
      name, required: false, ok: true,
      detail: `offline templates (no local chat server at ${config.local.ollamaUrl} or ${config.local.lmStudioUrl}, no OPENAI_API_KEY)`,
      hint: 'better scripts with no paid key: install Ollama (ollama.com) and run "ollama pull llama3.2", or start LM Studio\'s server; faceless finds them by itself (OLLAMA_BASE_URL, LMSTUDIO_BASE_URL for other addresses)',
    };
  } catch (err) {
    return { name, required: false, ok: false, detail: (err as Error).message, fix: 'correct the variables named above, or unset them' };
  }
}

function checkNode(): Check {
  const major = Number(process.versions.node.split('.')[0]);
  return { name: 'Node.js', required: true, ok: major >= 20, detail: process.versions.node, ...(major >= 20 ? {} : { fix: 'install Node.js 20 or newer' }) };
}

export async function runDoctor(dataDir: string, env: Record<string, string | undefined> = process.env): Promise<Check[]> {
  const [ffmpeg, espeak, data, script] = await Promise.all([checkFfmpeg(), checkEspeakEngine(), checkDataDir(dataDir), checkScriptWriter(env)]);
  return [checkNode(), ...ffmpeg, espeak, data, script];
}

export function formatChecks(checks: readonly Check[]): string {
  const lines = checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name.padEnd(12)} ${c.detail}${c.fix ? `\n    fix: ${c.fix}` : ''}${c.hint ? `\n    tip: ${c.hint}` : ''}`);
  const bad = checks.filter((c) => !c.ok && c.required).length;
  lines.push(bad ? `\n${bad} problem${bad > 1 ? 's' : ''} to fix before "faceless make" can work.` : '\nAll set: faceless make "<topic>" will work.');
  return `${lines.join('\n')}\n`;
}
