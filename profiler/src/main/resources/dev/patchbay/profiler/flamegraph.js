// The flame graph's behaviour (FlameGraph.java writes the frames; this lays them out).
// Frames are <g class="f"> with data-x (samples to their left), data-w (their samples),
// data-d (depth), data-n (name) and data-k (kind). Everything is laid out here, from the
// width the page gives the SVG, again on every resize: text stays its size at any width.
// Views: flame (root at the bottom) or icicle (root at the top); click zooms, Reset zoom
// or a click on the root undoes it; Search (or Ctrl+F) highlights frames by regular
// expression, and a pattern that is not one is matched as plain text instead, saying so.
// The URL's fragment can preset both: #q=PATTERN&icicle.
// It sits in a CDATA section, so it must never contain the three characters "]" "]" ">".
(function () {
  var svg = document.getElementById('flamegraph');
  var PAD = 10, FH = 17, TOP = 70, BOTTOM = 30, MIN_W = 320;
  var total = +svg.getAttribute('data-total') || 1;
  var maxDepth = +svg.getAttribute('data-depth') || 0;
  var H = TOP + (maxDepth + 1) * FH + BOTTOM;
  var W = 1200;
  var frames = Array.prototype.slice.call(svg.querySelectorAll('g.f'));
  function el(id) { return document.getElementById(id); }
  var details = el('details'), matched = el('matched'), reset = el('reset'), view = el('view');
  var input = el('q');
  var zoomed = null, icicle = false, query = '';

  function num(g, a) { return +g.getAttribute('data-' + a); }

  function fit(g, r, t) {
    var w = +r.getAttribute('width'), name = g.getAttribute('data-n');
    t.setAttribute('x', +r.getAttribute('x') + 3);
    t.setAttribute('y', +r.getAttribute('y') + FH - 5);
    var chars = Math.floor((w - 6) / 7);
    t.textContent = chars >= name.length ? name : (chars >= 3 ? name.substring(0, chars - 2) + '..' : '');
  }

  function width() {
    var r = svg.getBoundingClientRect();
    var w = r && r.width ? r.width : (window.innerWidth || 1200);
    return Math.max(MIN_W, Math.floor(w));
  }

  function layout() {
    W = width();
    svg.setAttribute('viewBox', '0 0 ' + W + ' ' + H);
    svg.setAttribute('height', H);
    el('background').setAttribute('width', W);
    el('title').setAttribute('x', W / 2);
    el('subtitle').setAttribute('x', W / 2);
    el('search').setAttribute('x', W - PAD);
    view.setAttribute('x', W - PAD - 70);
    matched.setAttribute('x', W - PAD);
    matched.setAttribute('y', H - 10);
    details.setAttribute('y', H - 10);
    var zx = zoomed ? num(zoomed, 'x') : 0, zw = zoomed ? num(zoomed, 'w') : total, zd = zoomed ? num(zoomed, 'd') : 0;
    var scale = (W - 2 * PAD) / zw;
    frames.forEach(function (g) {
      var x = num(g, 'x'), w = num(g, 'w'), d = num(g, 'd');
      var r = g.querySelector('rect'), t = g.querySelector('text');
      var inside = x >= zx && x + w <= zx + zw && d >= zd;
      var ancestor = d < zd && x <= zx && x + w >= zx + zw;
      if (!inside && !ancestor) { g.style.display = 'none'; return; }
      g.style.display = '';
      g.style.opacity = ancestor ? 0.5 : 1;
      r.setAttribute('x', ancestor ? PAD : PAD + (x - zx) * scale);
      r.setAttribute('width', ancestor ? W - 2 * PAD : w * scale);
      r.setAttribute('y', icicle ? TOP + d * FH : H - BOTTOM - (d + 1) * FH);
      fit(g, r, t);
    });
    reset.setAttribute('visibility', zoomed ? 'visible' : 'hidden');
    view.textContent = icicle ? 'Flame' : 'Icicle';
  }

  // A pattern that is not a valid regular expression is matched as text, never thrown.
  function matcher(q) {
    try {
      return { re: new RegExp(q), error: null };
    } catch (e) {
      return { re: new RegExp(q.replace(/[.*+?^${}()|[\]\\\/]/g, '\\$&')), error: e.message };
    }
  }

  function search(q) {
    query = q || '';
    var m = query ? matcher(query) : null, hit = 0, seen = [];
    frames.forEach(function (g) {
      var r = g.querySelector('rect');
      if (!r.hasAttribute('data-fill')) r.setAttribute('data-fill', r.getAttribute('fill'));
      var on = m ? m.re.test(g.getAttribute('data-n')) : false;
      r.setAttribute('fill', on ? 'rgb(230,0,230)' : r.getAttribute('data-fill'));
      if (on) {
        var x = num(g, 'x'), w = num(g, 'w'), covered = false;
        for (var i = 0; i < seen.length; i++) if (x >= seen[i][0] && x + w <= seen[i][0] + seen[i][1]) covered = true;
        if (!covered) { seen.push([x, w]); hit += w; }
      }
    });
    var text = !m ? '' : 'Matched: ' + (100 * hit / total).toFixed(2) + '%';
    if (m && m.error) text = 'Not a regular expression (' + m.error + '); matched as text. ' + text;
    matched.textContent = text;
    if (input && input.value !== query) input.value = query;
  }

  function ask() {
    if (input) { input.focus(); input.select(); return; }
    var q = window.prompt('Search frames (regular expression); empty clears', query);
    if (q !== null) search(q);
  }

  frames.forEach(function (g) {
    g.addEventListener('click', function () { zoomed = num(g, 'd') === 0 ? null : g; layout(); });
    g.addEventListener('mouseover', function () {
      var w = num(g, 'w');
      details.textContent = g.getAttribute('data-n') + ' (' + g.getAttribute('data-k') + '): ' + w + ' samples ('
        + (100 * w / total).toFixed(2) + '%)';
    });
    g.addEventListener('mouseout', function () { details.textContent = ' '; });
  });
  reset.addEventListener('click', function () { zoomed = null; layout(); });
  view.addEventListener('click', function () { icicle = !icicle; layout(); });
  el('search').addEventListener('click', ask);
  if (input) input.addEventListener('input', function () { search(input.value); });
  window.addEventListener('keydown', function (e) {
    if ((e.ctrlKey || e.metaKey) && (e.key === 'f' || e.key === 'F')) { e.preventDefault(); ask(); }
    else if (e.key === 'Escape' && query) { search(''); if (input) input.blur(); }
  });
  window.addEventListener('resize', layout);

  var hash = (window.location && window.location.hash || '').replace(/^#/, '');
  hash.split('&').forEach(function (part) {
    if (part === 'icicle') icicle = true;
    else if (part.indexOf('q=') === 0) query = decodeURIComponent(part.substring(2));
  });
  layout();
  if (query) search(query);
})();
