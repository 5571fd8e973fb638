"""The `breakwater` command: run, web, worker, createuser, token, ingest, bench, manage."""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "breakwater.settings")
    argv = list(sys.argv[1:] if argv is None else argv)
    import django
    from django.core.management import execute_from_command_line

    django.setup()
    if argv and argv[0] == "manage":
        execute_from_command_line(["breakwater manage", *argv[1:]])
        return
    from breakwater.commands import run_cli

    sys.exit(run_cli(argv))
