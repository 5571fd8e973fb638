"""Background sending of scheduled reports."""

from django.utils.module_loading import import_string
from django_tasks import task

from breakwater.reports import actions

# The PDF is an interface's rendering of the dashboard (templates and charts live in web/);
# the domain names it by path so that it does not import upward.
RENDERER = "breakwater.web.reports_pdf.render_overview"


@task()
def send_report(run_id: int) -> str:
    run = actions.do_send_run(run_id, import_string(RENDERER))
    return run.status if run else "skipped"
