# Two entry points for a fresh machine: `make demo` (the main job on the built-in corpus)
# and `make test` (everything CI checks). Both create or reuse .venv.
PY      := .venv/bin/python
BIN     := .venv/bin
STAMP   := .venv/.installed
NBHASH  = find $(1) -name '*.py' -o -name '*.ipynb' | grep -v checkpoints | sort | xargs md5sum | md5sum

.PHONY: install test demo clean-reports

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv .venv
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q torch==2.13.0
	$(PY) -m pip install -q -e '.[dev]'
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	@before=$$($(call NBHASH,nbs)); $(BIN)/nbdev_clean; after=$$($(call NBHASH,nbs)); \
	  if [ "$$before" != "$$after" ]; then echo "nbdev_clean changed notebooks: commit cleaned notebooks"; exit 1; fi
	@before=$$($(call NBHASH,editptr)); $(BIN)/nbdev_export; after=$$($(call NBHASH,editptr)); \
	  if [ "$$before" != "$$after" ]; then echo "nbdev_export changed editptr/: notebooks and library differ"; exit 1; fi
	$(BIN)/nbdev_test --n_workers 2 --timing
	$(BIN)/pytest -q tests/

demo: $(STAMP)
	$(PY) -m editptr.demo
