// recoupe report.html: draws the run's data (the JSON in #report-data) into the page.
// Data only ever reaches the page through textContent / setAttribute, never as markup.
(function () {
  'use strict';
  var D = JSON.parse(document.getElementById('report-data').textContent);
  var A = D.articles, C = D.clusters;
  // Pairs are arrays in the data (see html.rs PairData); null means "not measured".
  var P = D.pairs.map(function (r) {
    return { a: r[0], b: r[1], relation: D.relation_names[r[2]], score: r[3], cosine: r[4], rare: r[5],
             jaccard: r[6], gap: r[7], ev: r[8], why: r[9] || null };
  });
  var SVG = 'http://www.w3.org/2000/svg';
  var PAGE = 50;
  var st = { q: '', size: 'all', lang: '', rel: '', source: '', sort: 'size', desc: true, page: 0,
             cluster: -1, left: -1, right: -1 };

  function el(tag, props) {
    var e = document.createElement(tag);
    if (props) {
      for (var k in props) {
        if (!Object.prototype.hasOwnProperty.call(props, k)) continue;
        var v = props[k];
        if (v === undefined || v === null) continue;
        if (k === 'text') e.textContent = v;
        else if (k === 'cls') e.className = v;
        else if (k.slice(0, 2) === 'on') e.addEventListener(k.slice(2), v);
        else e.setAttribute(k, v);
      }
    }
    for (var i = 2; i < arguments.length; i++) add(e, arguments[i]);
    return e;
  }
  function add(parent, child) {
    if (child === undefined || child === null || child === false) return;
    if (Array.isArray(child)) { child.forEach(function (c) { add(parent, c); }); return; }
    parent.appendChild(typeof child === 'object' ? child : document.createTextNode(String(child)));
  }
  function svg(tag, attrs) {
    var e = document.createElementNS(SVG, tag);
    for (var k in attrs) if (Object.prototype.hasOwnProperty.call(attrs, k)) e.setAttribute(k, attrs[k]);
    return e;
  }
  function clear(e) { while (e.firstChild) e.removeChild(e.firstChild); return e; }
  function num(x) { return x === undefined || x === null ? '–' : x.toFixed(3); }
  function badge(r) { return el('span', { cls: 'badge b-' + r, text: r.replace('_', ' ') }); }
  function $(id) { return document.getElementById(id); }
  function few(items, n) { return items.slice(0, n).join(', ') + (items.length > n ? ' +' + (items.length - n) : ''); }
  // ISO dates shown by day (the full values are in the cell's title).
  function day(d) { return /^\d{4}-\d\d-\d\d[T ]/.test(d) ? d.slice(0, 10) : d; }
  function span(first, last) {
    var f = day(first), l = day(last);
    return f === l ? f : f + ' → ' + l;
  }

  // ---- summary, facets --------------------------------------------------------------
  var S = D.summary;
  $('count-clusters').textContent = String(C.length);
  $('count-articles').textContent = String(A.length);
  $('count-rejects').textContent = String(D.rejects.length);

  function facetGroup(title, items, key, limit) {
    var g = el('div', { cls: 'group' }, el('b', { text: title }));
    items.slice(0, limit).forEach(function (it) {
      var chip = el('button', {
        cls: 'chip' + (st[key] === it[0] ? ' on' : ''), type: 'button', 'data-facet': key,
        text: it[0] + ' · ' + it[1],
        onclick: function () { st[key] = st[key] === it[0] ? '' : it[0]; st.page = 0; syncControls(); drawList(); drawFacets(); }
      });
      g.appendChild(chip);
    });
    if (items.length > limit) g.appendChild(el('span', { cls: 'muted', text: '+' + (items.length - limit) + ' more' }));
    return g;
  }
  function drawFacets() {
    var f = clear($('facets'));
    f.appendChild(facetGroup('Languages', S.languages, 'lang', 12));
    if (S.sources.length) f.appendChild(facetGroup('Sources', S.sources, 'source', 10));
    var rels = Object.keys(S.relations).map(function (k) { return [k, S.relations[k]]; })
      .filter(function (r) { return ['copy', 'rewrite', 'same_story'].indexOf(r[0]) >= 0; });
    if (rels.length) f.appendChild(facetGroup('Relations', rels, 'rel', 3));
  }

  // ---- cluster list ------------------------------------------------------------------
  var hay = null;
  function haystacks() {
    if (hay) return hay;
    hay = C.map(function (c) {
      var parts = [c.id];
      c.members.forEach(function (m) { var a = A[m]; parts.push(a.id, a.label, a.source || ''); });
      return parts.join('\n').toLowerCase();
    });
    return hay;
  }
  function relationsOf(c) {
    var n = {};
    c.members.forEach(function (m) { var r = A[m].relation; n[r] = (n[r] || 0) + 1; });
    return n;
  }
  function matches(i) {
    var c = C[i];
    if (st.size === 'multi' && c.size < 2) return false;
    if (st.size === 'single' && c.size !== 1) return false;
    if (st.lang && !c.members.some(function (m) { return (A[m].lang || 'und') === st.lang; })) return false;
    if (st.source && c.sources.indexOf(st.source) < 0) return false;
    if (st.rel && !c.members.some(function (m) { return A[m].relation === st.rel; })) return false;
    if (st.q) {
      var words = st.q.toLowerCase().split(/\s+/).filter(Boolean);
      var h = haystacks()[i];
      for (var w = 0; w < words.length; w++) if (h.indexOf(words[w]) < 0) return false;
    }
    return true;
  }
  var SORTS = {
    size: function (c) { return c.size; },
    id: function (c) { return c.id; },
    top: function (c) { return c.top === undefined ? -Infinity : c.top; },
    date: function (c) { return c.first || ''; },
    sources: function (c) { return c.sources.length; },
    label: function (c) { return A[c.rep].label.toLowerCase(); }
  };
  function ordered() {
    var idx = [];
    for (var i = 0; i < C.length; i++) if (matches(i)) idx.push(i);
    var key = SORTS[st.sort] || SORTS.size;
    var sign = st.desc ? -1 : 1;
    idx.sort(function (x, y) {
      var a = key(C[x]), b = key(C[y]);
      if (a < b) return -sign;
      if (a > b) return sign;
      return x - y;
    });
    return idx;
  }
  var COLS = [
    ['id', 'Cluster', 'id'], ['size', 'Size', 'num'], ['label', 'Representative', ''],
    [null, 'Relations', ''], ['sources', 'Sources', ''], [null, 'Lang', ''], ['date', 'Dates', ''],
    ['top', 'Top score', 'num']
  ];
  function drawHead() {
    var tr = el('tr');
    COLS.forEach(function (col) {
      var th = el('th', { cls: (col[2] === 'num' ? 'num ' : '') + (col[0] ? 'sortable' : ''), text: col[1] });
      if (col[0]) {
        if (st.sort === col[0]) th.className += ' sorted' + (st.desc ? '' : ' asc');
        th.addEventListener('click', function () {
          if (st.sort === col[0]) st.desc = !st.desc;
          else { st.sort = col[0]; st.desc = col[0] === 'size' || col[0] === 'top' || col[0] === 'sources'; }
          st.page = 0; syncControls(); drawList();
        });
      }
      tr.appendChild(th);
    });
    clear($('cluster-table').tHead).appendChild(tr);
  }
  function drawList() {
    drawHead();
    var idx = ordered();
    var pages = Math.max(1, Math.ceil(idx.length / PAGE));
    if (st.page >= pages) st.page = pages - 1;
    var from = st.page * PAGE, to = Math.min(idx.length, from + PAGE);
    var body = clear($('cluster-table').tBodies[0]);
    for (var k = from; k < to; k++) body.appendChild(row(idx[k]));
    var cc = $('cluster-count');
    cc.setAttribute('data-total', String(C.length));
    cc.setAttribute('data-shown', String(idx.length));
    cc.textContent = idx.length === C.length ? '· ' + C.length + (C.length === 1 ? ' cluster' : ' clusters')
      : '· ' + idx.length + ' of ' + C.length + ' clusters match';
    var pager = clear($('pager'));
    pager.appendChild(el('button', { type: 'button', text: '‹ prev', disabled: st.page === 0 ? 'disabled' : null,
      onclick: function () { st.page--; drawList(); } }));
    pager.appendChild(el('span', { text: idx.length ? (from + 1) + '–' + to + ' of ' + idx.length + ' · page ' + (st.page + 1) + '/' + pages : 'no cluster matches' }));
    pager.appendChild(el('button', { type: 'button', text: 'next ›', disabled: st.page >= pages - 1 ? 'disabled' : null,
      onclick: function () { st.page++; drawList(); } }));
  }
  function row(i) {
    var c = C[i], rep = A[c.rep], rels = relationsOf(c);
    var relCell = el('td');
    ['copy', 'rewrite', 'same_story'].forEach(function (r) {
      if (rels[r]) relCell.appendChild(el('span', { cls: 'badge b-' + r, text: rels[r] + ' ' + r.replace('_', ' ') }));
    });
    if (c.size === 1) relCell.appendChild(badge('unique'));
    var dates = c.first ? span(c.first, c.last) : '';
    return el('tr', { 'data-cluster': c.id, cls: i === st.cluster ? 'sel' : null,
      onclick: function () { select(i, -1, -1, true); } },
      el('td', { cls: 'id', text: c.id }), el('td', { cls: 'num', text: String(c.size) }),
      el('td', { cls: 'label', title: rep.id, text: rep.label }), relCell,
      el('td', { text: few(c.sources, 3) }), el('td', { text: few(c.languages, 4) }),
      el('td', { cls: 'date', title: c.first ? c.first + ' → ' + c.last : null, text: dates }),
      el('td', { cls: 'num', text: c.top === undefined ? '' : num(c.top) }));
  }
  function syncControls() {
    $('q').value = st.q; $('size').value = st.size; $('sort').value = st.sort + (st.desc ? '-' : '+');
  }
  function drawControls() {
    var ctl = $('controls');
    ctl.appendChild(el('input', { id: 'q', type: 'search', placeholder: 'filter: id, title, text start, source…',
      oninput: function (e) { st.q = e.target.value; st.page = 0; drawList(); } }));
    var size = el('select', { id: 'size', onchange: function (e) { st.size = e.target.value; st.page = 0; drawList(); } });
    [['all', 'all sizes'], ['multi', '2+ articles'], ['single', 'single articles']].forEach(function (o) {
      size.appendChild(el('option', { value: o[0], text: o[1] }));
    });
    ctl.appendChild(size);
    var sort = el('select', { id: 'sort', onchange: function (e) {
      var v = e.target.value; st.sort = v.slice(0, -1); st.desc = v.slice(-1) === '-'; st.page = 0; drawList(); } });
    [['size-', 'largest first'], ['top-', 'highest pair score'], ['id+', 'cluster id'], ['date+', 'earliest date'],
     ['date-', 'latest date'], ['sources-', 'most sources'], ['label+', 'title A–Z']].forEach(function (o) {
      sort.appendChild(el('option', { value: o[0], text: 'sort: ' + o[1] }));
    });
    ctl.appendChild(sort);
    ctl.appendChild(el('button', { type: 'button', text: 'clear filters', onclick: function () {
      st.q = ''; st.size = 'all'; st.lang = ''; st.rel = ''; st.source = ''; st.page = 0;
      syncControls(); drawFacets(); drawList(); } }));
  }

  // ---- one cluster: members, graph ---------------------------------------------------
  function pairIndex(c, a, b) {
    for (var k = 0; k < c.pairs.length; k++) {
      var p = P[c.pairs[k]];
      if ((p.a === a && p.b === b) || (p.a === b && p.b === a)) return c.pairs[k];
    }
    return -1;
  }
  function bestPair(c) {
    var best = -1;
    c.pairs.forEach(function (k) {
      var p = P[k], b = best < 0 ? null : P[best];
      var key = [p.ev.length ? 1 : 0, p.score], bk = b ? [b.ev.length ? 1 : 0, b.score] : null;
      if (!b || key[0] > bk[0] || (key[0] === bk[0] && key[1] > bk[1])) best = k;
    });
    return best;
  }
  function select(i, left, right, scroll) {
    st.cluster = i;
    var c = C[i];
    if (left < 0 || right < 0) {
      var bp = bestPair(c);
      if (bp >= 0) { left = P[bp].a; right = P[bp].b; }
      else if (c.size > 1) { left = c.rep; right = c.members[0] === c.rep ? c.members[1] : c.members[0]; }
    }
    st.left = left; st.right = right;
    drawDetail(); drawCompare();
    Array.prototype.forEach.call($('cluster-table').tBodies[0].rows, function (r) {
      r.className = r.getAttribute('data-cluster') === c.id ? 'sel' : '';
    });
    var hash = '#cluster=' + encodeURIComponent(c.id);
    if (left >= 0 && right >= 0) hash += '&a=' + encodeURIComponent(A[left].id) + '&b=' + encodeURIComponent(A[right].id);
    try { history.replaceState(null, '', hash); } catch (e) { /* file:// in some browsers */ }
    if (scroll) $('detail').scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
  function drawDetail() {
    var c = C[st.cluster], box = clear($('detail'));
    box.appendChild(el('h2', null, 'Cluster ' + c.id + ' ', el('span', { cls: 'muted', text: '· ' + c.size + (c.size === 1 ? ' article' : ' articles') })));
    var meta = [];
    if (c.sources.length) meta.push('sources: ' + c.sources.join(', '));
    if (c.languages.length) meta.push('languages: ' + c.languages.join(', '));
    if (c.first) meta.push('dates: ' + (c.first === c.last ? c.first : c.first + ' → ' + c.last));
    meta.push(c.pairs.length + ' scored pair' + (c.pairs.length === 1 ? '' : 's'));
    box.appendChild(el('p', { cls: 'meta', text: meta.join(' · ') }));
    if (c.near) {
      // Why this cluster is not part of its closest neighbour.
      var o = C[c.near[0]], avg = c.near[1], thr = c.near[2];
      box.appendChild(el('p', { cls: 'near', id: 'nearest' }, 'Closest other cluster: ',
        el('a', { href: '#cluster=' + encodeURIComponent(o.id), text: o.id, onclick: function (e) {
          e.preventDefault(); select(c.near[0], -1, -1, true); } }),
        ' (' + o.size + (o.size === 1 ? ' article' : ' articles') + '): average story score ' + num(avg) +
        (avg < thr ? ' below the threshold ' + num(thr) + ', so average link kept them apart.'
                   : ' above the threshold ' + num(thr) + ': the event split cut them apart (two events of one kind with names of their own).')));
    }
    var t = el('table', { cls: 'list members' });
    t.appendChild(el('thead', null, el('tr', null, ['#', 'Article', 'Title / first line', 'Source', 'Date', 'Lang',
      'Relation', 'Score', 'Cosine', 'Jaccard', 'Rare', 'Decision', ''].map(function (h, k) {
      return el('th', { cls: k >= 7 && k <= 10 ? 'num' : null, text: h });
    }))));
    var tb = el('tbody');
    c.members.forEach(function (m, k) {
      var a = A[m];
      var cmp = m === c.rep || c.size < 2 ? '' : el('button', { type: 'button', text: 'compare',
        title: 'side by side with the representative',
        onclick: function (e) { e.stopPropagation(); st.left = c.rep; st.right = m; drawCompare(true); } });
      tb.appendChild(el('tr', { 'data-article': a.id },
        el('td', { cls: 'num', text: String(k + 1) }), el('td', { cls: 'id', text: a.id }),
        el('td', { cls: 'label', text: a.label }), el('td', { text: a.source || '' }), el('td', { text: a.date || '' }),
        el('td', { text: (a.lang || 'und') + (a.mixed ? ' (mixed)' : '') }), el('td', null, badge(a.relation)),
        el('td', { cls: 'num', text: num(a.score) }), el('td', { cls: 'num', text: num(a.cosine) }),
        el('td', { cls: 'num', text: num(a.jaccard) }), el('td', { cls: 'num', text: num(a.rare) }),
        el('td', null, badge(a.decision)), el('td', null, cmp)));
    });
    t.appendChild(tb);
    if (c.size > 1) box.appendChild(el('div', { cls: 'detail-top' }, graph(c), explain(c)));
    box.appendChild(el('div', { cls: 'members-wrap' }, t));
  }
  function dot(colour) { return el('i', { cls: 'dot', style: 'background:' + colour }); }
  function explain(c) {
    var T = D.thresholds, n = c.members.length, scores = c.pairs.map(function (k) { return P[k].score; });
    var passages = c.pairs.reduce(function (s, k) { return s + P[k].ev.length; }, 0);
    var mean = scores.length ? scores.reduce(function (a, b) { return a + b; }, 0) / scores.length : null;
    var rels = relationsOf(c);
    var ul = el('ul');
    ul.appendChild(el('li', null, dot(COLOURS.representative), 'representative: the most central member; the others are labelled by their relation to it')); 
    ul.appendChild(el('li', null, dot(COLOURS.copy), 'copy: word-shingle Jaccard ≥ ' + T.copy_jaccard.toFixed(2) + (rels.copy ? ' (' + rels.copy + ' here)' : '')));
    ul.appendChild(el('li', null, dot(COLOURS.rewrite), 'rewrite: Jaccard ≥ ' + T.rewrite_jaccard.toFixed(2) + ' or centred cosine ≥ ' +
      T.rewrite_cosine.toFixed(2) + (rels.rewrite ? ' (' + rels.rewrite + ' here)' : '')));
    ul.appendChild(el('li', null, dot(COLOURS.same_story), 'same story: joined by average link on the story score (threshold ' +
      T.story.toFixed(2) + ' for long texts, lower for short ones)' + (rels.same_story ? ' (' + rels.same_story + ' here)' : '')));
    return el('div', { cls: 'explain' },
      el('p', { text: c.pairs.length + ' of ' + (n * (n - 1) / 2) + ' possible pairs were scored (lines in the graph, width = story score)' +
        (mean === null ? '' : '; mean score ' + num(mean)) + '; ' + passages + ' shared passage' + (passages === 1 ? '' : 's') +
        ' found. Click a line or a node to see two members side by side below.' }), ul);
  }
  var COLOURS = { copy: '#c0392b', rewrite: '#e67e22', same_story: '#2e86c1', representative: '#34495e', unique: '#95a5a6' };
  function graph(c) {
    var W = 300, H = 300, R = 112, cx = W / 2, cy = H / 2 + 6;
    var g = svg('svg', { width: W, height: H, viewBox: '0 0 ' + W + ' ' + H, 'class': 'graph', role: 'img',
      'aria-label': 'similarity graph of ' + c.id });
    var cap = svg('text', { x: 8, y: 14, 'class': 'cap' });
    cap.textContent = 'similarity graph · numbers = rows below';
    g.appendChild(cap);
    if (c.members.length > 80) {
      var t = svg('text', { x: 8, y: 40, 'class': 'cap' });
      t.textContent = 'graph drawn for clusters of up to 80 articles';
      g.appendChild(t);
      return g;
    }
    var pos = {};
    var n = c.members.length;
    c.members.forEach(function (m, k) {
      var ang = -Math.PI / 2 + 2 * Math.PI * k / n;
      pos[m] = [cx + R * Math.cos(ang), cy + R * Math.sin(ang), k];
    });
    c.pairs.forEach(function (k) {
      var p = P[k], a = pos[p.a], b = pos[p.b];
      if (!a || !b) return;
      var w = 1 + 7 * Math.max(0, Math.min(1, p.score));
      var line = svg('line', { x1: a[0], y1: a[1], x2: b[0], y2: b[1], stroke: COLOURS[p.relation] || '#888',
        'stroke-width': w.toFixed(1), 'stroke-opacity': 0.55, 'class': 'edge', 'data-pair': A[p.a].id + ' ' + A[p.b].id });
      var title = svg('title', {});
      title.textContent = (a[2] + 1) + ' – ' + (b[2] + 1) + ': ' + p.relation + ', score ' + num(p.score) +
        ', ' + p.ev.length + ' shared passage' + (p.ev.length === 1 ? '' : 's');
      line.appendChild(title);
      line.addEventListener('click', function () { st.left = p.a; st.right = p.b; drawCompare(true); });
      g.appendChild(line);
    });
    c.members.forEach(function (m) {
      var a = A[m], q = pos[m];
      var node = svg('circle', { cx: q[0], cy: q[1], r: m === c.rep ? 12 : 10, fill: COLOURS[a.relation] || '#888',
        'class': 'node' + (m === c.rep ? ' rep' : '') });
      var title = svg('title', {});
      title.textContent = (q[2] + 1) + '. ' + a.id + ' — ' + a.label + ' (' + a.relation + ')';
      node.appendChild(title);
      node.addEventListener('click', function () {
        if (m !== c.rep) { st.left = c.rep; st.right = m; drawCompare(true); }
      });
      g.appendChild(node);
      var lbl = svg('text', { x: q[0], y: q[1] + 3.5, 'text-anchor': 'middle' });
      lbl.textContent = String(q[2] + 1);
      g.appendChild(lbl);
    });
    return g;
  }

  // ---- side by side ------------------------------------------------------------------
  // Text split at every range boundary; evidence segments become <mark>, removed ones grey.
  function renderText(text, ev, rm) {
    var cuts = [0, text.length];
    ev.forEach(function (r) { cuts.push(r[0], r[1]); });
    rm.forEach(function (r) { cuts.push(r[0], r[1]); });
    cuts = cuts.filter(function (x) { return x >= 0 && x <= text.length; }).sort(function (x, y) { return x - y; });
    var frag = document.createDocumentFragment();
    for (var i = 0; i + 1 < cuts.length; i++) {
      var s = cuts[i], e = cuts[i + 1];
      if (s === e) continue;
      var piece = document.createTextNode(text.slice(s, e));
      var inEv = null, inRm = null;
      for (var k = 0; k < ev.length; k++) if (ev[k][0] <= s && e <= ev[k][1]) { inEv = ev[k]; break; }
      for (var j = 0; j < rm.length; j++) if (rm[j][0] <= s && e <= rm[j][1]) { inRm = rm[j]; break; }
      var node = piece;
      if (inRm) node = el('span', { cls: 'rm', title: 'removed by cleaning: ' + inRm[2] }, node);
      if (inEv) {
        node = el('mark', { cls: 'ev k' + (inEv[2] % 6), 'data-k': String(inEv[2] + 1),
          title: 'shared passage ' + (inEv[2] + 1) + ' · sentence Jaccard ' + num(inEv[3]) }, node);
      }
      frag.appendChild(node);
    }
    return frag;
  }
  function docColumn(i, ev, side) {
    var a = A[i];
    var head = el('div', { cls: 'head' },
      el('span', { cls: 't', text: a.label }),
      el('span', { cls: 'id', text: a.id }), ' · ', a.source || 'no source', ' · ', a.date || 'no date', ' · ',
      (a.lang || 'und'), ' ', badge(a.relation), ' ', badge(a.decision));
    head.appendChild(el('div', { cls: 'muted', text: D.files[a.file] + (a.line === undefined ? '' : ':' + a.line) +
      (a.url ? ' · ' + a.url : '') }));
    var col = el('div', { cls: 'doc', 'data-side': side }, head);
    if (a.x === undefined) {
      col.appendChild(el('div', { cls: 'none', text: 'Text not included in this report (' +
        (C[a.cluster].size === 1 ? 'single-article clusters carry no text' : 'text budget of ' + (D.text_budget_bytes >> 20) + ' MiB reached') + ').' }));
      return col;
    }
    var box = el('div', { cls: 'text' });
    box.appendChild(renderText(D.texts[a.x], ev, a.rm || []));
    col.appendChild(box);
    return col;
  }
  function drawCompare(scroll) {
    var box = clear($('compare'));
    var c = C[st.cluster];
    if (!c || c.size < 2 || st.left < 0 || st.right < 0) return;
    box.appendChild(el('h2', null, 'Side by side ', el('span', { cls: 'muted', text: '· any two members of ' + c.id })));
    var pick = el('div', { cls: 'compare-pick' });
    ['left', 'right'].forEach(function (side) {
      var s = el('select', { id: 'pick-' + side, onchange: function (e) { st[side] = +e.target.value; drawCompare(); } });
      c.members.forEach(function (m, k) {
        var o = el('option', { value: String(m), text: (k + 1) + '. ' + A[m].id + ' — ' + A[m].label });
        if (m === st[side]) o.selected = true;
        s.appendChild(o);
      });
      pick.appendChild(el('label', null, side + ' ', s));
    });
    pick.appendChild(el('button', { type: 'button', text: '⇄ swap', onclick: function () {
      var t = st.left; st.left = st.right; st.right = t; drawCompare(); } }));
    box.appendChild(pick);
    var left = st.left, right = st.right;
    var k = pairIndex(c, left, right);
    var evL = [], evR = [];
    var info = el('div', { cls: 'pairinfo' });
    if (left === right) {
      info.appendChild(el('span', { text: 'the same article on both sides' }));
    } else if (k < 0) {
      info.appendChild(el('span', { text: 'No scored pair between these two: they were joined through other members (average link), so there is no evidence to highlight.' }));
    } else {
      var p = P[k], flip = p.a !== left;
      p.ev.forEach(function (e, n) {
        var l = flip ? [e[2], e[3]] : [e[0], e[1]], r = flip ? [e[0], e[1]] : [e[2], e[3]];
        evL.push([l[0], l[1], n, e[4]]); evR.push([r[0], r[1], n, e[4]]);
      });
      info.appendChild(el('span', null, badge(p.relation)));
      info.appendChild(el('span', { text: 'score ' + num(p.score) }));
      info.appendChild(el('span', { text: 'cosine ' + num(p.cosine) }));
      info.appendChild(el('span', { text: 'jaccard ' + num(p.jaccard) }));
      info.appendChild(el('span', { text: 'rare-token overlap ' + num(p.rare) }));
      if (p.gap !== null && p.gap !== undefined) info.appendChild(el('span', { text: p.gap.toFixed(1) + ' days apart' }));
      info.appendChild(el('span', { id: 'evidence-count', 'data-n': String(p.ev.length),
        text: p.ev.length + ' shared passage' + (p.ev.length === 1 ? '' : 's') }));
    }
    box.appendChild(info);
    if (k >= 0 && left !== right && P[k].why) {
      // Why: the score's parts and the shared names, numbers and words behind the rare part.
      var w = P[k].why;
      var why = el('div', { cls: 'why', id: 'pair-why' });
      why.appendChild(el('span', { text: 'score ' + num(P[k].score) + ' = embedding ' + num(w[0]) +
        ' + rare tokens ' + num(w[1]) + (!w[4] ? '' : w[4] < 0 ? ' − shared neighbours ' + num(-w[4]) : ' + shared neighbours ' + num(w[4])) +
        (w[2] > 0 ? ' − dates ' + num(w[2]) : '') }));
      if (w[3].length) {
        why.appendChild(el('span', { text: ' · shared: ' }));
        w[3].forEach(function (t, n) {
          why.appendChild(el('span', { cls: 'term term-' + t[1], title: t[1] + ', ' + num(t[2]) + ' of the score',
            text: t[0] + (n + 1 < w[3].length ? ',' : '') }));
        });
      }
      box.appendChild(why);
    }
    box.appendChild(el('div', { cls: 'keyline' }, el('mark', { text: 'highlighted' }),
      ': shared passages (same colour and number on both sides; hover to pair them, click to scroll the other side) · ',
      el('span', { cls: 'rm', text: 'struck' }), ': removed by cleaning'));
    var cols = el('div', { cls: 'cols' }, docColumn(left, evL, 'left'), docColumn(right, evR, 'right'));
    box.appendChild(cols);
    cols.addEventListener('mouseover', function (e) { hot(cols, e.target, true); });
    cols.addEventListener('mouseout', function (e) { hot(cols, e.target, false); });
    cols.addEventListener('click', function (e) {
      var m = e.target.closest ? e.target.closest('mark.ev') : null;
      if (!m) return;
      var side = m.closest('.doc').getAttribute('data-side');
      var other = cols.querySelector('.doc[data-side="' + (side === 'left' ? 'right' : 'left') + '"] mark.ev[data-k="' + m.getAttribute('data-k') + '"]');
      if (other) other.scrollIntoView({ behavior: 'smooth', block: 'center' });
    });
    if (scroll) box.scrollIntoView({ behavior: 'smooth', block: 'start' });
  }
  function hot(cols, target, on) {
    var m = target.closest ? target.closest('mark.ev') : null;
    if (!m) return;
    cols.querySelectorAll('mark.ev[data-k="' + m.getAttribute('data-k') + '"]').forEach(function (x) {
      x.classList.toggle('hot', on);
    });
  }

  // ---- rejects -----------------------------------------------------------------------
  function drawRejects() {
    var R = D.rejects;
    var rc = $('reject-count');
    rc.setAttribute('data-total', String(R.length));
    rc.textContent = '· ' + R.length;
    var box = clear($('reject-list'));
    if (!R.length) { box.appendChild(el('p', { cls: 'meta', text: 'No record was rejected.' })); return; }
    var t = el('table', { cls: 'list' });
    t.appendChild(el('thead', null, el('tr', null, ['File', 'Line', 'Id', 'Reason'].map(function (h) { return el('th', { text: h }); }))));
    var tb = el('tbody');
    t.appendChild(tb);
    var shown = 0;
    function more() {
      var to = Math.min(R.length, shown + 200);
      for (; shown < to; shown++) {
        var r = R[shown];
        tb.appendChild(el('tr', null, el('td', { text: r.file }), el('td', { cls: 'num', text: r.line === undefined ? '' : String(r.line) }),
          el('td', { cls: 'id', text: r.id === undefined ? '' : r.id }), el('td', { text: r.reason })));
      }
      btn.disabled = shown >= R.length;
      btn.textContent = shown >= R.length ? 'all ' + R.length + ' shown' : 'show more (' + (R.length - shown) + ' left)';
    }
    var btn = el('button', { type: 'button', onclick: more });
    box.appendChild(t);
    box.appendChild(el('div', { cls: 'pager' }, btn));
    more();
  }

  // ---- start -------------------------------------------------------------------------
  drawControls();
  syncControls();
  drawFacets();
  drawList();
  drawRejects();
  if (D.texts_omitted) {
    $('clusters').insertBefore(el('p', { cls: 'warn', text: D.texts_omitted + ' articles of multi-article clusters are listed without their text (report text budget of ' + (D.text_budget_bytes >> 20) + ' MiB).' }), $('controls'));
  }
  var h = {};
  location.hash.replace(/^#/, '').split('&').forEach(function (kv) {
    var k = kv.indexOf('=');
    if (k > 0) h[kv.slice(0, k)] = decodeURIComponent(kv.slice(k + 1));
  });
  var start = -1;
  if (h.cluster) for (var i = 0; i < C.length; i++) if (C[i].id === h.cluster) { start = i; break; }
  if (start < 0) { var o = ordered(); if (o.length && C[o[0]].size > 1) start = o[0]; }
  if (start >= 0) {
    var byId = function (id) { for (var j = 0; j < C[start].members.length; j++) if (A[C[start].members[j]].id === id) return C[start].members[j]; return -1; };
    select(start, h.a ? byId(h.a) : -1, h.b ? byId(h.b) : -1, false);
  }
})();
