// Every call to the platform's HTTP API goes through here: same-origin cookies, the CSRF
// token on changing requests, the API's Chinese "detail" as the error message, and one
// place that notices an expired session (401).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The whole JSON answer, for refusals that carry more than `detail`. */
    readonly body: unknown = undefined,
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

export type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  body?: unknown
  /** Multipart instead of JSON (files): the browser sets the content type. */
  form?: FormData
  query?: Query
  signal?: AbortSignal
  /** False for sign-in itself: its 401 means "wrong password", not "session expired". */
  expireOn401?: boolean
}

const UNSAFE = new Set(['POST', 'PUT', 'PATCH', 'DELETE'])

let csrfToken: string | null = null
let onUnauthorized: (() => void) | null = null

/** The session's CSRF token: from the sign-in answer or GET /auth/me, kept in memory only. */
export function setCsrfToken(token: string | null): void {
  csrfToken = token
}

export function setUnauthorizedHandler(handler: (() => void) | null): void {
  onUnauthorized = handler
}

export function withQuery(path: string, query?: Query): string {
  if (!query) return path
  const params = new URLSearchParams()
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(key, String(value))
  }
  const text = params.toString()
  return text ? `${path}?${text}` : path
}

async function errorDetail(response: Response): Promise<[string, unknown]> {
  try {
    const body = (await response.json()) as { detail?: unknown }
    if (typeof body.detail === 'string') return [body.detail, body]
  } catch {
    // not JSON: fall back to the status line
  }
  return [`${response.status} ${response.statusText}`, undefined]
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (options.body !== undefined) headers['Content-Type'] = 'application/json'
  if (UNSAFE.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken
  const response = await fetch(withQuery(path, options.query), {
    method,
    headers,
    credentials: 'same-origin',
    body: options.form ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
    signal: options.signal,
  })
  if (!response.ok) {
    const error = new ApiError(response.status, ...(await errorDetail(response)))
    if (response.status === 401 && options.expireOn401 !== false) onUnauthorized?.()
    throw error
  }
  if (response.status === 204) return undefined as T
  const text = await response.text()
  return (text ? JSON.parse(text) : undefined) as T
}

export const http = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, body?: unknown) => request<T>('POST', path, { body }),
  put: <T>(path: string, body?: unknown) => request<T>('PUT', path, { body }),
  patch: <T>(path: string, body?: unknown) => request<T>('PATCH', path, { body }),
  delete: <T>(path: string, query?: Query) => request<T>('DELETE', path, { query }),
  upload: <T>(path: string, form: FormData) => request<T>('POST', path, { form }),
}

/** The message to show for a failed call. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** The file name the server gave in Content-Disposition (RFC 5987 `filename*` first). */
function attachmentName(header: string | null): string | null {
  if (!header) return null
  const encoded = /filename\*\s*=\s*(?:[\w-]+)'[^']*'([^;]+)/i.exec(header)?.[1]
  if (encoded) {
    try {
      return decodeURIComponent(encoded.trim().replace(/^"|"$/g, ''))
    } catch {
      // malformed escape: try the plain name
    }
  }
  const plain = /filename\s*=\s*(?:"([^"]*)"|([^;]+))/i.exec(header)
  return plain?.[1] ?? plain?.[2]?.trim() ?? null
}

/**
 * Fetch a file and hand it to the browser as a download. A refusal (4xx/5xx) throws an
 * ApiError with the server's message instead of being saved as a file.
 */
export async function download(path: string, query?: Query, fallbackName = 'download'): Promise<void> {
  const response = await fetch(withQuery(path, query), { credentials: 'same-origin' })
  if (!response.ok) {
    const error = new ApiError(response.status, ...(await errorDetail(response)))
    if (response.status === 401) onUnauthorized?.()
    throw error
  }
  const blob = await response.blob()
  const url = URL.createObjectURL(blob)
  const link = document.createElement('a')
  link.href = url
  link.download = attachmentName(response.headers.get('Content-Disposition')) ?? fallbackName
  document.body.appendChild(link)
  link.click()
  link.remove()
  // Revoked later, not at once: the browser may still be reading the file after the click.
  setTimeout(() => URL.revokeObjectURL(url), 40_000)
}
