"""The 六好 scorecard's default indicators (docs/scorecard.md, "Indicators and their sources"): the admin may
change targets, weights and switches afterwards."""

from django.db import migrations

# code, criterion, label, unit, comparison, target, per_year, weight, source
RULES = [
    ("party_meetings_on_time", "party", "三会一课等组织生活按时召开率", "%", "ge", 90, False, 1,
     "种子003 三会一课、主题党日；party.MeetingRule 周期"),
    ("party_five_linkage", "party", "“五事联动”会议每月召开", "%", "ge", 100, False, 1, "种子003 村级“五事联动”每月"),
    ("party_contacts", "party", "党员联系户期内联系覆盖率", "%", "ge", 100, False, 1,
     "种子000 村党总支—网格党支部—党员联系户"),
    ("grids_sized", "structure", "网格规模符合300–500户", "%", "ge", 100, False, 1,
     "种子003 网格原则上按300–500户划分"),
    ("grids_staffed", "structure", "网格、微网格配备网格员/联络员", "%", "ge", 100, False, 1,
     "种子000 6个网格、22个微网格、22名微网格联络员"),
    ("groups_informed", "structure", "村民小组配备信息员", "%", "ge", 100, False, 1, "种子003 社长担任综治信息员"),
    ("visit_coverage", "capacity", "入户走访覆盖率", "%", "ge", 100, False, 1, "种子003 每月入户走访全覆盖"),
    ("trainings", "capacity", "网格员参加技能培训", "次", "ge", 1, True, 1, "种子000 每年开展网格员技能培训"),
    ("workers_insured", "capacity", "网格员意外险在保率", "%", "ge", 100, False, 1, "种子000 为网格员购买人身意外险"),
    ("workers_checked", "capacity", "网格员年度体检率", "%", "ge", 100, False, 1, "种子000 每年一次健康体检"),
    ("field_days", "capacity", "网格员每周在网格工作不少于4天", "%", "ge", 100, False, 1,
     "种子003 每周在网格工作不少于4天"),
    ("good_practices", "capacity", "向镇综治办上报优秀工作法/案例", "篇", "ge", 2, True, 1,
     "种子000 上报网格优秀工作法、优秀案例两篇"),
    ("key_persons_visited", "safety", "重点人员按周期走访率", "%", "ge", 100, False, 1,
     "residents/cadence.py（国家基本公共卫生服务规范）"),
    ("key_persons_lost", "safety", "重点人员脱管", "人", "le", 0, False, 1, "GB/T 31000-2015 特殊人群；种子000"),
    ("disputes_on_time", "safety", "矛盾纠纷在时限内化解率", "%", "ge", 95, False, 1,
     "种子000 分级调处；disputes.Policy 各级时限"),
    ("escalations", "safety", "上报镇综治中心的事项", "件", "ge", 0, False, 0, "种子000 重大矛盾纠纷第一时间上报"),
    ("hazards_closed", "safety", "安全隐患处置率", "%", "ge", 100, False, 1, "种子003 问题发现、协调处置、结果反馈"),
    ("deliberations", "cogovernance", "协商议事形成决议", "项", "ge", 2, True, 1, "种子000 协商议事形成民生实事"),
    ("projects_done", "cogovernance", "民生实事完工", "项", "ge", 1, True, 1, "种子000 路灯、广场、污水处理等民生实事"),
    ("requests_handled", "cogovernance", "群众诉求办结率", "%", "ge", 100, False, 1, "种子003 任务分办、结果反馈"),
    ("model_selections", "civility", "评选先进典型（户/人）", "个", "ge", 10, True, 1, "种子000 评选文明户等20余户"),
    ("activities", "civility", "开展德治法治活动", "次", "ge", 24, True, 1, "种子000 青少年活动20次、清洁行动20余次等"),
    ("legal_set_dates", "civility", "宣传节点开展普法", "%", "ge", 100, False, 1,
     "civility.SetDate（宪法宣传日、民法典宣传月、安全生产月）；种子003"),
    ("points_redeemed", "civility", "积分超市兑换积分", "分", "ge", 0, False, 0, "种子000 巾帼家美积分超市"),
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
