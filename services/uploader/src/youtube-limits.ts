import { FacelessError } from '@faceless/runtime';

/**
 * What YouTube refuses at upload time (Data API v3 videos and thumbnails resources), checked
 * before any target runs so the local channel rejects exactly what YouTube would.
 */
export const UPLOAD_LIMITS = {
  titleChars: 100,
  descriptionBytes: 5000,
  tagsChars: 500,
  videoBytes: 256 * 1024 ** 3,
  thumbnailBytes: 2 * 1024 ** 2,
} as const;

const ANGLE_BRACKET = /[<>]/;

/** Tags as YouTube counts them: commas between tags, and a tag with a space counted with its two quotes. */
export function tagsLength(tags: readonly string[]): number {
  const chars = tags.reduce((sum, tag) => sum + [...tag].length + (tag.includes(' ') ? 2 : 0), 0);
  return chars + Math.max(0, tags.length - 1);
}

export interface MetadataToCheck {
  title: string;
  description: string;
  tags: readonly string[];
}

/** Throws LIMIT_EXCEEDED naming the first field YouTube would refuse. */
export function checkMetadataLimits(meta: MetadataToCheck): void {
  const titleChars = [...meta.title].length;
  if (titleChars > UPLOAD_LIMITS.titleChars) {
    throw limit('metadata.title', `the title has ${titleChars} characters, YouTube allows ${UPLOAD_LIMITS.titleChars}: shorten "${meta.title.slice(0, 40)}…"`);
  }
  if (ANGLE_BRACKET.test(meta.title)) {
    throw limit('metadata.title', `the title "${meta.title}" contains < or >, which YouTube refuses: remove them`);
  }
  const descriptionBytes = Buffer.byteLength(meta.description, 'utf8');
  if (descriptionBytes > UPLOAD_LIMITS.descriptionBytes) {
    throw limit('metadata.description', `the description is ${descriptionBytes} bytes in UTF-8, YouTube allows ${UPLOAD_LIMITS.descriptionBytes}: shorten it`);
  }
  if (ANGLE_BRACKET.test(meta.description)) {
    const line = meta.description.split('\n').find((l) => ANGLE_BRACKET.test(l)) ?? '';
    throw limit('metadata.description', `the description contains < or >, which YouTube refuses (line "${line.slice(0, 60)}"): remove them`);
  }
  const tagsChars = tagsLength(meta.tags);
  if (tagsChars > UPLOAD_LIMITS.tagsChars) {
    throw limit('metadata.tags', `the ${meta.tags.length} tags count ${tagsChars} characters (with commas, and quotes around tags with spaces), YouTube allows ${UPLOAD_LIMITS.tagsChars}: drop some tags`);
  }
}

export type ImageType = 'image/jpeg' | 'image/png';

/** The thumbnail's type by its magic bytes, or undefined when it is neither JPEG nor PNG. */
export function imageTypeOf(bytes: Uint8Array): ImageType | undefined {
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  const png = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length >= png.length && png.every((b, i) => bytes[i] === b)) return 'image/png';
  return undefined;
}

function limit(field: string, message: string): FacelessError {
  return new FacelessError('LIMIT_EXCEEDED', message, { field });
}
