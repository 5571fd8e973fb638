"""The bench child: ``python -m breakwater.bench <which> [...]``, started by ``run_bench``."""

import argparse
import os
import sys


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m breakwater.bench")
    parser.add_argument("which", choices=["ingest", "inbox", "search", "analysis", "reports",
                                          "listening"])
    parser.add_argument("--items", type=int, default=None)
    parser.add_argument("--messages", type=int, default=None)
    parser.add_argument("--samples", type=int, default=None)
    parser.add_argument("--topics", type=int, default=None)
    parser.add_argument("--posts", type=int, default=None)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "breakwater.settings")
    import django

    django.setup()
    from breakwater.bench import env, run_bench

    if not env.inside() and args.which != "reports":  # reports isolates itself (PostgreSQL too)
        # Started by hand: isolate like `breakwater bench` does rather than touch a real database.
        return env.run_isolated(args)
    return run_bench(args)


if __name__ == "__main__":
    sys.exit(main())
