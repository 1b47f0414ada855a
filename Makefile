# Traza — the README's two commands: `make run` and `make test`.
PY      ?= python3
VENV    := .venv
BIN     := $(VENV)/bin
STAMP   := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
FLASK   := $(BIN)/flask --app app
HOST    ?= 127.0.0.1
PORT    ?= 5000
SMTP_DEMO_PORT ?= 8025
export TRAZA_FIRM_NAME ?= Duarte & Asociados Abogados
export TRAZA_FIRM_NIT ?= 900.123.456-7
export TRAZA_FIRM_ADDRESS ?= Calle 93 \# 11-26, oficina 502, Bogotá D.C.

.PHONY: run test bench lint translations messages install ci clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -e ".[dev]"
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP) translations

translations: $(STAMP)
	@$(BIN)/pybabel compile -d translations > /dev/null

# Extract new msgids and merge them into the catalogs (then translate translations/es/…/messages.po).
messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_pgettext:1c,2 -o translations/messages.pot --no-location --sort-output --ignore-dirs=".* __pycache__ bench tests instance" .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --ignore-obsolete

run: install
	$(FLASK) db up
	$(FLASK) demo load --if-empty
	@mkdir -p instance/correo/tmp instance/correo/new instance/correo/cur
	@echo ""
	@echo "Traza sirve en http://$(HOST):$(PORT)"
	@$(FLASK) demo info
	@echo ""
	@echo "Los correos (enlaces de activación, avisos) salen cada 2 s y se guardan en instance/correo/new/ (servidor SMTP local)."
	@echo ""
	@echo "Las tareas programadas (flask jobs run) se ejecutan cada minuto; la última salida, en instance/tareas.log."
	@$(BIN)/python -m aiosmtpd -n -l $(HOST):$(SMTP_DEMO_PORT) -c aiosmtpd.handlers.Mailbox instance/correo & \
	  SMTP_PID=$$!; \
	  export BASE_URL=http://$(HOST):$(PORT) SMTP_HOST=$(HOST) SMTP_PORT=$(SMTP_DEMO_PORT); \
	  ( while :; do $(FLASK) jobs run > instance/tareas.log 2>&1; sleep 60; done ) & \
	  JOBS_PID=$$!; \
	  $(FLASK) mail worker --interval 2 > instance/correo.log 2>&1 & \
	  MAIL_PID=$$!; trap "kill $$SMTP_PID $$JOBS_PID $$MAIL_PID 2>/dev/null" EXIT INT TERM; \
	  $(FLASK) run --host $(HOST) --port $(PORT)

test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache bench/.cache
