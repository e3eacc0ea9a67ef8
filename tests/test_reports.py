"""Reports and the Explorer as people see them.

The runbooks (`nbs/train.ipynb`, `evaluate.ipynb`, `explore.ipynb`, `real.ipynb`) are executed with papermill on
their tiny defaults, stripped of widget state and converted to HTML with nbconvert exactly as `make demo` does, and each
page is opened in headless Chromium (Debian's `chromium`, offline, nothing downloaded): every figure the
notebook made must have been drawn (a `.plotly-graph-div` holding plotly's `svg.main-svg` after the scripts
ran), tables must be `<table>`s, and no console error may appear. The Explorer is also checked without a
kernel: one figure object, updated in place, showing the pair that was selected, with JSON-safe data.

Run as a script to check reports made elsewhere: `python tests/test_reports.py reports/*.ipynb` (each notebook
next to its `.html`).
"""
from __future__ import annotations
import json, re, shutil, subprocess, sys, tempfile, time
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
# The same conversion as the `demo` target of the Makefile: widget state dropped (nbconvert would otherwise pick
# the widget view, whose renderer comes from a CDN, and the state holds plotly.js again, 5 MB), then HTML.
STRIP_WIDGET_STATE = ['--ClearMetadataPreprocessor.enabled=True', '--ClearMetadataPreprocessor.clear_cell_metadata=False',
                      *(f'--ClearMetadataPreprocessor.preserve_nb_metadata_mask={k}' for k in ('kernelspec', 'language_info', 'papermill'))]
# No script from a CDN: the reports have no maths (MathJax) and need no require.js (plotly.js is on the page).
OFFLINE_HTML = ['--HTMLExporter.require_js_url=data:text/javascript,', '--HTMLExporter.mathjax_url=data:text/javascript,']
RUNBOOKS = {  # runbook[-case]: (papermill parameters, fewest figures it must make); their tiny fallbacks, built in {tmp}
    'train': ([], 2),                                                          # frame and bar model curves
    'train-bars': (['-p', 'frame_model', 'False', '-p', 'bar_readers', 'pair', '-p', 'bar_relayout', '0.5'], 2),   # bar models alone (as `make demo` trains): a one-way pair, relaid
    'evaluate': (['-p', 'checkpoint', 'none.pt', '-p', 'corpus_dir', 'none', '-p', 'tiny_corpus', '{tmp}/corpus',
                  '-p', 'tiny_save_dir', '{tmp}/model'], 5),
    'evaluate-bars': (['-r', 'checkpoint', '', '-p', 'bar_model', 'none.pt', '-p', 'corpus_dir', 'none', '-p', 'tiny_corpus',
                       '{tmp}/corpus', '-p', 'tiny_save_dir', '{tmp}/model'], 3),   # curves, headline edit, best of 8
    'explore': (['-p', 'corpus_dir', 'none', '-p', 'tiny_dir', '{tmp}/corpus', '-p', 'tiny_tracks', '1', '-p', 'tiny_duration', '12'], 3),
    'real': (['-p', 'bar_model', 'none.pt', '-p', 'corpus_dir', 'none', '-p', 'tiny_corpus', '{tmp}/corpus',
              '-p', 'tiny_save_dir', '{tmp}/model'], 6),                   # 3 songs: analysis and paths each
}
# Put in front of a page: console.error, uncaught errors, failed loads and rejected promises, written into the DOM.
CAPTURE = """<script>(function(){
var errs = [], show = function(){ var p = document.getElementById('__errors');
  if (!p && document.body) { p = document.createElement('pre'); p.id = '__errors'; document.body.appendChild(p); }
  if (p) p.textContent = JSON.stringify(errs); };
var push = function(m){ errs.push(String(m)); show(); };
var ce = console.error; console.error = function(){ push(Array.prototype.join.call(arguments, ' ')); ce.apply(console, arguments); };
window.addEventListener('error', function(e){ push(e.message || ('failed to load ' + (e.target && (e.target.src || e.target.href)))); }, true);
window.addEventListener('unhandledrejection', function(e){ push('unhandled rejection: ' + e.reason); });
document.addEventListener('DOMContentLoaded', show);
})();</script>"""


def chromium() -> str | None:
    "The Chromium (or Chrome) binary, None if there is none."
    for name in ('chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'):
        if shutil.which(name): return shutil.which(name)
    return None


def render(html_file: Path, tmp: Path, budget_ms: int = 20_000) -> tuple[str, str]:
    "(DOM after the page's scripts ran, Chromium's log) of `html_file`, with console errors captured into `#__errors`."
    page = tmp / f'{html_file.stem}.checked.html'
    page.write_text(html_file.read_text().replace('<head>', '<head>' + CAPTURE, 1))
    cmd = [chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--no-first-run', '--mute-audio',
           f'--user-data-dir={tmp / "chromium-profile"}', '--enable-logging=stderr', '--v=0',
           f'--virtual-time-budget={budget_ms}', '--dump-dom', page.as_uri()]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=180)
    assert r.returncode == 0 and '</html>' in r.stdout, f'chromium failed ({r.returncode}): {r.stderr[-2000:]}'
    return r.stdout, r.stderr


def figures_made(nb: dict) -> int:
    "Figures a notebook displayed: plotly outputs, plus the one in each static Explorer view."
    n = 0
    for c in nb['cells']:
        for o in c.get('outputs', []):
            d = o.get('data', {})
            n += 'application/vnd.plotly.v1+json' in d or 'editptr-explorer' in ''.join(d.get('text/html', ''))
    return n


def check_page(ipynb: Path, html_file: Path, tmp: Path, min_figures: int = 1) -> dict:
    "Assert that the HTML of `ipynb` shows every figure drawn, tables as tables, no console errors; returns counts."
    from bs4 import BeautifulSoup
    nb = json.loads(ipynb.read_text())
    made = figures_made(nb)
    assert made >= min_figures, f'{ipynb.name}: {made} figures, expected at least {min_figures}'
    assert 'widgets' not in nb['metadata'], f'{ipynb.name}: widget state saved (nbconvert would show the CDN widget view)'
    html = html_file.read_text()
    assert 'application/vnd.jupyter.widget-state+json' not in html and 'embed-amd' not in html, 'widget manager from a CDN'
    assert not re.findall(r'<script[^>]*src="http', html), f'{html_file.name}: scripts from the network'
    dom, log = render(html_file, tmp)
    soup = BeautifulSoup(dom, 'html.parser')
    divs = soup.select('div.plotly-graph-div')
    drawn = [d for d in divs if d.select_one('svg.main-svg')]
    assert len(divs) == made, f'{html_file.name}: {len(divs)} figure divs for {made} figures (dropped by nbconvert?)'
    assert len(drawn) == made, f'{html_file.name}: {len(drawn)} of {made} figures drawn'
    errors = json.loads(soup.select_one('#__errors').text) if soup.select_one('#__errors') else ['no error capture']
    errors += [l for l in log.splitlines() if 'CONSOLE' in l and ('Uncaught' in l or 'Error' in l)]
    assert not errors, f'{html_file.name}: console errors {errors[:5]}'
    text_tables = [t for t in soup.select('.jp-OutputArea-output pre') if re.search(r'^-{3,}( +-{3,})+$', t.text, re.M)]
    assert not text_tables, f'{html_file.name}: a table printed as text: {text_tables[0].text[:200]}'
    return dict(figures=made, drawn=len(drawn), tables=len(soup.select('.jp-OutputArea-output table')),
                html_bytes=html_file.stat().st_size, ipynb_bytes=ipynb.stat().st_size)


def make_report(name: str, params: list, out: Path) -> tuple[Path, Path]:
    "papermill, widget state stripped, nbconvert to HTML: the `make demo` steps for one runbook, into `out`."
    ipynb = out / f'{name}.ipynb'
    run = lambda *a: subprocess.run([str(BIN / a[0]), *a[1:]], cwd=out, capture_output=True, text=True, timeout=900)
    r = run('papermill', '--no-progress-bar', str(ROOT / 'nbs' / f'{name}.ipynb'), str(ipynb), *params)
    assert r.returncode == 0, f'papermill {name}: {r.stderr[-3000:]}'
    r = run('jupyter', 'nbconvert', '--to', 'notebook', '--inplace', *STRIP_WIDGET_STATE, str(ipynb))
    assert r.returncode == 0, r.stderr[-2000:]
    r = run('jupyter', 'nbconvert', '--to', 'html', *OFFLINE_HTML, str(ipynb))
    assert r.returncode == 0, r.stderr[-2000:]
    assert 'not able to be represented' not in r.stderr, f'nbconvert dropped outputs of {name}: {r.stderr[-2000:]}'
    return ipynb, ipynb.with_suffix('.html')


@pytest.mark.parametrize('name', list(RUNBOOKS))
def test_runbook_report_in_a_browser(name, tmp_path):
    if chromium() is None: pytest.skip('no chromium binary (Debian: apt-get install chromium)')
    params, least = RUNBOOKS[name]
    ipynb, html = make_report(name.split('-')[0], [p.format(tmp=tmp_path) for p in params], tmp_path)
    counts = check_page(ipynb, html, tmp_path, least)
    if name.endswith('-bars'): assert 'no frame model' in html.read_text(), f'{name}: a frame model was trained or evaluated'
    if name == 'train': assert 'bars: two-way' in html.read_text(), f'{name}: the default bar model is not two-way'
    if name == 'train-bars': assert 'bars_reverse: ' in html.read_text() and 'relayout=0.5' in html.read_text(), f'{name}: not the relaid pair asked for'
    if name == 'real': check_real(html)
    print(name, counts)


def check_real(html_file: Path):
    "The songs' players (with the ids their seam links seek) and seam tables are on the page, which says it shows the fallback."
    from bs4 import BeautifulSoup
    soup = BeautifulSoup(html_file.read_text(), 'html.parser')
    assert 'FALLBACK' in soup.text, 'the tiny fallback is not announced'
    ids = {a.get('id') for a in soup.select('audio')}
    assert len(ids) >= 3 * 3 and None not in ids, f'{len(ids)} players (3 songs: raw, true edit, model at least)'
    links = soup.select('table a[onclick]')
    assert links and all(re.search(r"getElementById\('([^']+)'\)", a['onclick'])[1] in ids for a in links), 'a seam link seeks no player'
    assert html_file.stat().st_size < 30e6, f'{html_file.stat().st_size / 1e6:.1f} MB'


def test_explorer_updates_one_figure(tmp_path):
    "Kernel-less: choosing another pair changes the SAME figure object to that pair's path; its JSON has no NaN."
    import numpy as np
    from editptr.corpus import toy_corpus, corpus_infos, pair_paths
    from editptr.viz import Explorer, _path_xy
    import soundfile as sf
    corpus = toy_corpus(tmp_path / 'toy', n_songs=2)
    for n, info in corpus_infos(corpus).items():                 # the toy corpus has no audio: noise as the raw
        wav = pair_paths(corpus, n)['raw_audio']; wav.parent.mkdir(exist_ok=True)
        sf.write(wav, np.random.default_rng(0).uniform(-.1, .1, 96 * 256), 22050)
    ex = Explorer(corpus, full_audio=False)
    fig, names = ex.figure, ex.names
    for other in (names[1], names[-1]):
        ex.select(other); ex.next_seam()
        assert ex.figure is fig and ex.widget.children[1] is fig    # the box on screen holds this very figure
        x, y, _ = _path_xy(ex.pointers, ex.cfg.frames_per_second)
        assert list(fig.data[0].x) == x and list(fig.data[0].y) == y, other
        assert other in fig.layout.title.text
        json.dumps(fig.to_plotly_json(), allow_nan=False, default=lambda a: a.tolist())     # raises on NaN
        state = {k: v for k, v in fig.get_state().items() if k != '_esm'}
        json.dumps(state, allow_nan=False, default=str)
        ex._repr_mimebundle_()                                   # shown again: a new view starts from this pair
        assert list(fig._widget_data[0]['y']) == y


def _toy_with_audio(root: Path) -> Path:
    "The toy corpus (24 short pairs) with noise as each raw's audio, so the Explorer can play it."
    import numpy as np, soundfile as sf
    from editptr.corpus import toy_corpus, corpus_infos, pair_paths
    corpus = toy_corpus(root, n_songs=2)
    for n in corpus_infos(corpus):
        wav = pair_paths(corpus, n)['raw_audio']; wav.parent.mkdir(exist_ok=True)
        sf.write(wav, np.random.default_rng(0).uniform(-.1, .1, 96 * 256), 22050)
    return corpus


def _free_port() -> int:
    import socket
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); return s.getsockname()[1]


class _Page:
    "A page of headless Chromium driven over the DevTools protocol (websocket-client): evaluate JS, keep every event."
    def __init__(self, ws): self.ws, self.id, self.events = ws, 0, []
    def cmd(self, method, **params):
        self.id += 1; self.ws.send(json.dumps(dict(id=self.id, method=method, params=params)))
        while True:
            m = json.loads(self.ws.recv())
            if m.get('id') == self.id: return m.get('result', m)
            self.events.append((time.time(), m))
    def js(self, expr):
        r = self.cmd('Runtime.evaluate', expression=expr, awaitPromise=True, returnByValue=True)
        if 'exceptionDetails' in r: raise RuntimeError(f"{expr}: {r['exceptionDetails'].get('exception', {}).get('description')}")
        return r.get('result', {}).get('value')
    def wait(self, expr, secs=60.0) -> float:
        t = time.time()
        while time.time() - t < secs:
            if self.js(expr) is True: return time.time() - t
            time.sleep(0.05)
        raise TimeoutError(f'{expr} still not true after {secs} s')
    def errors(self) -> list[str]:
        out = []
        for _, m in self.events:
            p = m.get('params', {})
            if m.get('method') == 'Runtime.consoleAPICalled' and p['type'] in ('error', 'assert'):
                out.append(' '.join(str(a.get('value', a.get('description', ''))) for a in p['args']))
            elif m.get('method') == 'Log.entryAdded' and p['entry']['level'] == 'error':
                out.append(f"{p['entry']['text']} {p['entry'].get('url', '')}")
            elif m.get('method') == 'Runtime.exceptionThrown': out.append(p['exceptionDetails'].get('text', 'exception'))
        return out
    def received_bytes(self, since: float) -> int:
        return sum(len(m['params']['response']['payloadData']) for t, m in self.events
                   if t >= since and m.get('method') == 'Network.webSocketFrameReceived')


def test_explorer_in_jupyterlab(tmp_path):
    "JupyterLab in Chromium: choosing a pair and a seam changes the ONE plot on screen, fast, in kilobytes, no errors."
    if chromium() is None: pytest.skip('no chromium binary (Debian: apt-get install chromium)')
    websocket = pytest.importorskip('websocket')
    import nbformat, urllib.request, numpy as np
    from editptr.config import AudioConfig
    from editptr.corpus import corpus_infos
    from editptr.viz import _path_xy
    from editptr.pointers import trim_pointers
    corpus = _toy_with_audio(tmp_path / 'toy')
    first, other = list(corpus_infos(corpus))[0], 'toy001_rearrange'      # the one shown first; one with 3 seams
    y_other = _path_xy(trim_pointers(np.load(corpus / 'pointers' / f'{other}_pointers.npy')), AudioConfig().frames_per_second)[1]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "from editptr.viz import Explorer\nex = Explorer('toy', full_audio=False)\nex")])
    nb.metadata['kernelspec'] = dict(name='python3', display_name='python3', language='python')
    nbformat.write(nb, tmp_path / 'lab.ipynb')
    port, dport, token = _free_port(), _free_port(), 'editptr-test'
    log = open(tmp_path / 'lab.log', 'w')
    lab = subprocess.Popen([str(BIN / 'jupyter'), 'lab', '--no-browser', f'--port={port}', f'--IdentityProvider.token={token}',
                            f'--ServerApp.root_dir={tmp_path}', '--LabApp.expose_app_in_browser=True', '--allow-root'],
                           stdout=log, stderr=subprocess.STDOUT)
    ch = subprocess.Popen([chromium(), '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                           '--disable-component-update', '--disable-sync', '--no-first-run', '--mute-audio', '--window-size=1400,1000',
                           f'--user-data-dir={tmp_path / "chromium-profile"}', f'--remote-debugging-port={dport}', 'about:blank'],
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        tabs = []
        for _ in range(240):
            try:
                urllib.request.urlopen(f'http://127.0.0.1:{port}/api/status?token={token}', timeout=2)
                tabs = json.load(urllib.request.urlopen(f'http://127.0.0.1:{dport}/json', timeout=2)); break
            except Exception: time.sleep(0.25)
        assert tabs, f'JupyterLab or Chromium did not start: {(tmp_path / "lab.log").read_text()[-2000:]}'
        page = _Page(websocket.create_connection([t for t in tabs if t['type'] == 'page'][0]['webSocketDebuggerUrl'],
                                                 timeout=120, suppress_origin=True))
        for d in ('Runtime', 'Log', 'Network'): page.cmd(f'{d}.enable')
        page.cmd('Page.navigate', url=f'http://127.0.0.1:{port}/lab/tree/lab.ipynb?token={token}')
        NB = "Array.from(window.jupyterapp?.shell.widgets('main') ?? []).find(w => w.sessionContext)"
        page.wait(f"{NB}?.sessionContext.session?.kernel?.status === 'idle'", 120)
        page.js(f"window.jupyterapp.shell.activateById({NB}.id)")
        page.js("window.jupyterapp.commands.execute('notebook:run-all-cells')")
        STATUS = "Array.from(document.querySelectorAll('.jp-OutputArea .widget-html-content')).map(e => e.textContent).join(' | ')"
        PLOT, TITLE = "document.querySelectorAll('.jp-OutputArea .js-plotly-plot')", "document.querySelector('.js-plotly-plot .gtitle')?.textContent"
        page.wait(f"{PLOT}.length === 1 && !!document.querySelector('.js-plotly-plot .main-svg')", 120)
        assert first in page.js(TITLE)
        t0 = time.time()                                             # a person picks another pair in the dropdown
        page.js(f"(() => {{ const s = document.querySelector('.widget-dropdown select'); "
                f"s.selectedIndex = Array.from(s.options).findIndex(o => o.textContent.startsWith({json.dumps(other)})); "
                f"s.dispatchEvent(new Event('change', {{bubbles: true}})); }})()")
        try: took = page.wait(f"({TITLE} || '').includes({json.dumps(other)})", 30)
        except TimeoutError as e:
            raise AssertionError(f"{e}; title {page.js(TITLE)!r}, status {page.js(STATUS)!r}, errors {page.errors()[:5]}, "
                                 f"dropdown {page.js('document.querySelector(`.widget-dropdown select`).value')!r}") from None
        assert page.js(f"{PLOT}.length") == 1, 'a second plot appeared'
        shown = page.js("document.querySelector('.js-plotly-plot').data[0].y")
        assert shown == y_other, 'the plot on screen does not show the chosen pair'
        sent = page.received_bytes(t0)
        page.js("Array.from(document.querySelectorAll('.jp-OutputArea button')).find(b => b.textContent.includes('next seam')).click()")
        page.wait("document.querySelector('.js-plotly-plot').data[2].x.length === 1", 30)          # the seam marker
        assert 'seam 1/3' in page.js("document.querySelector('.jp-OutputArea .widget-html-content')?.textContent || ''")
        print(f'pair shown {took:.2f} s after choosing it, {sent / 1e3:.0f} kB received')
        assert took < 1.0 and sent < 300_000, (took, sent)
        errors = page.errors()
        assert not errors, f'console errors in JupyterLab: {errors[:5]}'
    finally:
        for p in (ch, lab): p.terminate()
        for p in (ch, lab): p.wait(timeout=30)
        log.close()


if __name__ == '__main__':                           # check reports made elsewhere, e.g. by `make demo`
    assert chromium(), 'no chromium binary'
    with tempfile.TemporaryDirectory() as d:
        for p in map(Path, sys.argv[1:]): print(p.stem, check_page(p, p.with_suffix('.html'), Path(d)))
