// Small helpers the administration screens share.
import { ref, type Ref } from 'vue'
import { ElMessage, ElMessageBox } from 'element-plus'
import type { Page } from '../../api/admin'
import { errorMessage } from '../../api/http'
import { zhCN as t } from '../../i18n/zh-CN'

/** Runs a change; says so on success, shows the API's reason on failure. */
export async function attempt<T>(action: () => Promise<T>, success?: string): Promise<T | undefined> {
  try {
    const result = await action()
    if (success) ElMessage.success(success)
    return result
  } catch (e) {
    ElMessage.error(errorMessage(e))
    return undefined
  }
}

/** Asks before something that cannot be undone; true when the user agrees. */
export async function confirmed(message: string, title = t.common.confirmTitle): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: t.common.confirm,
      cancelButtonText: t.common.cancel,
    })
    return true
  } catch {
    return false
  }
}

const dateTime = new Intl.DateTimeFormat('zh-CN', {
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hour12: false,
})

export function formatDateTime(value: string | null | undefined): string {
  if (!value) return t.common.none
  const date = new Date(value)
  return Number.isNaN(date.getTime()) ? value : dateTime.format(date)
}

/** Blank form fields go to the API as null, not "". */
export function blankToNull(value: string | null | undefined): string | null {
  const trimmed = (value ?? '').trim()
  return trimmed === '' ? null : trimmed
}

/** Runs a change that answers nothing (204): true when it went through. */
export async function succeeded(action: () => Promise<unknown>, success?: string): Promise<boolean> {
  try {
    await action()
    if (success) ElMessage.success(success)
    return true
  } catch (e) {
    ElMessage.error(errorMessage(e))
    return false
  }
}

// After a change the screens apply the API's answer to what they show rather than read
// the list again: the answer is the stored state, and a read sent right after a change
// may be answered before that change is committed.

/** The list with `item` in place of the entry of the same id, or added at the end. */
export function upsert<T extends { id: number }>(list: T[], item: T): T[] {
  return list.some((x) => x.id === item.id) ? list.map((x) => (x.id === item.id ? item : x)) : [...list, item]
}

/** The list without the entry `id`. */
export function without<T extends { id: number }>(list: T[], id: number): T[] {
  return list.filter((x) => x.id !== id)
}

/** Asks, then deletes: true when the user agreed and the server removed it. */
export async function deletedAfterAsking(message: string, remove: () => Promise<unknown>): Promise<boolean> {
  return (await confirmed(message)) && (await succeeded(remove, t.common.deleted))
}

/** The state every edit dialog keeps: open, and busy while its change is on its way. */
export interface DialogState {
  open: boolean
  busy: boolean
}

/** Saves from a dialog: busy meanwhile, closed when the change went through; the
 * server's answer, or undefined when it refused (its reason is shown). */
export async function saveFrom<T>(
  dialog: DialogState,
  action: () => Promise<T>,
  success: string = t.common.saved,
): Promise<T | undefined> {
  dialog.busy = true
  const saved = await attempt(action, success)
  dialog.busy = false
  if (saved !== undefined) dialog.open = false
  return saved
}

/** A screen's first read: `loading` meanwhile, `error` holds why it failed. */
export function useLoading(): {
  loading: Ref<boolean>
  error: Ref<string | null>
  track: (read: () => Promise<void>) => Promise<void>
} {
  const loading = ref(false)
  const error = ref<string | null>(null)
  async function track(read: () => Promise<void>): Promise<void> {
    loading.value = true
    error.value = null
    try {
      await read()
    } catch (e) {
      error.value = errorMessage(e)
    } finally {
      loading.value = false
    }
  }
  return { loading, error, track }
}

/** A keyset-paged list: `load()` reads the first page, `load(true)` adds the next one. */
export function usePaged<T>(read: (cursor: string | null) => Promise<Page<T>>) {
  const rows = ref<T[]>([]) as Ref<T[]>
  const nextCursor = ref<string | null>(null)
  const { loading, error, track } = useLoading()
  // A new search while an older one is still on its way: only the newest may fill the
  // table (the older answer, arriving last, would show the wrong rows).
  let generation = 0
  function load(more = false): Promise<void> {
    const mine = more ? generation : ++generation
    return track(async () => {
      const page = await read(more ? nextCursor.value : null)
      if (mine !== generation) return
      rows.value = more ? [...rows.value, ...page.items] : page.items
      nextCursor.value = page.next_cursor
    })
  }
  return { rows, nextCursor, loading, error, load }
}
