// The fields each workflow action asks for — the same rules as the server's workflow
// table (geo/event/workflow.py), which checks them again and has the last word.

export interface ActionFields {
  /** Opinion: required, optional, or not asked. */
  opinion: 'required' | 'optional' | null
  /** A receiver: a department or a person (派遣). */
  target: boolean
  /** A grid member to verify on site (发起核查). */
  verifier: boolean
  /** Photos of the result, stored with the action's history row. */
  photos: 'feedback' | 'verify' | null
}

const NONE: ActionFields = { opinion: null, target: false, verifier: false, photos: null }

export function actionFields(action: string, status: string): ActionFields {
  switch (action) {
    case 'sign':
    case 'return_to_district':
    case 'rework':
    case 'cancel':
      return { ...NONE, opinion: 'required' }
    case 'dispatch':
      // From the district centre (returned) the dispatch needs its opinion too.
      return { ...NONE, opinion: status === 'returned' ? 'required' : 'optional', target: true }
    case 'feedback':
      return { ...NONE, opinion: 'required', photos: 'feedback' }
    case 'verify':
      return { ...NONE, opinion: 'required', photos: 'verify' }
    case 'verify_task':
      return { ...NONE, verifier: true }
    case 'close':
      return { ...NONE, opinion: 'optional' }
    default:
      return NONE
  }
}

/** Buttons that end or refuse something are drawn in red. */
export function actionButtonType(action: string): 'primary' | 'danger' | 'warning' | 'default' {
  if (action === 'cancel') return 'danger'
  if (action === 'return_to_district' || action === 'rework') return 'warning'
  return 'primary'
}
