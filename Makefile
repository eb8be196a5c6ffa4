# Everything runs from the project's own virtualenv at .venv/, installed from pyproject.toml + requirements.lock.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: install run chat lint test test-fast bench lock clean

$(STAMP): pyproject.toml requirements.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip setuptools wheel
	$(PY) -m pip install --quiet -r requirements.lock
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	touch $(STAMP)

install: $(STAMP)

## make run: the bot on embedded defaults (SQLite, embedded Chroma, local embeddings); console chat without a token
run: $(STAMP)
	$(VENV)/bin/cafebot run

chat: $(STAMP)
	$(VENV)/bin/cafebot chat

## make lint: ruff (style, imports, likely bugs) on the whole tree, then mypy on bot/; both read pyproject.toml
# mypy runs even when ruff fails, so one CI run reports every problem.
lint: $(STAMP)
	status=0; $(VENV)/bin/ruff check || status=1; $(VENV)/bin/mypy || status=1; exit $$status

## make test: the whole suite (SQLite and the PostgreSQL at 127.0.0.1:5432, a real `chroma run`, the stand-ins)
test: $(STAMP)
	$(PY) -m pytest -q -ra

test-fast: $(STAMP)
	$(PY) -m pytest -q -x -m "not slow"

## make bench: retrieval quality and speed benchmarks (installs the bench extras: CPU torch for MiniLM)
bench: $(STAMP)
	$(PY) -m pip install --quiet "torch==2.13.0"
	$(PY) -m pip install --quiet --no-build-isolation -e ".[bench]"
	$(PY) -m bench.run_all

## make lock: re-pin every dependency from a fresh resolve of pyproject.toml
lock:
	rm -rf /tmp/cafebot-lock && $(PYTHON) -m venv /tmp/cafebot-lock
	/tmp/cafebot-lock/bin/pip install --quiet ".[test]"
	/tmp/cafebot-lock/bin/pip freeze --exclude cafebot > requirements.lock

clean:
	rm -rf $(VENV) data .pytest_cache .mypy_cache .ruff_cache
