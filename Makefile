# Two entry points for a fresh machine: `make demo` (the main job on the built-in corpus)
# and `make test` (everything CI checks). Both create or reuse .venv.
PY      := .venv/bin/python
BIN     := .venv/bin
STAMP   := .venv/.installed
NBHASH  = find $(1) -name '*.py' -o -name '*.ipynb' | grep -v checkpoints | sort | xargs md5sum | md5sum

.PHONY: install test demo readme

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
	$(PY) -c 'from editptr.align import warm_up; warm_up()'  # numba kernels compiled once, before parallel workers
	$(BIN)/nbdev_test --n_workers 2 --timing
	$(BIN)/pytest -q tests/

# The demo: default synthetic corpus -> train -> evaluate -> explore, as executed notebooks + HTML.
DEMO_CORPUS := data/synth
DEMO_BAR_CORPUS := data/synth_bars
DEMO_MODEL  := models/pointer_network
# The demo trains and evaluates the bar model, the one that edits whole songs (the frame model scores 0.00 there,
# and on 2 cores its training and evaluation alone take over 20 minutes): one network that reads songs both ways
# (its checkpoint is both readers); settings: PRESETS['demo']['bars'].
DEMO_TRAIN  := -p preset demo -p corpus_dir $(DEMO_CORPUS) -p build_corpus False -p save_dir $(DEMO_MODEL) \
	-p frame_model False -p bar_corpora $(DEMO_BAR_CORPUS) -p threads 2 -p overwrite True
PAPERMILL   := $(BIN)/papermill --no-progress-bar --log-output

# Whole songs (90-240 s each, the generator's full forms): 40 songs, 32 / 4 / 4 for train / val / test.
$(DEMO_CORPUS)/corpus.json: $(STAMP)
	$(BIN)/editptr-data synth --out $(DEMO_CORPUS) --tracks 40 --jobs 2

# More whole songs for the bar model, without audio (it reads mel and beats): other seeds, so no song of the demo corpus.
$(DEMO_BAR_CORPUS)/corpus.json: $(STAMP)
	$(BIN)/editptr-data synth --out $(DEMO_BAR_CORPUS) --tracks 200 --seed 1 --no-audio --jobs 2

demo: $(DEMO_CORPUS)/corpus.json $(DEMO_BAR_CORPUS)/corpus.json
	mkdir -p reports
	$(PAPERMILL) nbs/train.ipynb reports/train.ipynb $(DEMO_TRAIN)
	$(PAPERMILL) nbs/evaluate.ipynb reports/evaluate.ipynb -r checkpoint '' \
	  -p bar_model $(DEMO_MODEL)/bars/best.pt \
	  -p corpus_dir $(DEMO_CORPUS) -p max_items 8 -p samples 8
	$(PAPERMILL) nbs/explore.ipynb reports/explore.ipynb -p corpus_dir $(DEMO_CORPUS)
# Reports keep no widget state (nbconvert would show the widget view, whose renderer comes from a CDN, not the
# Explorer's static view; and it holds plotly.js again) and load no script from a CDN (no maths, no require.js):
# they read offline. tests/test_reports.py converts the same way and checks the pages in Chromium.
	$(BIN)/jupyter nbconvert --to notebook --inplace --ClearMetadataPreprocessor.enabled=True \
	  --ClearMetadataPreprocessor.clear_cell_metadata=False --ClearMetadataPreprocessor.preserve_nb_metadata_mask=kernelspec \
	  --ClearMetadataPreprocessor.preserve_nb_metadata_mask=language_info --ClearMetadataPreprocessor.preserve_nb_metadata_mask=papermill \
	  reports/train.ipynb reports/evaluate.ipynb reports/explore.ipynb
	$(BIN)/jupyter nbconvert --to html --HTMLExporter.require_js_url=data:text/javascript, \
	  --HTMLExporter.mathjax_url=data:text/javascript, reports/train.ipynb reports/evaluate.ipynb reports/explore.ipynb
	@echo "reports written: reports/{train,evaluate,explore}.{ipynb,html}"

# README.md is generated from nbs/index.ipynb
readme: $(STAMP)
	$(BIN)/jupyter nbconvert --to markdown nbs/index.ipynb --output-dir . --output README

# A real-music corpus from Debian's freely licensed game soundtracks (root, Debian archive): bench/real_corpus.sh
.PHONY: real-corpus
real-corpus: $(STAMP)
	bash bench/real_corpus.sh

# The default bar-model recipe in 3 000 steps (about 25 minutes on 2 cores), then evaluated: bench/real_cpu_run.sh
.PHONY: real-cpu-run
real-cpu-run: $(STAMP)
	bash bench/real_cpu_run.sh
