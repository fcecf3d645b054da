// Who is signed in, held in memory only (the session itself is an HttpOnly cookie): the
// answer of sign-in or GET /auth/me, and the CSRF token that came with it.
import { reactive } from 'vue'
import { ApiError, setCsrfToken } from '../api/http'
import { auth, type Me } from '../api/admin'

export const session = reactive({
  me: null as Me | null,
  /** GET /me has been asked once since the page loaded. */
  checked: false,
  /** Why the sign-in page is shown (e.g. the session expired), until the next sign-in. */
  notice: null as string | null,
})

function remember(me: Me | null): void {
  session.me = me
  session.checked = true
  if (me === null) setCsrfToken(null)
  else if (me.csrf_token) setCsrfToken(me.csrf_token)
}

/** May the user do `permission`? The administrator may do everything. */
export function can(permission: string): boolean {
  const me = session.me
  return !!me && (me.superuser || me.permissions.includes(permission))
}

/** The signed-in user after a page (re)load, or null. */
export async function restore(): Promise<Me | null> {
  if (session.checked) return session.me
  try {
    remember(await auth.me())
  } catch (e) {
    if (!(e instanceof ApiError) || e.status !== 401) throw e
    remember(null)
  }
  return session.me
}

export async function signIn(username: string, password: string): Promise<Me> {
  const me = await auth.login(username, password)
  session.notice = null
  remember(me)
  return me
}

/** A clerk working at one of several windows says which (PUT /auth/window). */
export async function chooseWindow(windowId: number): Promise<Me> {
  const me = await auth.selectWindow(windowId)
  remember({ ...me, csrf_token: me.csrf_token ?? session.me?.csrf_token ?? null })
  return me
}

/** Must this user pick a window before working? */
export function needsWindow(me: Me): boolean {
  return me.windows.length > 1 && me.window_id === null
}

export async function signOut(): Promise<void> {
  try {
    await auth.logout()
  } finally {
    remember(null)
  }
}

/** The server said 401 on a call: the session is gone. */
export function expire(message: string): void {
  remember(null)
  session.notice = message
}
