/**
 * The OAuth client's HTTP: one fetch with a deadline and a bounded body, JSON only. A server
 * decides how much it sends; we decide how much we read.
 */
import { OAuthError } from './errors.ts';

/** The fetch the client uses; tests and the engine pass their own (the browser's, Node's). */
export type Fetch = (url: string, init?: RequestInit) => Promise<Response>;

/** Deadline of one OAuth request (STYLE.md convention 15): token endpoints answer in well under a second. */
export const HTTP_TIMEOUT_MS = 30_000;
/**
 * Largest body read: a discovery document is 1-3 KiB (Google's, Microsoft's), a token response
 * under 8 KiB even with an ID token; 256 KiB leaves room and keeps a runaway server bounded.
 */
export const MAX_BODY_BYTES = 256 * 1024;

/** An answer that was read: status and parsed JSON body (undefined when the body was not JSON). */
export interface JsonAnswer {
  status: number;
  json: unknown;
}

/** The URL's origin, for messages (never the path or query, which can carry a token on odd servers). */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return '(invalid URL)';
  }
}

/** GETs or POSTs `url` and reads its JSON body; `network` when there is no answer. */
export async function requestJson(fetchFn: Fetch, url: string, init: RequestInit = {}): Promise<JsonAnswer> {
  let response: Response;
  try {
    response = await fetchFn(url, {
      ...init,
      headers: { Accept: 'application/json', ...(init.headers ?? {}) },
      // Token responses must not be cached (RFC 6749 §5.1), and nothing here needs a cookie.
      cache: 'no-store',
      credentials: 'omit',
      redirect: 'error',
      signal: AbortSignal.timeout(HTTP_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new OAuthError('network', `no answer from ${originOf(url)}`, { cause });
  }
  const text = await readBounded(response, url);
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, json };
}

async function readBounded(response: Response, url: string): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel().catch(() => {});
    throw new OAuthError(
      'http',
      `${originOf(url)} sent ${declared} bytes, over the ${MAX_BODY_BYTES}-byte limit`,
      {
        status: response.status,
      },
    );
  }
  if (!response.body) return '';
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.length;
      if (total > MAX_BODY_BYTES) {
        await reader.cancel().catch(() => {});
        throw new OAuthError('http', `${originOf(url)} sent more than ${MAX_BODY_BYTES} bytes`, {
          status: response.status,
        });
      }
      chunks.push(value);
    }
  } catch (cause) {
    if (cause instanceof OAuthError) throw cause;
    throw new OAuthError('network', `the answer from ${originOf(url)} broke off`, { cause });
  }
  const decoder = new TextDecoder();
  return chunks.map((chunk) => decoder.decode(chunk, { stream: true })).join('') + decoder.decode();
}

/** A JSON object's member, when the value is a JSON object. */
export function member(json: unknown, key: string): unknown {
  return typeof json === 'object' && json !== null && !Array.isArray(json)
    ? (json as Record<string, unknown>)[key]
    : undefined;
}
