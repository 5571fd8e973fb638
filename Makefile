# The two entry points. Everything they need is installed by scripts/setup.sh.
.PHONY: run test setup

run: ## set up and run Breakwater on SQLite with the demo workspace at http://127.0.0.1:8000
	@scripts/setup.sh
	.venv/bin/breakwater run

test: ## set up and run the whole test suite (SQLite and PostgreSQL)
	@scripts/test.sh

setup:
	@scripts/setup.sh
