import type { CaptionCue } from './captions.ts';

/**
 * Subtitle files of the captions shown on screen: one cue per caption, its lines broken as burned
 * in, from its first word to its last state. Times are the ASS script's centiseconds written in
 * milliseconds, so a player showing the file and the burned-in captions agree to the frame.
 */

function clock(centiseconds: number, separator: ',' | '.'): string {
  const ms = Math.max(0, Math.round(centiseconds)) * 10;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}${separator}${pad(ms % 1000, 3)}`;
}

/** A cue line never holds a line break, and never an empty line (which would end the cue). */
function flat(line: string): string {
  return line.replace(/[\r\n\t]+/g, ' ').trim();
}

/** Cues with nothing to show or no time on screen are left out: players drop or mangle them. */
function shown(cues: readonly CaptionCue[]): { cue: CaptionCue; lines: string[] }[] {
  return cues
    .map((cue) => ({ cue, lines: cue.lines.map(flat).filter((l) => l !== '') }))
    .filter(({ cue, lines }) => lines.length > 0 && cue.endCs > cue.startCs);
}

/** SubRip (.srt): numbered cues, `HH:MM:SS,mmm --> HH:MM:SS,mmm`, a blank line after each; UTF-8. */
export function buildSrt(cues: readonly CaptionCue[]): string {
  const blocks = shown(cues).map(({ cue, lines }, i) => [
    String(i + 1),
    `${clock(cue.startCs, ',')} --> ${clock(cue.endCs, ',')}`,
    // "-->" inside the text would read as a timing line to lenient parsers.
    ...lines.map((l) => l.replace(/-->/g, '→')),
  ].join('\n'));
  return blocks.length > 0 ? `${blocks.join('\n\n')}\n` : '';
}

/** WebVTT text: `&`, `<` and `>` are markup, so they are written as character references. */
function vttText(line: string): string {
  return line.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** WebVTT (.vtt): the `WEBVTT` header, then cues `HH:MM:SS.mmm --> HH:MM:SS.mmm` separated by blank lines. */
export function buildWebVtt(cues: readonly CaptionCue[]): string {
  const body = shown(cues).map(({ cue, lines }) => [
    `${clock(cue.startCs, '.')} --> ${clock(cue.endCs, '.')}`,
    ...lines.map(vttText),
  ].join('\n'));
  return `${['WEBVTT', ...body].join('\n\n')}\n`;
}
