import type { VisualProvider } from '../visuals.ts';
import { createVisualChain } from './visual-chain.ts';

/**
 * The user's own images and clips, matched to segments by keyword (file names and tags.json);
 * generated backgrounds where the folder has nothing usable.
 */
export function createMediaFolderProvider(mediaDir: string): VisualProvider {
  return createVisualChain({ mediaDir });
}
