// The phone's own database (IndexedDB): the outbox of reports and the drafts of forms.
// Each store's operations resolve when their transaction is durable, not merely when the
// request ran: what the screens call "kept on the phone" survives closing the app.

const DB_NAME = 'township-m'
// 1: outbox; 2: drafts. An upgrade only adds what is missing: queued reports stay.
const VERSION = 2
export type StoreName = 'outbox' | 'drafts'
const KEYS: Record<StoreName, string> = { outbox: 'ref', drafts: 'key' }

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, VERSION)
    open.onupgradeneeded = () => {
      for (const [name, keyPath] of Object.entries(KEYS)) {
        if (!open.result.objectStoreNames.contains(name)) open.result.createObjectStore(name, { keyPath })
      }
    }
    open.onsuccess = () => resolve(open.result)
    open.onerror = () => reject(open.error)
  })
}

export async function withStore<T>(
  name: StoreName,
  mode: IDBTransactionMode,
  work: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDb()
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(name, mode)
      const req = work(tx.objectStore(name))
      tx.oncomplete = () => resolve(req.result)
      tx.onerror = () => reject(tx.error)
      tx.onabort = () => reject(tx.error)
    })
  } finally {
    db.close()
  }
}
