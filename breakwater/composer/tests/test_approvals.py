"""Approvals are generic: any ref can wait, and the decision is announced once."""

from breakwater.composer import actions
from breakwater.composer.models import ApprovalStatus
from breakwater.core import events
from breakwater.core.errors import Conflict, Forbidden, NotFound
from breakwater.test import BaseTestCase


class ApprovalTestCase(BaseTestCase):
    def setUp(self) -> None:
        self.approval = actions.do_request_approval(
            self.bob, "post:5", "Joulukampanja alkaa!", [{"kind": "policy", "message": "x"}],
            {"post": 5})
        self.heard: list[dict] = []
        subscription = events.subscribe(self.acme.pk, self.heard.append)
        self.addCleanup(subscription.close)

    def decided(self) -> list[dict]:
        return [e for e in self.heard if e["type"] == "approval.decided"]

    def test_it_announces_an_approval_once(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_approve(self.alice, self.approval.pk, "Joulukampanja alkaa.")
            again = actions.do_approve(self.alice, self.approval.pk)
        self.assertEqual(again.status, ApprovalStatus.APPROVED)
        self.assertEqual(again.approved_text, "Joulukampanja alkaa.")
        [event] = self.decided()
        self.assertEqual((event["ref"], event["status"], event["text"]),
                         ("post:5", "approved", "Joulukampanja alkaa."))

    def test_it_refuses_a_second_request_for_the_same_ref(self) -> None:
        with self.assertRaises(Conflict):
            actions.do_request_approval(self.bob, "post:5", "x", [], {})

    def test_only_managers_decide_and_only_in_their_workspace(self) -> None:
        with self.assertRaises(Forbidden):
            actions.do_approve(self.bob, self.approval.pk)
        with self.assertRaises(Forbidden):
            actions.do_reject(self.vera, self.approval.pk, "ei")
        with self.assertRaises(NotFound):
            actions.do_approve(self.charlie, self.approval.pk)
        with self.assertRaises(Forbidden):
            actions.do_set_policy(self.bob, ["agent"], [])

    def test_a_rejection_cannot_become_an_approval(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            actions.do_reject(self.alice, self.approval.pk, "Liian aikaista.")
        with self.assertRaises(Conflict):
            actions.do_approve(self.alice, self.approval.pk)
        self.assertEqual([e["comment"] for e in self.decided()], ["Liian aikaista."])
