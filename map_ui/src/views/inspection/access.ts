// Who may change what on the registers screens (the server checks again).
import { can, session } from '../../auth/session'

/** The item catalogue and officer types are one for the district: district-wide only. */
export function canConfigureCatalogue(): boolean {
  const me = session.me
  return !!me && can('inspection.configure') && (me.superuser || me.region_level === 'district')
}

/** Officers and experts of one's own region. */
export function canConfigureRegisters(): boolean {
  return can('inspection.configure')
}
