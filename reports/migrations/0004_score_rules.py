"""The 六好 scorecard's default indicators (docs/scorecard.md, "Indicators and their sources"): the admin may
change targets, weights and switches afterwards."""

from django.db import migrations

# code, criterion, label, unit, comparison, target, per_year, weight, source
RULES = [
    ("party_meetings_on_time", "party", "三会一课等组织生活按时召开率", "%", "ge", 90, False, 1,
     "《村网格化治理经验材料》：严格规范“三会一课”制度，各支部每月召开支部委员会；周期按党建会议规则表"),
    ("party_five_linkage", "party", "“五事联动”会议每月召开", "%", "ge", 100, False, 1, "《示范村验收汇报材料》：每月召开“五事联动”"),
    ("party_contacts", "party", "党员联系户期内联系覆盖率", "%", "ge", 100, False, 1,
     "《示范村验收汇报材料》：发挥党员先锋模范作用，构建全覆盖、网格化的治理体系"),
    ("grids_sized", "structure", "网格规模符合300–500户", "%", "ge", 100, False, 1,
     "《村网格化治理经验材料》：网格原则上按300–500户划分"),
    ("grids_staffed", "structure", "网格、微网格配备网格员/联络员", "%", "ge", 100, False, 1,
     "《示范村验收汇报材料》：6个网格、22个微网格，配备22名微网格联络员"),
    ("groups_informed", "structure", "村民小组配备信息员", "%", "ge", 100, False, 1, "《村网格化治理经验材料》：社长担任综治信息员"),
    ("visit_coverage", "capacity", "入户走访覆盖率", "%", "ge", 100, False, 1, "《村网格化治理经验材料》：每个月对网格内居民住户入户走访"),
    ("trainings", "capacity", "网格员参加技能培训", "次", "ge", 1, True, 1, "《示范村验收汇报材料》：每年开展网格员技能培训"),
    ("workers_insured", "capacity", "网格员意外险在保率", "%", "ge", 100, False, 1, "《示范村验收汇报材料》：为网格员办理人身意外险"),
    ("workers_checked", "capacity", "网格员年度体检率", "%", "ge", 100, False, 1, "《示范村验收汇报材料》：组织网格员每年进行一次健康体检"),
    ("field_days", "capacity", "网格员每周在网格工作不少于4天", "%", "ge", 100, False, 1,
     "《村网格化治理经验材料》：每周在网格工作时间不少于四个工作日"),
    ("good_practices", "capacity", "向镇综治办上报优秀工作法/案例", "篇", "ge", 2, True, 1,
     "《示范村验收汇报材料》：向镇综治办上报网格优秀工作法、网格优秀案例两篇"),
    ("key_persons_visited", "safety", "重点人员按周期走访率", "%", "ge", 100, False, 1,
     "《示范村验收汇报材料》：每月对重点人群做好走访；各类重点人员的走访周期见重点人员设置"),
    ("key_persons_lost", "safety", "重点人员脱管", "人", "le", 0, False, 1, "GB/T 31000-2015；《示范村验收汇报材料》：加强动态监测，落实服务管控"),
    ("disputes_on_time", "safety", "矛盾纠纷在时限内化解率", "%", "ge", 95, False, 1,
     "《示范村验收汇报材料》：推行分级调处；各级时限见案件时限设置"),
    ("escalations", "safety", "上报镇综治中心的事项", "件", "ge", 0, False, 0, "《示范村验收汇报材料》：易激化的重大纠纷及时上报，由镇组织调处"),
    ("hazards_closed", "safety", "安全隐患处置率", "%", "ge", 100, False, 1, "《村网格化治理经验材料》：问题发现、协调处置、结果反馈"),
    ("deliberations", "cogovernance", "协商议事形成决议", "项", "ge", 2, True, 1, "《示范村验收汇报材料》：协商议事，议题公示一周后共谋方案"),
    ("projects_done", "cogovernance", "民生实事完工", "项", "ge", 1, True, 1, "《示范村验收汇报材料》：亮化工程、文体广场、污水管网等民生实事"),
    ("requests_handled", "cogovernance", "群众诉求办结率", "%", "ge", 100, False, 1, "《村网格化治理经验材料》：任务分办、结果反馈"),
    ("model_selections", "civility", "评选先进典型（户/人）", "个", "ge", 10, True, 1, "《示范村验收汇报材料》：持续开展“文明户”“五好文明家庭”“文明院落”评比"),
    ("activities", "civility", "开展德治法治活动", "次", "ge", 24, True, 1, "《村网格化治理经验材料》：青少年活动、清洁行动、宣讲等德治活动"),
    ("legal_set_dates", "civility", "宣传节点开展普法", "%", "ge", 100, False, 1,
     "《示范村验收汇报材料》：以宪法宣传日、民法典宣传月、安全生产月等重要时点开展法治宣传"),
    ("points_redeemed", "civility", "积分超市兑换积分", "分", "ge", 0, False, 0, "《村网格化治理经验材料》：巾帼家美积分超市"),
]


def add(apps, schema_editor):
    ScoreRule = apps.get_model("reports", "ScoreRule")
    for order, (code, criterion, label, unit, comparison, target, per_year, weight, source) in enumerate(RULES):
        ScoreRule.objects.get_or_create(
            code=code,
            defaults={
                "criterion": criterion,
                "label": label,
                "unit": unit,
                "comparison": comparison,
                "target": target,
                "per_year": per_year,
                "weight": weight,
                "order": order,
                "source": source,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("reports", "0003_score_rule")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
