import { useEffect, useState } from 'preact/hooks';

/**
 * The title in a local channel's publish record (the 'publish record' artifact): what was published, which a
 * review may have changed from the metadata stage's. Undefined until it is read, or when there is no record.
 */
export function usePublishedTitle(recordUrl: string | undefined): string | undefined {
  const [title, setTitle] = useState<string>();
  useEffect(() => {
    if (!recordUrl) return undefined;
    const controller = new AbortController();
    // A signed link on this origin: no key needed, as for the video.
    fetch(recordUrl, { signal: controller.signal })
      .then((res) => (res.ok ? (res.json() as Promise<{ title?: unknown }>) : undefined))
      .then((record) => setTitle(typeof record?.title === 'string' ? record.title : undefined))
      .catch(() => setTitle(undefined));
    return () => controller.abort();
  }, [recordUrl]);
  return title;
}
