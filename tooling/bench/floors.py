"""The floors of the bench's page scenarios: what each page shows (its rows, and its count when it shows
one), fetched by a hand-written SQL query. ``{extra}`` takes a scenario's filter."""

HOUSEHOLD_ROWS = """
SELECT h.id, h.number, h.address, h.phone, h.living_status, g.name, m.name, vg.name,
       (SELECT r.name FROM residents_resident r
         WHERE r.household_id = h.id AND r.relation = '02' AND r.archived_at IS NULL LIMIT 1),
       (SELECT count(*) FROM residents_resident r WHERE r.household_id = h.id AND r.archived_at IS NULL)
  FROM residents_household h
  JOIN grids_grid g ON g.id = h.grid_id
  JOIN grids_microgrid m ON m.id = h.micro_grid_id
  LEFT JOIN grids_villagergroup vg ON vg.id = h.villager_group_id
 WHERE h.village_id = ANY(%s) AND h.archived_at IS NULL {extra}
 ORDER BY h.village_id, h.number LIMIT 50 OFFSET %s"""
HOUSEHOLD_COUNT = (
    "SELECT count(*) FROM residents_household h WHERE h.village_id = ANY(%s) AND h.archived_at IS NULL {extra}"
)
RESIDENT_ROWS = """
SELECT r.id, r.name, r.gender, r.birth_date, r.phone, r.relation, r.id_cipher, h.number, h.address, g.name
  FROM residents_resident r
  LEFT JOIN residents_household h ON h.id = r.household_id
  LEFT JOIN grids_grid g ON g.id = h.grid_id
 WHERE r.village_id = ANY(%s) AND r.archived_at IS NULL {extra}
 ORDER BY r.village_id, h.number, r.relation LIMIT 50 OFFSET %s"""
RESIDENT_COUNT = """SELECT count(*) FROM residents_resident r LEFT JOIN residents_household h ON h.id = r.household_id
 WHERE r.village_id = ANY(%s) AND r.archived_at IS NULL {extra}"""
KEY_PERSON_ROWS = """
SELECT k.id, k.category, k.risk_level, k.attention, r.name, r.phone, h.address, g.name
  FROM residents_keyperson k
  JOIN residents_resident r ON r.id = k.resident_id
  LEFT JOIN residents_household h ON h.id = r.household_id
  LEFT JOIN grids_grid g ON g.id = h.grid_id
 WHERE k.village_id = ANY(%s) AND k.listed_from <= %s AND (k.listed_until IS NULL OR k.listed_until >= %s) {extra}
 ORDER BY k.category, k.risk_level DESC, r.name LIMIT 50 OFFSET %s"""
KEY_PERSON_COUNT = """SELECT count(*) FROM residents_keyperson k JOIN residents_resident r ON r.id = k.resident_id
 WHERE k.village_id = ANY(%s) AND k.listed_from <= %s AND (k.listed_until IS NULL OR k.listed_until >= %s) {extra}"""
CASE_ROWS = """
SELECT c.id, c.number, c.title, c.kind, c.category, c.state, c.tier, c.reported_at, c.state_since, g.name, u.full_name
  FROM disputes_case c
  LEFT JOIN grids_grid g ON g.id = c.grid_id
  LEFT JOIN grids_user u ON u.id = c.assignee_id
 WHERE c.village_id = ANY(%s) {extra}
 ORDER BY c.reported_at DESC LIMIT 50"""
CASE_COUNT = "SELECT count(*) FROM disputes_case c WHERE c.village_id = ANY(%s) {extra}"
# A month's coverage per grid: households due and visited (the coverage pages, the town's home).
COVERAGE = """
SELECT h.grid_id, count(*), count(*) FILTER (WHERE EXISTS (
         SELECT 1 FROM visits_visit v WHERE v.household_id = h.id AND v.month = %s AND v.outcome = 'done'))
  FROM residents_household h JOIN grids_grid g ON g.id = h.grid_id
 WHERE g.village_id = ANY(%s) AND h.archived_at IS NULL
 GROUP BY h.grid_id"""
# The same figures kept per grid (visits.live): what the pages read when nothing changed since.
KEPT_COVERAGE = """
SELECT c.* FROM visits_livecoverage c JOIN grids_grid g ON g.id = c.grid_id
 WHERE c.month = %s AND g.village_id = ANY(%s)"""
WORK_LIST = """
SELECT h.id, h.number, h.address, h.micro_grid_id,
       (SELECT r.name FROM residents_resident r
         WHERE r.household_id = h.id AND r.relation = '02' AND r.archived_at IS NULL LIMIT 1)
  FROM residents_household h
 WHERE h.grid_id = ANY(%s) AND h.archived_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM visits_visit v WHERE v.household_id = h.id AND v.month = %s AND v.outcome = 'done')
 ORDER BY h.micro_grid_id, h.address LIMIT 30"""
KEY_PERSONS_DUE = """
SELECT k.id, k.category, k.risk_level, r.name,
       (SELECT max(v.visited_on) FROM visits_visit v WHERE v.key_person_id = k.id AND v.outcome = 'done')
  FROM residents_keyperson k JOIN residents_resident r ON r.id = k.resident_id
  JOIN residents_household h ON h.id = r.household_id
 WHERE h.grid_id = ANY(%s) AND k.listed_from <= %s AND (k.listed_until IS NULL OR k.listed_until >= %s)"""


def fmt(sql: str, extra: str = "") -> str:
    return sql.format(extra=extra)


# The Party's pages (docs/party.md): members of a village, their counts and age profile, contact coverage
# per grid, and the meetings the year's periods asked for.
PARTY_MEMBER_ROWS = """
SELECT m.id, r.name, r.gender, r.birth_date, m.joined_on, m.status, m.floating, b.name, g.name
  FROM party_partymember m
  JOIN residents_resident r ON r.id = m.resident_id
  JOIN party_partyorganisation b ON b.id = m.branch_id
  LEFT JOIN party_partyorganisation g ON g.id = m.group_id
 WHERE m.village_id = ANY(%s) AND m.archived_at IS NULL {extra}
 ORDER BY m.branch_id, m.id LIMIT 50"""
PARTY_MEMBER_COUNT = "SELECT count(*) FROM party_partymember m WHERE m.village_id = ANY(%s) AND m.archived_at IS NULL"
PARTY_MEMBER_AGES = """
SELECT m.village_id, m.branch_id, m.status, m.floating, r.birth_date
  FROM party_partymember m JOIN residents_resident r ON r.id = m.resident_id
 WHERE m.village_id = ANY(%s) AND m.archived_at IS NULL"""
PARTY_CONTACT_COVERAGE = """
SELECT h.grid_id, count(*),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM party_contactlink l WHERE l.household_id = h.id AND l.ended_on IS NULL)),
       count(*) FILTER (WHERE EXISTS (SELECT 1 FROM party_contactlink l JOIN party_contact c
                ON c.household_id = l.household_id AND c.member_id = l.member_id
             WHERE l.household_id = h.id AND l.ended_on IS NULL AND c.contacted_on >= %s))
  FROM residents_household h
 WHERE h.village_id = ANY(%s) AND h.archived_at IS NULL
 GROUP BY h.grid_id"""
PARTY_MEETINGS_OWED = """
SELECT o.id, o.kind, mt.kind, mt.period, mt.late
  FROM party_partyorganisation o
  LEFT JOIN party_meeting mt ON mt.organisation_id = o.id AND mt.period >= %s
 WHERE o.village_id = ANY(%s) AND o.archived_at IS NULL"""

# Co-governance's pages (docs/cogovernance.md): a village's deliberations, projects and documents (the
# current version of each), and the town's counts per village.
COGOV_DELIBERATION_ROWS = """
SELECT d.id, d.title, d.stage, d.proposer, d.publish_on, d.resolved_on, d.created_at
  FROM cogovernance_deliberation d
 WHERE d.village_id = ANY(%s) AND d.archived_at IS NULL
 ORDER BY d.created_at DESC, d.id DESC LIMIT 50"""
COGOV_DELIBERATION_COUNT = (
    "SELECT count(*) FROM cogovernance_deliberation d WHERE d.village_id = ANY(%s) AND d.archived_at IS NULL"
)
COGOV_PROJECT_ROWS = """
SELECT p.id, p.title, p.kind, p.quantity, p.unit, p.budget, p.spent, p.started_on, p.done_on
  FROM cogovernance_project p
 WHERE p.village_id = ANY(%s) AND p.archived_at IS NULL
 ORDER BY p.started_on DESC, p.id DESC LIMIT 50"""
COGOV_PROJECT_COUNT = (
    "SELECT count(*) FROM cogovernance_project p WHERE p.village_id = ANY(%s) AND p.archived_at IS NULL"
)
COGOV_DOCUMENT_ROWS = """
SELECT doc.id, doc.kind, doc.title, v.number, v.adopted_on, v.copies
  FROM cogovernance_villagedocument doc
  LEFT JOIN LATERAL (SELECT number, adopted_on, copies FROM cogovernance_documentversion
                      WHERE document_id = doc.id ORDER BY number DESC LIMIT 1) v ON true
 WHERE doc.village_id = ANY(%s) AND doc.archived_at IS NULL
 ORDER BY doc.kind, doc.title, doc.id LIMIT 50"""
COGOV_TOWN_DELIBERATIONS = """
SELECT d.village_id, count(*) FILTER (WHERE d.stage <> 'closed'),
       count(*) FILTER (WHERE d.publish_on BETWEEN %s AND %s),
       count(*) FILTER (WHERE d.resolved_on >= %s), count(*) FILTER (WHERE d.closed_on >= %s)
  FROM cogovernance_deliberation d
 WHERE d.village_id = ANY(%s) AND d.archived_at IS NULL
 GROUP BY d.village_id"""
COGOV_TOWN_PROJECTS = """
SELECT p.village_id, count(*), count(p.done_on), sum(p.budget), sum(p.spent),
       sum(p.quantity) FILTER (WHERE p.kind = 'lighting')
  FROM cogovernance_project p
 WHERE p.village_id = ANY(%s) AND p.archived_at IS NULL AND p.started_on >= %s
 GROUP BY p.village_id"""
COGOV_TOWN_DOCUMENTS = """
SELECT doc.village_id, count(DISTINCT doc.id), sum(v.copies)
  FROM cogovernance_villagedocument doc LEFT JOIN cogovernance_documentversion v ON v.document_id = doc.id
 WHERE doc.village_id = ANY(%s) AND doc.archived_at IS NULL
 GROUP BY doc.village_id"""

# 德治/法治's pages (docs/civility.md): a village's activities (this year's counts by kind and month beside
# them), the households' points balances, and the model households and people.
CIV_ACTIVITY_ROWS = """
SELECT a.id, a.kind, a.title, a.held_on, a.organiser, a.place, a.participants, a.beneficiaries
  FROM civility_activity a
 WHERE a.village_id = ANY(%s) AND a.archived_at IS NULL
 ORDER BY a.held_on DESC, a.id DESC LIMIT 50"""
CIV_ACTIVITY_COUNTS = """
SELECT a.kind, extract(month FROM a.held_on), count(*)
  FROM civility_activity a
 WHERE a.village_id = ANY(%s) AND a.archived_at IS NULL AND a.held_on >= %s
 GROUP BY 1, 2"""
CIV_LEDGER_ROWS = """
SELECT h.id, h.number, h.address, coalesce(acc.balance, 0) AS balance
  FROM residents_household h LEFT JOIN civility_pointsaccount acc ON acc.household_id = h.id
 WHERE h.village_id = ANY(%s) AND h.archived_at IS NULL
 ORDER BY balance DESC, h.number LIMIT 50"""
CIV_LEDGER_COUNT = "SELECT count(*) FROM residents_household h WHERE h.village_id = ANY(%s) AND h.archived_at IS NULL"
CIV_SELECTION_ROWS = """
SELECT s.id, s.year, s.honour, s.household_id, s.resident_id, s.selected_on, s.points
  FROM civility_modelselection s
 WHERE s.village_id = ANY(%s) AND s.archived_at IS NULL
 ORDER BY s.year DESC, s.honour, s.id LIMIT 50"""
CIV_TEAM_ROWS = """
SELECT t.id, t.name, t.focus, t.leader, t.founded_on,
       (SELECT count(*) FROM civility_volunteer v WHERE v.team_id = t.id AND v.left_on IS NULL),
       (SELECT count(*) FROM civility_activity_teams at JOIN civility_activity a ON a.id = at.activity_id
         WHERE at.volunteerteam_id = t.id AND a.held_on >= %s AND a.archived_at IS NULL)
  FROM civility_volunteerteam t
 WHERE t.village_id = ANY(%s) AND t.archived_at IS NULL
 ORDER BY t.name LIMIT 50"""
CIV_ADVISOR_ROWS = """
SELECT l.id, r.name, l.trained_on, l.trained_by, m.name
  FROM civility_legaladvisor l JOIN residents_resident r ON r.id = l.resident_id
  LEFT JOIN disputes_mediator m ON m.id = l.mediator_id
 WHERE l.village_id = ANY(%s) AND l.archived_at IS NULL
 ORDER BY l.trained_on, l.id LIMIT 50"""
CIV_SELECTION_COUNT = (
    "SELECT count(*) FROM civility_modelselection s WHERE s.village_id = ANY(%s) AND s.archived_at IS NULL"
)
# A department's case list (docs/departments.md): the cases assigned to its department, newest first.
DEPT_CASE_ROWS = """
SELECT c.id, c.number, c.title, c.kind, c.category, c.state, c.tier, c.reported_at, c.signed_at, v.name, d.name
  FROM disputes_case c
  JOIN grids_village v ON v.id = c.village_id
  JOIN disputes_department d ON d.id = c.department_id
 WHERE c.department_id = ANY(%s)
 ORDER BY c.reported_at DESC LIMIT 50"""
DEPT_CASE_COUNT = "SELECT count(*) FROM disputes_case c WHERE c.department_id = ANY(%s)"

# The 六好 scorecard's town comparison (docs/scorecard.md): per village of the town, the grouped counts the
# heaviest indicators read for the year — the months' kept coverage, the cases resolved and reported, the
# activities held. The page adds some twenty smaller grouped reads to these.
SCORECARD_COVERAGE = """
SELECT g.village_id, sum(s.households_due), sum(s.households_done), sum(s.key_persons_due), sum(s.key_persons_done)
  FROM visits_coveragesnapshot s JOIN grids_grid g ON g.id = s.grid_id
 WHERE g.village_id = ANY(%s) AND s.month >= %s
 GROUP BY g.village_id"""
SCORECARD_CASES = """
SELECT c.village_id, c.kind, count(*), count(c.resolved_at)
  FROM disputes_case c
 WHERE c.village_id = ANY(%s) AND c.reported_at >= %s
 GROUP BY 1, 2"""
SCORECARD_ACTIVITIES = """
SELECT a.village_id, count(*)
  FROM civility_activity a
 WHERE a.village_id = ANY(%s) AND a.archived_at IS NULL AND a.held_on >= %s
 GROUP BY 1"""
# The 汇报材料 draft (docs/scorecard.md): its three heaviest reads — the village's registered residents, the
# year's visits and the year's cases, each counted in one pass.
DRAFT_RESIDENTS = """
SELECT count(*), count(*) FILTER (WHERE r.lives_here)
  FROM residents_resident r JOIN residents_household h ON h.id = r.household_id
 WHERE r.village_id = %s AND h.village_id = %s AND r.archived_at IS NULL AND r.registration = 'registered'"""
DRAFT_VISITS = """
SELECT count(*) FILTER (WHERE v.subject = 'household'), count(DISTINCT v.household_id),
       count(*) FILTER (WHERE v.subject = 'key_person'), count(DISTINCT v.key_person_id)
  FROM visits_visit v
 WHERE v.village_id = %s AND v.visited_on BETWEEN %s AND %s AND v.outcome = 'done'"""
DRAFT_CASES = """
SELECT c.kind, c.tier, c.state, count(*)
  FROM disputes_case c
 WHERE c.village_id = %s AND c.reported_at >= %s AND c.reported_at < %s
 GROUP BY c.kind, c.tier, c.state"""
# Town tasks (docs/towntasks.md): the town's page of a task handed to all its villages (each village's part
# and its households ticked/total), the town's list of tasks, and a worker's tasks to tick in their grids.
TT_TASK_TARGETS = """
SELECT tv.id, tv.state, tv.reported_at, v.name
  FROM towntasks_taskvillage tv JOIN grids_village v ON v.id = tv.village_id
 WHERE tv.task_id = %s
 ORDER BY v.name, tv.id"""
TT_TASK_PROGRESS = """
SELECT i.target_id, count(*), count(*) FILTER (WHERE i.state = 'done'), count(*) FILTER (WHERE i.state = 'na')
  FROM towntasks_taskitem i
 WHERE i.target_id IN (SELECT tv.id FROM towntasks_taskvillage tv WHERE tv.task_id = %s)
 GROUP BY i.target_id"""
TT_TASK_LIST_ROWS = """
SELECT t.id, t.title, t.deadline, t.report_kind, t.state, count(tv.id),
       count(tv.id) FILTER (WHERE tv.state IN ('reported', 'accepted')), count(tv.id) FILTER (WHERE tv.state = 'accepted')
  FROM towntasks_task t LEFT JOIN towntasks_taskvillage tv ON tv.task_id = t.id
 WHERE t.town_id = ANY(%s)
 GROUP BY t.id
 ORDER BY t.created_at DESC, t.id DESC LIMIT 50"""
TT_FIELD_OPEN = """
SELECT i.target_id, count(*) FILTER (WHERE i.state = 'open'), count(*)
  FROM towntasks_taskitem i JOIN towntasks_taskvillage tv ON tv.id = i.target_id
 WHERE i.grid_id = ANY(%s) AND tv.state IN ('in_progress', 'returned')
 GROUP BY i.target_id"""
TT_FIELD_CHECKLIST = """
SELECT i.id, i.state, h.address, h.number, m.number
  FROM towntasks_taskitem i JOIN residents_household h ON h.id = i.household_id
  JOIN grids_microgrid m ON m.id = h.micro_grid_id
 WHERE i.target_id = %s AND i.grid_id = ANY(%s) AND i.state = 'open'"""
