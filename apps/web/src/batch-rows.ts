import type { PipelineRequestInput } from '@faceless/contracts';

/** The options a batch row may set; anything else comes from the form's defaults. */
export type BatchOptions = Pick<PipelineRequestInput, 'lang' | 'durationSec' | 'aspect' | 'voice' | 'captionStyle' | 'mood' | 'music' | 'channel'>;

export interface BatchRow {
  /** 1-based line of the pasted list or the CSV file, for messages. */
  line: number;
  request: PipelineRequestInput;
}

export interface BatchParse {
  rows: BatchRow[];
  /** One message per bad line or column, naming it and the fix. */
  errors: string[];
}

/** CSV header (lower case, without spaces, dashes or underscores) → request field. */
const COLUMNS: Record<string, keyof BatchOptions | 'topic'> = {
  topic: 'topic',
  lang: 'lang', language: 'lang',
  duration: 'durationSec', durationsec: 'durationSec',
  aspect: 'aspect',
  voice: 'voice',
  captions: 'captionStyle', captionstyle: 'captionStyle',
  mood: 'mood', musicmood: 'mood',
  music: 'music',
  channel: 'channel',
};

/** One topic per line; blank lines and lines starting with # are skipped. */
export function parseTopicList(text: string, defaults: BatchOptions): BatchParse {
  const rows: BatchRow[] = [];
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const topic = raw.trim();
    if (topic && !topic.startsWith('#')) rows.push({ line: i + 1, request: { ...defaults, topic } });
  });
  return { rows, errors: rows.length === 0 ? ['the list is empty: write one topic per line'] : [] };
}

/** RFC 4180 fields: commas, quotes doubled inside quoted fields, CRLF or LF line ends. */
export function splitCsv(text: string): string[][] {
  const records: string[][] = [];
  let record: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      record.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else {
      field += c;
    }
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records.filter((r) => r.some((f) => f.trim() !== ''));
}

/** A CSV with a header row: a `topic` column and optional per-row columns (lang, duration, aspect, voice, captions, mood, music, channel). */
export function parseTopicCsv(text: string, defaults: BatchOptions): BatchParse {
  const records = splitCsv(text.replace(/^\uFEFF/, ''));
  const header = records[0];
  if (!header) return { rows: [], errors: ['the CSV file is empty: give a header row with a "topic" column, then one row per video'] };
  const errors: string[] = [];
  const fields = header.map((name) => {
    const field = COLUMNS[name.trim().toLowerCase().replace(/[\s_-]/g, '')];
    if (!field) errors.push(`column "${name}" is not known: use topic, lang, duration, aspect, voice, captions, mood, music or channel`);
    return field;
  });
  if (!fields.includes('topic')) errors.push('the CSV file has no "topic" column: name the first header cell "topic"');
  if (errors.length > 0) return { rows: [], errors };

  const rows: BatchRow[] = [];
  records.slice(1).forEach((record, i) => {
    const line = i + 2;
    const request: PipelineRequestInput = { ...defaults, topic: '' };
    fields.forEach((field, col) => {
      const value = (record[col] ?? '').trim();
      if (!field || value === '') return;
      switch (field) {
        case 'durationSec': {
          const n = Number(value.replace(/s$/i, ''));
          if (!Number.isInteger(n)) errors.push(`line ${line}: duration "${value}" is not a whole number of seconds (e.g. 60)`);
          else request.durationSec = n;
          break;
        }
        case 'music':
          if (/^(yes|true|1|on)$/i.test(value)) request.music = true;
          else if (/^(no|false|0|off)$/i.test(value)) request.music = false;
          else errors.push(`line ${line}: music "${value}" must be yes or no`);
          break;
        case 'lang':
          request.lang = value as BatchOptions['lang'];
          break;
        case 'aspect':
          request.aspect = value as BatchOptions['aspect'];
          break;
        case 'captionStyle':
          request.captionStyle = value as BatchOptions['captionStyle'];
          break;
        case 'topic':
        case 'voice':
        case 'mood':
        case 'channel':
          request[field] = value;
          break;
      }
    });
    if (request.topic === '') errors.push(`line ${line}: the topic is empty: fill the "topic" cell or delete the row`);
    else rows.push({ line, request });
  });
  if (rows.length === 0 && errors.length === 0) errors.push('the CSV file has a header but no rows: add one row per video');
  return { rows, errors };
}
