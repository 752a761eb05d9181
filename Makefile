# Shortcuts for the two commands of the README (scripts/run, scripts/test); "make" lists them.

HOST ?= 127.0.0.1
PORT ?= 5000
VENV := .venv

.DEFAULT_GOAL := help
.PHONY: help run test

help:
	@echo "Targets:"
	@echo "  make run    install the project into $(VENV) and serve the demo catalog"
	@echo "              (SQLite) on http://$(HOST):$(PORT); override with HOST=... PORT=..."
	@echo "  make test   install and start what the tests need (PostgreSQL, ...),"
	@echo "              run pytest, stop it all again; pytest options: ARGS=\"...\""

run:
	scripts/run --host "$(HOST)" --port "$(PORT)"

test:
	scripts/test $(ARGS)
