// Every desk opens a work order the same way: its detail screen (#/events/:id).
import { ElMessage } from 'element-plus'
import { router } from '../../router'
import { errorMessage } from '../../api/http'
import { zhCN as t } from '../../i18n/zh-CN'

export async function openWorkOrder(id: number): Promise<void> {
  try {
    await router.push({ name: 'event', params: { id } })
  } catch (e) {
    ElMessage.error(`${t.work.openFailed}：${errorMessage(e)}`)
  }
}
