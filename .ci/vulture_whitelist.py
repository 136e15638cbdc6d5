# Names vulture cannot see being used: .ci/test passes this file to vulture next to
# bot/, storage/ and scheduler/. Vulture only parses it (a bare name counts as a use);
# it is never imported. Every group says who calls these names. A name that turns
# up here should be one a framework, a string or a file outside the three packages
# reaches; anything else that vulture reports is dead code to delete, not to list.
# ruff: noqa

# click: commands are registered by their decorators and run by name from the shell.
init_db  # bot/cli/admin.py
check_config_cmd  # bot/cli/check.py
digest_cmd  # bot/cli/digest.py
export_cmd  # bot/cli/exports.py
serve_cmd  # bot/cli/gateway.py
outbox_worker_cmd
outbox_cmd
fake_wecom_cmd
simulate_cmd
demo_cmd
classify_cmd  # bot/cli/ledger.py
problems_cmd
menu_cmd  # bot/cli/menu.py
import_roster_cmd  # bot/cli/roster.py
roster_template_cmd
export_roster_cmd
scheduler_cmd  # bot/cli/scheduler.py
run_job_cmd
jobs_cmd
review_draw_cmd
close_campaign_cmd  # bot/cli/admin.py
audit_cmd  # bot/cli/audit.py
backup_cmd  # bot/cli/backup.py
restore_cmd
person_export  # bot/cli/person.py
person_erase
list_templates  # bot/cli/templates.py
check
import_form

# Flask: routes and error handlers are registered by their decorators.
healthz  # bot/observe/routes.py
readyz
metrics
callback  # bot/gateway/webhook.py
_refuse
gettoken  # bot/devtools/fakewecom.py (the fake WeCom's API)
authorize  # (its web authorization, for the /m/ pages)
getuserinfo
fake_login
api_post
media_get
stats
control

# gunicorn: the worker class is named by a string in bot/gateway/server.py, and
# BaseApplication calls load_config() itself.
DeadlineThreadWorker  # bot/gateway/http_worker.py
load_config  # bot/gateway/server.py
setup  # JsonGunicornLogger: gunicorn calls Logger.setup(cfg)

# prometheus_client: a registry calls collect() on every registered collector.
collect  # bot/observe/collector.py

# APScheduler: jobs are stored by the textual reference "scheduler.runner:run_job".
run_job  # scheduler/runner.py

# pydantic: model validators run when a config section is built; the deprecated
# [redis] section is declared only so old config files still load.
_exactly_one_target  # bot/config.py
redis

# SQLAlchemy: event listeners registered by decorator; TypeDecorator and
# DeclarativeBase hooks the ORM reads.
_on_checkin  # storage/db.py
_on_checkout
_on_connect
_on_begin
_on_statement
impl  # storage/models.py
cache_ok
process_bind_param
process_result_value
type_annotation_map

# SQLAlchemy mapped columns written for the record (audit, people reading the
# database, exports to come) and read by tests, not by the code in these packages.
registered_by_id  # storage/models.py Target
amended_at  # Visit
extension_reason  # Problem
finished_at  # JobRun

# Alembic: every revision module's interface, read by alembic itself.
upgrade  # storage/migrations/versions/*.py
downgrade
down_revision
branch_labels
depends_on

# Attributes of other libraries' objects that the code sets: openpyxl cells, sheets
# and page setup, pysqlite connections, zipfile entries.
isolation_level  # sqlite3.Connection (storage/db.py)
freeze_panes
print_title_rows
alignment
fill
number_format
quotePrefix
orientation
paperSize
fitToWidth
fitToHeight
fitToPage
horizontalCentered
creator  # openpyxl workbook properties (storage/roster/demo.py)
compress_type  # zipfile.ZipInfo (storage/roster/demo.py)
_check_sheetname  # XlsxWriter's hook, overridden (storage/exports/writer.py _Workbook)
is_chartsheet

# TokenStore.put (bot/wecom/client.py's protocol, storage/tokens.py): the stores' own
# interface, called by the tests (vulture saw it used only through the old export
# writer's unrelated styles.put).
put

# Test support that lives in the packages so the test suite and local tools share
# one copy: used from tests/ only.
frozen_environ  # bot/clock.py: a frozen clock for a CLI subprocess
verify_query  # bot/devtools/callback_client.py: signs a URL-verification GET
start_in_thread  # bot/devtools/fakewecom.py: the fake WeCom inside the test process

# Flask: the /m/ pages' routes, hooks, filters and error handlers (bot/pages/).
require_login  # bot/pages/views.py
template_globals
login
oauth
home
forbidden
not_found
downloads  # bot/pages/file_views.py
download
roster_template
roster_check
roster_confirm
ROUTES  # bot/pages/web.py: importing the route modules registers them

# Jinja templates (bot/pages/templates/) read these names.
quota_met  # bot/pages/figures.py
APP  # bot/pages/prompts.py
REVIEW
ROSTER
ROSTER_PROBLEMS
ROSTER_DRY_RUN

# Chat's 报表 link card and the digests call it (bot/handlers, issue 14 item 2).
overview_url  # bot/pages/links.py

# pydantic: model validators run when a section is validated.
_secret_when_enabled  # bot/config.py
coverage_cells  # storage/facts/unit_coverage.py: the definition storage/facts/counts.py is tested against
writer_queue  # storage/db.py: tests/support/db.py sees a thread waiting in the SQLite writer queue
waiting
