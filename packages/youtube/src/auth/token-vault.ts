import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { z } from 'zod';
import { FacelessError } from '@faceless/runtime';

/** A secret encrypted at rest: AES-256-GCM under a key derived from FACELESS_SECRET_KEY by scrypt, all base64. */
export const EncryptedSecret = z.object({
  v: z.literal(1),
  alg: z.literal('aes-256-gcm'),
  salt: z.base64(),
  iv: z.base64(),
  tag: z.base64(),
  data: z.base64(),
});
export type EncryptedSecret = z.infer<typeof EncryptedSecret>;

const SALT_BYTES = 16;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const MIN_KEY_CHARS = 16;
// Node's scrypt defaults (N=2^14, r=8, p=1): about 50 ms and 16 MB, paid once per channel per process.
const SCRYPT = { N: 2 ** 14, r: 8, p: 1 } as const;

const MAKE_ONE = 'make one with `openssl rand -base64 32`, put it in .env as FACELESS_SECRET_KEY, and keep it: a new key means adding every channel again';

/** The key, or an error naming FACELESS_SECRET_KEY and how to make one. */
export function requireSecretKey(secretKey: string | undefined): string {
  if (!secretKey) throw new FacelessError('INVALID_OPTION', `FACELESS_SECRET_KEY is not set; it encrypts the channels' refresh tokens at rest: ${MAKE_ONE}`, { field: 'FACELESS_SECRET_KEY' });
  if (secretKey.length < MIN_KEY_CHARS) {
    throw new FacelessError('INVALID_OPTION', `FACELESS_SECRET_KEY is shorter than ${MIN_KEY_CHARS} characters: ${MAKE_ONE}`, { field: 'FACELESS_SECRET_KEY' });
  }
  return secretKey;
}

function deriveKey(secretKey: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(secretKey, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/** Encrypts with a fresh salt and IV, so two records of the same token share nothing. */
export async function encryptSecret(plaintext: string, secretKey: string | undefined): Promise<EncryptedSecret> {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const key = await deriveKey(requireSecretKey(secretKey), salt);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return {
    v: 1,
    alg: 'aes-256-gcm',
    salt: salt.toString('base64'),
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
}

export interface DecryptOptions {
  /** The channel the secret belongs to, named in the error. */
  channel: string;
}

/** Decrypts a record; a wrong key and a tampered record look the same to GCM, and the fix is the same. */
export async function decryptSecret(record: EncryptedSecret, secretKey: string | undefined, options: DecryptOptions): Promise<string> {
  const key = requireSecretKey(secretKey);
  const unreadable = (cause?: unknown): FacelessError => new FacelessError(
    'CHANNEL_AUTH',
    `the refresh token of channel ${options.channel} cannot be decrypted: FACELESS_SECRET_KEY changed since it was stored, or the channel file was altered; run \`faceless channels add ${options.channel}\` again`,
    { field: 'FACELESS_SECRET_KEY', cause },
  );
  const parsed = EncryptedSecret.safeParse(record);
  if (!parsed.success) throw unreadable();
  const salt = Buffer.from(parsed.data.salt, 'base64');
  const iv = Buffer.from(parsed.data.iv, 'base64');
  const tag = Buffer.from(parsed.data.tag, 'base64');
  if (salt.length !== SALT_BYTES || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw unreadable();
  try {
    const decipher = createDecipheriv('aes-256-gcm', await deriveKey(key, salt), iv, { authTagLength: TAG_BYTES });
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(Buffer.from(parsed.data.data, 'base64')), decipher.final()]).toString('utf8');
  } catch (err) {
    // Only OpenSSL's "unable to authenticate data": no key or plaintext in it.
    throw unreadable(err);
  }
}
