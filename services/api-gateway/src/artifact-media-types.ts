import { extname } from 'node:path';

/** The content type each artifact is served with, by extension; anything else is application/octet-stream. */
const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.mp4': 'video/mp4',
  '.wav': 'audio/wav',
  '.mp3': 'audio/mpeg',
  '.m4a': 'audio/mp4',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.json': 'application/json',
  '.srt': 'application/x-subrip',
  '.vtt': 'text/vtt; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export function artifactContentType(key: string): string {
  return CONTENT_TYPES[extname(key).toLowerCase()] ?? 'application/octet-stream';
}

/** The media types (without parameters) the artifact content route can answer: what /openapi.json lists. */
export const ARTIFACT_MEDIA_TYPES: readonly string[] = [
  ...new Set([...Object.values(CONTENT_TYPES).map((t) => t.split(';')[0] ?? t), 'application/octet-stream']),
];
