// The phone's outbox of event reports (APP-7). A report is written to IndexedDB — with
// its idempotency key and its photos as Blobs — before anything is sent, so closing the
// app, losing the network or a server error never loses it; the key makes a resend land
// on the work order the first attempt opened, so it is never reported twice.
import { reactive } from 'vue'
import { ApiError, request } from '../api/http'
import { restore, session } from '../auth/session'
import { withStore } from './phoneDb'

export interface ReportBody {
  title: string
  description: string | null
  category_code: string
  lon: number
  lat: number
  address: string | null
}

export interface QueuedPhoto {
  name: string
  blob: Blob
}

export type OutboxState = 'pending' | 'refused' | 'sent'

export interface QueuedReport {
  ref: string
  body: ReportBody
  photos: QueuedPhoto[]
  state: OutboxState
  /** The server's reason for a refusal (4xx), shown for the user to fix or delete. */
  error: string | null
  /** Set once the report reached the server: photos not yet sent go to this work order. */
  event_id: number | null
  event_no: string | null
  /** An upload of the photos was started: a retry first asks which arrived. */
  photos_attempted?: boolean
  created_at: string
}

const put = (item: QueuedReport) => withStore('outbox', 'readwrite', (s) => s.put(item))
const all = () => withStore<QueuedReport[]>('outbox', 'readonly', (s) => s.getAll() as IDBRequest<QueuedReport[]>)

/** What the screens show: the reports still on the phone and the recently sent ones. */
export const outbox = reactive({
  items: [] as QueuedReport[],
  sending: false,
})

export function waiting(): QueuedReport[] {
  return outbox.items.filter((i) => i.state !== 'sent')
}

async function refresh(): Promise<void> {
  const items = await all()
  items.sort((a, b) => b.created_at.localeCompare(a.created_at))
  outbox.items = items
}

/** A fresh idempotency key (UUID v4 where the browser offers it). */
function newRef(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID()
  const bytes = crypto.getRandomValues(new Uint8Array(16))
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}

/** Keep the report on the phone first, then try to send it. */
export async function queueReport(body: ReportBody, photos: QueuedPhoto[]): Promise<QueuedReport> {
  const item: QueuedReport = {
    ref: newRef(),
    body,
    photos,
    state: 'pending',
    error: null,
    event_id: null,
    event_no: null,
    created_at: new Date().toISOString(),
  }
  await put(item)
  await refresh()
  void sendAll()
  return item
}

export async function removeReport(ref: string): Promise<void> {
  await withStore('outbox', 'readwrite', (s) => s.delete(ref))
  await refresh()
}

/** A refused report edited by the user: sent again under the same key. */
export async function retryReport(item: QueuedReport, body: ReportBody): Promise<void> {
  await put({ ...item, body, state: 'pending', error: null })
  await refresh()
  void sendAll()
}

/** A network failure (no answer at all) or a server-side failure: try again later. */
function transient(error: unknown): boolean {
  if (!(error instanceof ApiError)) return true
  return error.status >= 500 || error.status === 401 || error.status === 408 || error.status === 429
}

async function sendOne(item: QueuedReport): Promise<void> {
  let current = item
  if (current.event_id === null) {
    const event = await request<{ id: number; event_no: string }>('POST', '/api/v1/events', {
      body: { ...current.body, client_ref: current.ref },
    })
    current = { ...current, event_id: event.id, event_no: event.event_no }
    await put(current)
  }
  const photos = current.photos_attempted ? await notYetSent(current) : current.photos
  if (photos.length > 0) {
    current = { ...current, photos_attempted: true }
    await put(current)
    const form = new FormData()
    for (const p of photos) form.append('files', p.blob, p.name)
    form.append('kind', 'report')
    await request('POST', `/api/v1/events/${current.event_id}/photos`, { form })
  }
  // Sent: keep a short note of it (without the photos) for the user to see.
  await put({ ...current, photos: [], state: 'sent', error: null })
}

/** The photos of an earlier, unanswered upload that the work order does not show yet
 * (the answer may have been lost after the server stored them). Compared by SHA-256
 * where the browser offers it (secure pages), else by the number of report photos. */
async function notYetSent(item: QueuedReport): Promise<QueuedPhoto[]> {
  const shown = await request<{ sha256: string; kind: string }[]>('GET', `/api/v1/events/${item.event_id}/photos`)
  const reported = shown.filter((p) => p.kind === 'report')
  if (!crypto.subtle) return reported.length >= item.photos.length ? [] : item.photos
  const have = new Set(reported.map((p) => p.sha256))
  const missing: QueuedPhoto[] = []
  for (const photo of item.photos) {
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await photo.blob.arrayBuffer()))
    const hex = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('')
    if (!have.has(hex)) missing.push(photo)
  }
  return missing
}

let running: Promise<void> | null = null

/** Send every pending report, oldest first; one run at a time. */
export function sendAll(): Promise<void> {
  if (running) return running
  running = (async () => {
    outbox.sending = true
    try {
      // Opened offline: the session (and its CSRF token) is confirmed before sending.
      if (!session.checked && !(await restore().catch(() => null))) return
      const pending = (await all())
        .filter((i) => i.state === 'pending')
        .sort((a, b) => a.created_at.localeCompare(b.created_at))
      for (const item of pending) {
        try {
          await sendOne(item)
        } catch (e) {
          if (transient(e)) break // offline or the server is down: all wait for the next try
          const latest = (await all()).find((i) => i.ref === item.ref) ?? item
          await put({ ...latest, state: 'refused', error: e instanceof Error ? e.message : String(e) })
        }
      }
      await pruneSent()
    } finally {
      await refresh().catch(() => undefined)
      outbox.sending = false
      running = null
    }
  })()
  return running
}

const KEEP_SENT = 20

async function pruneSent(): Promise<void> {
  const sent = (await all()).filter((i) => i.state === 'sent').sort((a, b) => b.created_at.localeCompare(a.created_at))
  for (const old of sent.slice(KEEP_SENT)) await withStore('outbox', 'readwrite', (s) => s.delete(old.ref))
}

/** Load the outbox, send what waits now and whenever the network returns. */
export function startOutbox(): void {
  void refresh().then(() => sendAll())
  window.addEventListener('online', () => void sendAll())
}
