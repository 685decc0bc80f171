"""When the yearly loads run, and why then.

- 20 October: the enforcement (THADS) year N closed on 30 September; agencies send their
  yearly figures in the first half of October. Load year N.
- 15 December: Departments of Justice (STP) send the preliminary report of year N, cut at
  31 October or 30 November, during November and early December. Load year N.
- 1 February: the official STP report of year N-1, which replaces the preliminary one, is due
  in January. Load year N-1.
Late corrections between these dates are picked up by the inbox sensor.
"""


from datetime import datetime

import dagster as dg

from orchestration.automation.jobs import LOAD_JOB_NAME, REMINDERS_JOB_NAME
from orchestration.partitions import range_tags

TIMEZONE = "Asia/Ho_Chi_Minh"
YEARLY_CRONS = ["0 6 20 10 *", "0 6 15 12 *", "0 6 1 2 *"]


def year_to_load(scheduled: datetime) -> int:
    """The reporting year a tick loads: the previous year for the February tick."""
    return scheduled.year - 1 if scheduled.month < 6 else scheduled.year


@dg.schedule(
    job_name=LOAD_JOB_NAME,
    cron_schedule=YEARLY_CRONS,
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=__doc__,
)
def yearly_load_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    year = str(year_to_load(context.scheduled_execution_time))
    return dg.RunRequest(
        run_key=f"yearly-{context.scheduled_execution_time:%Y-%m-%d}",
        tags={**range_tags(year, year), "tuphap/trigger": "schedule"},
    )


@dg.schedule(
    job_name=REMINDERS_JOB_NAME,
    cron_schedule="0 8 * * *",
    execution_timezone=TIMEZONE,
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description=(
        "Every morning at 08:00 in Vietnam: the deadline reminders and open-error reminders "
        "due today (unit-correspondence.md). A reminder already sent is never sent again."
    ),
)
def daily_reminders_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    return dg.RunRequest(run_key=f"remind-{context.scheduled_execution_time:%Y-%m-%d}",
                         tags={"tuphap/trigger": "schedule"})
