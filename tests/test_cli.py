import contextlib
import io
import json
import tempfile
from pathlib import Path

from breakwater.commands import run_cli
from breakwater.core.actions import access_token
from breakwater.core.models import Membership, Role, Workspace
from breakwater.inbox.models import Message
from breakwater.ingest.models import InboundEvent
from breakwater.test import BaseTestCase


class CliTestCase(BaseTestCase):
    def cli(self, *argv: str) -> tuple[int, str, str]:
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = run_cli(list(argv))
        return code, out.getvalue(), err.getvalue()

    def jsonl(self, lines: list[str]) -> str:
        with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False, encoding="utf-8") as f:
            f.write("\n".join(lines) + "\n")
        self.addCleanup(Path(f.name).unlink)
        return f.name

    def test_it_creates_a_user_and_their_workspace(self) -> None:
        code, out, _ = self.cli(
            "createuser",
            "--email",
            "Dana@Example.org",
            "--password",
            "long enough pw",
            "--workspace",
            "New Brand",
            "--role",
            "admin",
        )
        self.assertEqual(code, 0)
        self.assertIn("dana@example.org is admin of workspace new-brand", out)
        member = Membership.objects.get(user__email="dana@example.org")
        self.assertEqual((member.workspace.slug, member.role), ("new-brand", Role.ADMIN))
        self.assertTrue(member.user.check_password("long enough pw"))
        self.assertEqual(Workspace.objects.filter(slug="new-brand").count(), 1)

    def test_it_joins_an_existing_workspace(self) -> None:
        code, _, _ = self.cli(
            "createuser",
            "--email",
            "erin@example.org",
            "--password",
            "long enough pw",
            "--workspace",
            "acme",
        )
        self.assertEqual(code, 0)
        member = Membership.objects.get(user__email="erin@example.org")
        self.assertEqual((member.workspace_id, member.role), (self.acme.pk, Role.AGENT))

    def test_it_explains_a_bad_password(self) -> None:
        code, _, err = self.cli(
            "createuser", "--email", "x@example.org", "--password", "short", "--workspace", "acme"
        )
        self.assertEqual(code, 2)
        self.assertIn("error: the password needs at least 8 characters", err)

    def test_it_prints_a_new_token_alone_on_the_last_line(self) -> None:
        code, out, err = self.cli("token", "create", "--email", "bob@example.org")
        self.assertEqual(code, 0)
        token = out.strip().splitlines()[-1]
        self.assertRegex(token, r"^bw_[\w-]{20,}$")
        self.assertIn("acme", err)
        member = access_token(token)
        self.assertEqual(member.pk, self.bob.pk)

    def test_it_creates_a_token_for_a_named_workspace(self) -> None:
        code, out, _ = self.cli(
            "token",
            "create",
            "--email",
            "charlie@example.org",
            "--workspace",
            "other",
            "--name",
            "ci",
        )
        self.assertEqual(code, 0)
        self.assertEqual(access_token(out.splitlines()[-1]).workspace_id, self.other.pk)
        # Charlie is no member of acme: no token for it.
        code, out, err = self.cli(
            "token", "create", "--email", "charlie@example.org", "--workspace", "acme"
        )
        self.assertEqual((code, out), (2, ""))
        self.assertIn("not a member", err)
        code, _, err = self.cli("token", "create", "--email", "nobody@example.org")
        self.assertEqual(code, 2)
        self.assertIn("no user", err)

    def test_it_ingests_a_json_lines_file(self) -> None:
        items = [self.item(), self.item()]
        path = self.jsonl([json.dumps(i) for i in items])
        code, out, _ = self.cli("ingest", path, "--workspace", "acme")
        self.assertEqual(code, 0)
        self.assertEqual(
            json.loads(out), {"received": 2, "created": 2, "duplicates": 0, "errors": []}
        )
        self.assertEqual(Message.objects.filter(workspace=self.acme).count(), 2)

        code, out, _ = self.cli("ingest", path, "--workspace", "acme")
        self.assertEqual((code, json.loads(out)["duplicates"]), (0, 2))

    def test_it_reports_bad_lines_with_a_nonzero_exit(self) -> None:
        path = self.jsonl([json.dumps(self.item()), "{oops", json.dumps(self.item(kind="nope"))])
        code, out, _ = self.cli("ingest", path, "--workspace", "acme")
        self.assertEqual(code, 1)
        result = json.loads(out)
        self.assertEqual(result["created"], 1)
        self.assertEqual([e["index"] for e in result["errors"]], [1, 2])

    def test_it_queues_a_file_for_the_workers(self) -> None:
        path = self.jsonl([json.dumps(self.item()), "{oops", json.dumps(self.item())])
        code, out, _ = self.cli("ingest", path, "--workspace", "acme", "--queue")
        self.assertEqual(code, 0)
        self.assertEqual(json.loads(out)["queued"], 2)
        self.assertEqual(InboundEvent.objects.filter(workspace=self.acme).count(), 2)
        self.assertFalse(Message.objects.exists())

    def test_it_refuses_an_unknown_workspace(self) -> None:
        path = self.jsonl([json.dumps(self.item())])
        code, _, err = self.cli("ingest", path, "--workspace", "nope")
        self.assertEqual(code, 2)
        self.assertIn("no workspace", err)
