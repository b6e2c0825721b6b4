import { copyFile, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { FacelessError, isFacelessError, runProcess } from '@faceless/runtime';

/** The font libass is asked for, and the files to put in its fontsdir. */
export interface CaptionFont {
  /** A family, or a face's full name ("DejaVu Serif Condensed Bold Italic"), which libass matches exactly. */
  fontName: string;
  /** Ask for the bold weight: yes for a family, no for one face (libass would embolden it artificially). */
  bold: boolean;
  files: string[];
}

export const FONT_FILE_EXTENSIONS = ['.ttf', '.otf', '.ttc'] as const;

/** A `captions.font` that names a file rather than an installed family. */
export function isFontPath(font: string): boolean {
  return /[\\/]/.test(font) || (FONT_FILE_EXTENSIONS as readonly string[]).includes(extname(font).toLowerCase());
}

const NAME_FULL = 4;
const NAME_FAMILY = 1;

/**
 * The full name (name id 4), else the family (id 1), of the first face of a TrueType/OpenType file or
 * collection, read from its `name` table (OpenType spec, "name — Naming Table"): Windows names
 * (UTF-16BE, US English first) before Macintosh ones (Roman). Undefined when the bytes are not a font.
 */
export function sfntFaceName(bytes: Buffer): string | undefined {
  if (bytes.length < 12) return undefined;
  let base = 0;
  if (bytes.toString('latin1', 0, 4) === 'ttcf') {
    if (bytes.length < 16) return undefined;
    base = bytes.readUInt32BE(12);
  }
  if (base + 12 > bytes.length) return undefined;
  const version = bytes.readUInt32BE(base);
  if (version !== 0x00010000 && !['OTTO', 'true'].includes(bytes.toString('latin1', base, base + 4))) return undefined;
  const tables = bytes.readUInt16BE(base + 4);
  let name: number | undefined;
  for (let i = 0; i < tables; i++) {
    const at = base + 12 + 16 * i;
    if (at + 16 > bytes.length) return undefined;
    if (bytes.toString('latin1', at, at + 4) === 'name') name = bytes.readUInt32BE(at + 8);
  }
  if (name === undefined || name + 6 > bytes.length) return undefined;
  const count = bytes.readUInt16BE(name + 2);
  const strings = name + bytes.readUInt16BE(name + 4);
  const found: { id: number; rank: number; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const at = name + 6 + 12 * i;
    if (at + 12 > bytes.length) break;
    const [platform, , language, id, length, offset] = [0, 2, 4, 6, 8, 10].map((o) => bytes.readUInt16BE(at + o)) as [number, number, number, number, number, number];
    if (id !== NAME_FULL && id !== NAME_FAMILY) continue;
    const start = strings + offset;
    if (start + length > bytes.length) continue;
    const raw = bytes.subarray(start, start + length);
    if ((platform === 3 || platform === 0) && length % 2 === 0) {
      found.push({ id, rank: platform === 3 && language === 0x409 ? 0 : 1, text: Buffer.from(raw).swap16().toString('utf16le') });
    } else if (platform === 1 && language === 0) {
      found.push({ id, rank: 2, text: raw.toString('latin1') });
    }
  }
  const best = (id: number): string | undefined => found
    .filter((f) => f.id === id && f.text.trim() !== '')
    .sort((a, b) => a.rank - b.rank)[0]?.text.trim();
  return best(NAME_FULL) ?? best(NAME_FAMILY);
}

/** Families and full names fontconfig knows, lower-cased; undefined when fc-list is not installed. */
async function installedFontNames(signal?: AbortSignal): Promise<{ families: Set<string>; fullNames: Set<string> } | undefined> {
  try {
    const { stdout } = await runProcess('fc-list', ['--format', '%{family}\\t%{fullname}\\n'], signal ? { signal } : {});
    const families = new Set<string>();
    const fullNames = new Set<string>();
    for (const line of stdout.split('\n')) {
      const [family = '', full = ''] = line.split('\t');
      for (const f of family.split(',')) if (f.trim()) families.add(f.trim().toLowerCase());
      for (const f of full.split(',')) if (f.trim()) fullNames.add(f.trim().toLowerCase());
    }
    return { families, fullNames };
  } catch (err) {
    if (isFacelessError(err) && err.code === 'MISSING_DEPENDENCY') return undefined;
    throw err;
  }
}

/**
 * `captions.font` as libass will find it: a TTF/OTF file (named by its face's full name and copied
 * into the fontsdir), or a family or full name fontconfig has installed. Wrong input is
 * INVALID_INPUT on field `captions.font`, saying what to give instead.
 */
export async function resolveCaptionFont(font: string, options: { signal?: AbortSignal; warn?: (message: string) => void } = {}): Promise<CaptionFont> {
  const field = 'captions.font';
  if (isFontPath(font)) {
    const info = await stat(font).catch(() => undefined);
    if (!info?.isFile()) throw new FacelessError('INVALID_INPUT', `captions.font ${font} is not a file: give the path of a .ttf or .otf file, or an installed family such as "DejaVu Sans" (fc-list : family lists them)`, { field });
    if (!(FONT_FILE_EXTENSIONS as readonly string[]).includes(extname(font).toLowerCase())) {
      throw new FacelessError('INVALID_INPUT', `captions.font ${font} is not a TrueType or OpenType file: give a ${FONT_FILE_EXTENSIONS.join(', ')} file`, { field });
    }
    const fontName = sfntFaceName(await readFile(font));
    if (!fontName) throw new FacelessError('INVALID_INPUT', `captions.font ${font} has no readable font name (is it really a font?): give another .ttf or .otf file`, { field });
    return { fontName, bold: false, files: [font] };
  }
  const installed = await installedFontNames(options.signal);
  const wanted = font.toLowerCase();
  if (!installed) {
    options.warn?.(`fc-list is not installed, so captions.font "${font}" cannot be checked; libass falls back to another font if it is missing`);
    return { fontName: font, bold: true, files: [] };
  }
  if (installed.families.has(wanted)) return { fontName: font, bold: true, files: [] };
  if (installed.fullNames.has(wanted)) return { fontName: font, bold: false, files: [] };
  throw new FacelessError('INVALID_INPUT', `captions.font "${font}" is not an installed font: give an installed family (fc-list : family lists them) or the path of a .ttf or .otf file`, { field });
}

/** Wide letters, accents and capitals, as in captions; the widths of whole lines are compared. */
const CALIBRATION_TEXT = 'Whoa! Maximum momentum, ÉLÉPHANTS naïve où swim';
const CALIBRATION = { width: 2400, height: 240, fontSize: 60, x: 20, rows: [20, 130] } as const;

/** The width in pixels of what is drawn (differs from the grey background) between rows `top` and `bottom`. */
function inkWidth(rgb: Buffer, top: number, bottom: number): number {
  let left = Infinity;
  let right = -Infinity;
  for (let y = top; y < bottom; y++) {
    for (let x = 0; x < CALIBRATION.width; x++) {
      const p = (y * CALIBRATION.width + x) * 3;
      if (Math.abs((rgb[p] ?? 128) - 128) + Math.abs((rgb[p + 1] ?? 128) - 128) + Math.abs((rgb[p + 2] ?? 128) - 128) < 60) continue;
      left = Math.min(left, x);
      right = Math.max(right, x);
    }
  }
  return right >= left ? right - left + 1 : 0;
}

/**
 * How much wider than the default caption font `font` draws a caption line, measured by libass itself
 * (one frame, both fonts, the same line): caption widths are estimated with Montserrat's letter widths,
 * and a wider font would otherwise run out of the safe area. At least 1: narrower fonts keep the estimate.
 */
export async function measureFontWidthScale(font: CaptionFont, options: { defaultFontFiles: readonly string[]; workDir: string; signal?: AbortSignal }): Promise<number> {
  const dir = await mkdtemp(join(options.workDir, 'font-width-'));
  try {
    const fonts = join(dir, 'fonts');
    await mkdir(fonts);
    for (const file of [...options.defaultFontFiles, ...font.files]) await copyFile(file, join(fonts, basename(file)));
    const { width, height, fontSize, x, rows } = CALIBRATION;
    const line = (y: number, name: string, bold: boolean): string =>
      `Dialogue: 0,0:00:00.00,0:00:01.00,M,,0,0,0,,{\\an7\\pos(${x},${y})\\fn${name}\\b${bold ? 1 : 0}}${CALIBRATION_TEXT}`;
    await writeFile(join(dir, 'm.ass'), [
      '[Script Info]', 'ScriptType: v4.00+', `PlayResX: ${width}`, `PlayResY: ${height}`, 'WrapStyle: 2', '',
      '[V4+ Styles]',
      'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
      `Style: M,Arial,${fontSize},&H00FFFFFF,&H00FFFFFF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,7,0,0,0,1`, '',
      '[Events]', 'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
      line(rows[0], 'Montserrat Thin ExtraBold', true),
      line(rows[1], font.fontName, font.bold),
      '',
    ].join('\n'), 'utf8');
    await runProcess('ffmpeg', [
      '-hide_banner', '-nostdin', '-v', 'error', '-f', 'lavfi', '-i', `color=c=0x808080:s=${width}x${height}:d=0.04:r=25`,
      '-vf', 'ass=m.ass:fontsdir=fonts', '-frames:v', '1', '-pix_fmt', 'rgb24', '-f', 'rawvideo', '-y', 'm.rgb',
    ], { cwd: dir, ...(options.signal ? { signal: options.signal } : {}) });
    const rgb = await readFile(join(dir, 'm.rgb'));
    const reference = inkWidth(rgb, rows[0], rows[1]);
    const measured = inkWidth(rgb, rows[1], height);
    if (reference === 0 || measured === 0) return 1;
    return Math.max(1, measured / reference);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
