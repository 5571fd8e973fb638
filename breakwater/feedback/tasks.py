"""Background delivery of forwarded feedback."""

from django_tasks import task

from breakwater.feedback import actions


@task()
def send_forward(forward_id: int) -> str:
    forward = actions.do_send_forward(forward_id)
    return forward.status if forward else "skipped"
