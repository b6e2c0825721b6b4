import type { ObjectStore } from '@faceless/infra';
import { FacelessError } from '@faceless/runtime';
import { imageTypeOf, UPLOAD_LIMITS, type ImageType } from './youtube-limits.ts';

const GB = 1024 ** 3;

/** Only what the checks read: sizes and first bytes, never the whole video. */
export type CheckedStore = Pick<ObjectStore, 'exists' | 'size' | 'describe' | 'getBytes'>;

async function sizeOf(store: Omit<CheckedStore, 'getBytes'>, key: string, field: string, what: string): Promise<number> {
  if (!(await store.exists(key))) {
    throw new FacelessError('NOT_FOUND', `the ${what} "${key}" is not in the object store (${store.describe(key)}): run the stage that makes it first`, { field });
  }
  return store.size(key);
}

/** The video exists, is not empty, and is within YouTube's 256 GB upload limit. */
export async function checkVideo(store: Omit<CheckedStore, 'getBytes'>, key: string): Promise<{ bytes: number }> {
  const bytes = await sizeOf(store, key, 'videoPath', 'video');
  if (bytes === 0) throw new FacelessError('INVALID_INPUT', `the video "${key}" is empty: assemble it again`, { field: 'videoPath' });
  if (bytes > UPLOAD_LIMITS.videoBytes) {
    throw new FacelessError('LIMIT_EXCEEDED', `the video "${key}" is ${(bytes / GB).toFixed(1)} GB, YouTube accepts at most 256 GB: encode it smaller`, { field: 'videoPath' });
  }
  return { bytes };
}

/** The thumbnail exists, is at most 2 MB, and is a JPEG or PNG by its bytes (not its name). */
export async function checkThumbnail(store: CheckedStore, key: string): Promise<{ bytes: number; contentType: ImageType }> {
  const bytes = await sizeOf(store, key, 'thumbnailPath', 'thumbnail');
  if (bytes > UPLOAD_LIMITS.thumbnailBytes) {
    throw new FacelessError('LIMIT_EXCEEDED', `the thumbnail "${key}" is ${(bytes / 1024 ** 2).toFixed(2)} MB, YouTube accepts at most 2 MB: save it as JPEG with a lower quality`, { field: 'thumbnailPath' });
  }
  const contentType = imageTypeOf((await store.getBytes(key)).subarray(0, 8));
  if (!contentType) {
    throw new FacelessError('INVALID_INPUT', `the thumbnail "${key}" is neither JPEG nor PNG (by its first bytes), which YouTube requires: render it as .jpg or .png`, { field: 'thumbnailPath' });
  }
  return { bytes, contentType };
}
