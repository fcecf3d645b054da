// The colour of a dispatched task's status tag on the phone.
import type { TaskStatus } from '../views/enforcement/api'

export const TASK_TAG: Record<TaskStatus, 'primary' | 'success' | 'warning' | 'info' | 'danger'> = {
  registered: 'info',
  at_squad: 'warning',
  dispatched: 'danger',
  handling: 'primary',
  fed_back: 'success',
  converted: 'success',
  cancelled: 'info',
}
