"""The default indicators' sources named by their documents (《示范村验收汇报材料》, 《村网格化治理经验材料》)
rather than by internal names: a row the admin has changed since is left as it is."""

from django.db import migrations

# code: (the source as first written, the source as shown now)
SOURCES = {
    'party_meetings_on_time': (
        '种子003 三会一课、主题党日；party.MeetingRule 周期',
        '《村网格化治理经验材料》：严格规范“三会一课”制度，各支部每月召开支部委员会；周期按党建会议规则表',
    ),
    'party_five_linkage': (
        '种子003 村级“五事联动”每月',
        '《示范村验收汇报材料》：每月召开“五事联动”',
    ),
    'party_contacts': (
        '种子000 村党总支—网格党支部—党员联系户',
        '《示范村验收汇报材料》：发挥党员先锋模范作用，构建全覆盖、网格化的治理体系',
    ),
    'grids_sized': (
        '种子003 网格原则上按300–500户划分',
        '《村网格化治理经验材料》：网格原则上按300–500户划分',
    ),
    'grids_staffed': (
        '种子000 6个网格、22个微网格、22名微网格联络员',
        '《示范村验收汇报材料》：6个网格、22个微网格，配备22名微网格联络员',
    ),
    'groups_informed': (
        '种子003 社长担任综治信息员',
        '《村网格化治理经验材料》：社长担任综治信息员',
    ),
    'visit_coverage': (
        '种子003 每月入户走访全覆盖',
        '《村网格化治理经验材料》：每个月对网格内居民住户入户走访',
    ),
    'trainings': (
        '种子000 每年开展网格员技能培训',
        '《示范村验收汇报材料》：每年开展网格员技能培训',
    ),
    'workers_insured': (
        '种子000 为网格员购买人身意外险',
        '《示范村验收汇报材料》：为网格员办理人身意外险',
    ),
    'workers_checked': (
        '种子000 每年一次健康体检',
        '《示范村验收汇报材料》：组织网格员每年进行一次健康体检',
    ),
    'field_days': (
        '种子003 每周在网格工作不少于4天',
        '《村网格化治理经验材料》：每周在网格工作时间不少于四个工作日',
    ),
    'good_practices': (
        '种子000 上报网格优秀工作法、优秀案例两篇',
        '《示范村验收汇报材料》：向镇综治办上报网格优秀工作法、网格优秀案例两篇',
    ),
    'key_persons_visited': (
        'residents/cadence.py（国家基本公共卫生服务规范）',
        '《示范村验收汇报材料》：每月对重点人群做好走访；各类重点人员的走访周期见重点人员设置',
    ),
    'key_persons_lost': (
        'GB/T 31000-2015 特殊人群；种子000',
        'GB/T 31000-2015；《示范村验收汇报材料》：加强动态监测，落实服务管控',
    ),
    'disputes_on_time': (
        '种子000 分级调处；disputes.Policy 各级时限',
        '《示范村验收汇报材料》：推行分级调处；各级时限见案件时限设置',
    ),
    'escalations': (
        '种子000 重大矛盾纠纷第一时间上报',
        '《示范村验收汇报材料》：易激化的重大纠纷及时上报，由镇组织调处',
    ),
    'hazards_closed': (
        '种子003 问题发现、协调处置、结果反馈',
        '《村网格化治理经验材料》：问题发现、协调处置、结果反馈',
    ),
    'deliberations': (
        '种子000 协商议事形成民生实事',
        '《示范村验收汇报材料》：协商议事，议题公示一周后共谋方案',
    ),
    'projects_done': (
        '种子000 路灯、广场、污水处理等民生实事',
        '《示范村验收汇报材料》：亮化工程、文体广场、污水管网等民生实事',
    ),
    'requests_handled': (
        '种子003 任务分办、结果反馈',
        '《村网格化治理经验材料》：任务分办、结果反馈',
    ),
    'model_selections': (
        '种子000 评选文明户等20余户',
        '《示范村验收汇报材料》：持续开展“文明户”“五好文明家庭”“文明院落”评比',
    ),
    'activities': (
        '种子000 青少年活动20次、清洁行动20余次等',
        '《村网格化治理经验材料》：青少年活动、清洁行动、宣讲等德治活动',
    ),
    'legal_set_dates': (
        'civility.SetDate（宪法宣传日、民法典宣传月、安全生产月）；种子003',
        '《示范村验收汇报材料》：以宪法宣传日、民法典宣传月、安全生产月等重要时点开展法治宣传',
    ),
    'points_redeemed': (
        '种子000 巾帼家美积分超市',
        '《村网格化治理经验材料》：巾帼家美积分超市',
    ),
}


def rename(apps, schema_editor):
    ScoreRule = apps.get_model("reports", "ScoreRule")
    for code, (old, new) in SOURCES.items():
        ScoreRule.objects.filter(code=code, source=old).update(source=new)


def back(apps, schema_editor):
    ScoreRule = apps.get_model("reports", "ScoreRule")
    for code, (old, new) in SOURCES.items():
        ScoreRule.objects.filter(code=code, source=new).update(source=old)


class Migration(migrations.Migration):
    dependencies = [("reports", "0004_score_rules")]

    operations = [migrations.RunPython(rename, back)]
