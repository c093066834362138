# One command per job (README "Benchmarks and soak"). Everything listens on 127.0.0.1 only.
#   make test         the whole test suite (= ./scripts/test)
#   make bench        madoguchi vs datasette / sqlite-utils / DuckDB floor, 1,000,000 rows, 10,000 datasets
#   make soak         load and fault suite: 60 s x 64 connections, 600 s fuzz (~15 minutes)
#   make soak-short   the same phases in small (~1 minute)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: test bench soak soak-short

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --disable-pip-version-check -e '.[test]'
	$(VENV)/bin/pip install -q --disable-pip-version-check --no-deps -r requirements-nodeps.txt

test:
	./scripts/test

bench: $(PY)
	$(PY) benchmarks/compare.py --rows 1000000 --datasets 10000

soak: $(PY)
	$(PY) benchmarks/soak.py --duration 60 --connections 64 --fuzz-seconds 600

soak-short: $(PY)
	$(PY) benchmarks/soak.py --short
