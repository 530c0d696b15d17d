/** Bytes as text, for the cookie (storage) and for JWS and hashes (receipts). */

/** UTF-8 bytes of a string. */
export const utf8 = (s: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(s);

/** base64url without padding (RFC 7515 §2) of bytes, or of a string's UTF-8 bytes. */
export const b64u = (d: ArrayBuffer | Uint8Array | string): string =>
  // Spread: what is signed and hashed here is a few kB at most, far below argument limits.
  btoa(String.fromCharCode(...(typeof d == 'string' ? utf8(d) : new Uint8Array(d))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
