"""Audit action codes (``hall.case.open``) in words for the audit log page.

The code stays the record's identity (filters and exports use it); the page shows the words
with the code beside them. An unknown part is shown as it is.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy

AREAS = {
    "core": gettext_lazy("平台"), "auth": gettext_lazy("登录"), "users": gettext_lazy("用户"),
    "audit": gettext_lazy("审计"), "geo": gettext_lazy("地址与人口"),
    "people": gettext_lazy("居民信息"), "risk": gettext_lazy("安全风险"),
    "fire": gettext_lazy("消防设施"), "hall": gettext_lazy("受理中心"),
    "elevator": gettext_lazy("加装电梯"), "community": gettext_lazy("党群服务"),
    "jobs": gettext_lazy("后台任务"), "notices": gettext_lazy("通知"),
    "dashboard": gettext_lazy("综合"),
}  # fmt: skip
OBJECTS = {
    "appointment": gettext_lazy("预约"), "ballot": gettext_lazy("表决票"),
    "building": gettext_lazy("楼栋"), "calendar": gettext_lazy("工作日历"),
    "risk.case": gettext_lazy("隐患"), "hall.case": gettext_lazy("办件"),
    "case": gettext_lazy("案件"), "certificate": gettext_lazy("证明"),
    "check": gettext_lazy("检查"), "checklist": gettext_lazy("检查表"),
    "document": gettext_lazy("材料"), "estate": gettext_lazy("小区"),
    "event": gettext_lazy("活动"), "extinguisher": gettext_lazy("灭火器"),
    "fact": gettext_lazy("登记册事实"), "finding": gettext_lazy("问题"),
    "hall": gettext_lazy("大厅"), "hours": gettext_lazy("服务时长"),
    "household": gettext_lazy("户"), "item": gettext_lazy("事项"),
    "locker": gettext_lazy("取件柜"), "method": gettext_lazy("评估方法"),
    "order": gettext_lazy("订单"), "owner": gettext_lazy("业主"),
    "papers": gettext_lazy("白皮书"), "pickup": gettext_lazy("取件"),
    "project": gettext_lazy("项目"), "queue": gettext_lazy("队列"),
    "rating": gettext_lazy("评价"), "resident": gettext_lazy("居民"),
    "roll": gettext_lazy("业主名册"), "round": gettext_lazy("评估轮次"),
    "sample": gettext_lazy("样本"), "signup": gettext_lazy("报名"),
    "slot": gettext_lazy("预约时段"), "survey": gettext_lazy("问卷"),
    "ticket": gettext_lazy("排队号"), "user": gettext_lazy("用户"),
    "volunteer": gettext_lazy("志愿者"), "vote": gettext_lazy("表决"),
    "window": gettext_lazy("窗口"), "wish": gettext_lazy("心愿"),
}  # fmt: skip
VERBS = {
    "add": gettext_lazy("添加"), "approve": gettext_lazy("通过"), "assign": gettext_lazy("交办"),
    "call": gettext_lazy("叫号"), "cancel": gettext_lazy("取消"),
    "change": gettext_lazy("修改"), "check_in": gettext_lazy("签到"),
    "close": gettext_lazy("关闭"), "collect": gettext_lazy("取件"),
    "create": gettext_lazy("新建"), "decide": gettext_lazy("审核"),
    "delete": gettext_lazy("删除"), "deposit": gettext_lazy("存入"),
    "dismiss": gettext_lazy("忽略"), "download": gettext_lazy("下载"),
    "draw": gettext_lazy("抽样"), "edit": gettext_lazy("编辑"),
    "escalate": gettext_lazy("转中台"), "export": gettext_lazy("导出"),
    "finish": gettext_lazy("办结"), "grade": gettext_lazy("定级"),
    "import": gettext_lazy("导入"), "issue": gettext_lazy("发放"),
    "login": gettext_lazy("登录"), "merge": gettext_lazy("合并"), "open": gettext_lazy("开启"),
    "recall": gettext_lazy("重呼"), "reject": gettext_lazy("退回"),
    "return": gettext_lazy("退回"), "reveal": gettext_lazy("查看完整信息"),
    "set": gettext_lazy("设置"), "sign": gettext_lazy("签字"), "start": gettext_lazy("开始"),
    "status": gettext_lazy("状态变更"), "submit": gettext_lazy("提交"),
    "update": gettext_lazy("修改"), "view": gettext_lazy("查看"),
    "view_identity": gettext_lazy("查看身份证号"), "accept": gettext_lazy("采纳"),
    "follow_up": gettext_lazy("整改"), "transfer": gettext_lazy("转窗"),
    "no_show": gettext_lazy("过号"), "requeue": gettext_lazy("重新排队"),
    "call_by_number": gettext_lazy("指定叫号"), "on_duty": gettext_lazy("上岗"),
    "stage": gettext_lazy("阶段变更"), "build": gettext_lazy("生成"),
    "retry": gettext_lazy("重试"), "run": gettext_lazy("运行"),
}  # fmt: skip


def action_label(code: str) -> str:
    """``hall.case.open`` → ``受理中心 · 办件 · 开启``; unknown parts stay as they are."""
    parts = code.split(".")
    if len(parts) < 2:
        return code
    area, *middle, verb = parts
    words = [str(AREAS.get(area, area))]
    words += [str(OBJECTS.get(f"{area}.{m}", OBJECTS.get(m, m))) for m in middle]
    words.append(str(VERBS.get(verb, OBJECTS.get(verb, verb))))
    return " · ".join(words)
