// A keyset-paged list on the phone with its tabs (待办 / 已办 …): the chosen tab is kept
// for the session, "加载更多" appends the next page, and only the newest request may fill
// the list (an older answer arriving last would show another tab's rows).
import { onMounted, ref, watch, type Ref } from 'vue'
import { ElMessage } from 'element-plus'
import { errorMessage } from '../api/http'

export interface KeysetPage<T> {
  items: T[]
  next_cursor: string | null
}

export function useKeysetList<T, V extends string>(
  storageKey: string,
  views: readonly V[],
  read: (view: V, cursor: string | null) => Promise<KeysetPage<T>>,
) {
  const stored = sessionStorage.getItem(storageKey) as V | null
  const view = ref(stored && views.includes(stored) ? stored : views[0]) as Ref<V>
  const rows = ref<T[]>([]) as Ref<T[]>
  const cursor = ref<string | null>(null)
  const loading = ref(false)
  let generation = 0

  async function load(more = false): Promise<void> {
    const mine = more ? generation : ++generation
    loading.value = true
    try {
      const page = await read(view.value, more ? cursor.value : null)
      if (mine !== generation) return
      rows.value = more ? [...rows.value, ...page.items] : page.items
      cursor.value = page.next_cursor
    } catch (e) {
      if (mine === generation) ElMessage.error(errorMessage(e))
    } finally {
      if (mine === generation) loading.value = false
    }
  }

  watch(view, (value) => {
    sessionStorage.setItem(storageKey, value)
    void load()
  })
  onMounted(() => void load())
  return { view, rows, cursor, loading, load }
}
