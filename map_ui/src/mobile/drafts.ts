// Drafts of the phone's feedback forms (a work order's 处置反馈, a task's 反馈): the text
// and the photos are kept in the phone's database as they are typed and chosen, so closing
// the app, a dead battery or a failed send loses nothing; the form comes back filled when
// the same work order or task is opened again, and the draft goes once the send succeeds.
import { onBeforeUnmount, watch, type Ref } from 'vue'
import { ElMessage } from 'element-plus'
import { zhCN as t } from '../i18n/zh-CN'
import { withStore } from './phoneDb'

interface Draft {
  key: string
  user: number | null // whose draft: another account on the same phone does not see it
  text: string
  photos: File[]
  saved_at: string
}

// Typing is saved after a short pause; leaving the screen or the app saves at once.
const SAVE_AFTER_MS = 300

const read = (key: string) => withStore<Draft | undefined>('drafts', 'readonly', (s) => s.get(key))
const write = (draft: Draft) => withStore('drafts', 'readwrite', (s) => s.put(draft))
const drop = (key: string) => withStore('drafts', 'readwrite', (s) => s.delete(key))

/** Keep `text` and `photos` of the form identified by `key()` (null while it is unknown). */
export function useDraft(key: () => string | null, user: () => number | null, text: Ref<string>, photos: Ref<File[]>) {
  let timer: number | undefined
  let restoring = false

  async function restore(): Promise<void> {
    const k = key()
    if (!k) return
    const draft = await read(k).catch(() => undefined)
    if (!draft || draft.user !== user() || text.value || photos.value.length) return
    restoring = true
    text.value = draft.text
    photos.value = draft.photos
    restoring = false
    if (draft.text || draft.photos.length) ElMessage.info(t.mobile.draftRestored)
  }

  function saveNow(): Promise<unknown> {
    window.clearTimeout(timer)
    timer = undefined
    const k = key()
    if (!k) return Promise.resolve()
    const empty = !text.value.trim() && photos.value.length === 0
    const done = empty
      ? drop(k)
      : write({ key: k, user: user(), text: text.value, photos: [...photos.value], saved_at: new Date().toISOString() })
    return done.catch(() => ElMessage.warning(t.mobile.draftNotSaved))
  }

  function save(): void {
    if (!key() || restoring) return
    window.clearTimeout(timer)
    timer = window.setTimeout(() => void saveNow(), SAVE_AFTER_MS)
  }

  /** Save what waits for the pause now (the app is being left or a send starts). */
  function flush(): Promise<unknown> {
    return timer === undefined ? Promise.resolve() : saveNow()
  }

  /** The send succeeded: nothing is left to keep. */
  async function clear(): Promise<void> {
    window.clearTimeout(timer)
    const k = key()
    if (k) await drop(k).catch(() => undefined)
  }

  const onVisibility = () => {
    if (document.visibilityState === 'hidden') void flush()
  }
  const onPageHide = () => void flush()
  document.addEventListener('visibilitychange', onVisibility)
  window.addEventListener('pagehide', onPageHide)
  onBeforeUnmount(() => {
    document.removeEventListener('visibilitychange', onVisibility)
    window.removeEventListener('pagehide', onPageHide)
    void flush()
  })
  watch([text, photos], save)
  return { restore, flush, clear }
}
