"""Background delivery."""

from django_tasks import task

from breakwater.outbox import actions


@task()
def deliver(delivery_id: int) -> str:
    delivery = actions.do_deliver(delivery_id)
    return delivery.status if delivery else "skipped"
