// vidlabel live dashboard: no framework, no build step, nothing fetched but this service's own API.
// Data arrives as server-sent events from /api/dashboard/events: a snapshot, then changes.
'use strict';

(function () {
  const tilesEl = document.getElementById('tiles');
  const reviewsEl = document.getElementById('reviews');
  const state = { model: { labels: [] }, tiles: new Map(), reviews: [] };
  // Review items labelled in this browser stay hidden after a reload or a reconnect's snapshot.
  const done = new Set(JSON.parse(localStorage.getItem('vidlabel.reviewed') || '[]'));

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'class') e.className = v;
      else if (k.startsWith('data-')) e.setAttribute(k, v);
      else e[k] = v;
    }
    for (const c of children) if (c != null) e.append(c);
    return e;
  }

  function pct(score) { return (100 * score).toFixed(0) + '%'; }

  function setState(s, text) {
    document.body.dataset.state = s;
    document.getElementById('connection').textContent = text || s;
  }

  function renderModel() {
    const m = state.model;
    document.getElementById('model').textContent = m.name ? 'model: ' + m.name + '/' + m.version : 'model: -';
  }

  // ---- tiles ---------------------------------------------------------------------------------

  function sparkline(points) {
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('viewBox', '0 0 120 40');
    svg.setAttribute('preserveAspectRatio', 'none');
    const title = document.createElementNS(ns, 'title');
    title.textContent = 'top-1 confidence of the last ' + points.length + ' classified frames; dashed: review threshold';
    svg.append(title);
    const threshold = state.model.reviewThreshold;
    if (threshold > 0) {
      // frames below this line are sent for review
      const y = (38 - 36 * threshold).toFixed(1);
      const line = document.createElementNS(ns, 'line');
      line.setAttribute('x1', 0); line.setAttribute('x2', 120); line.setAttribute('y1', y); line.setAttribute('y2', y);
      svg.append(line);
    }
    if (points.length > 0) {
      const step = points.length > 1 ? 120 / (points.length - 1) : 0;
      const line = document.createElementNS(ns, 'polyline');
      line.setAttribute('points', points.map((p, i) => (i * step).toFixed(1) + ',' + (38 - 36 * p).toFixed(1)).join(' '));
      svg.append(line);
    }
    return svg;
  }

  function renderTile(t) {
    const labels = t.labels || t.frameLabels || [];
    const thumb = t.thumbnail
      ? el('img', { class: 'thumb', src: 'data:image/jpeg;base64,' + t.thumbnail, alt: 'latest frame of ' + t.stream })
      : el('div', { class: 'thumb none' }, 'no thumbnail');
    const best = t.label != null ? t.label : (labels[0] && labels[0].name);
    const bestScore = t.score != null ? t.score : (labels[0] && labels[0].score);
    const list = el('ul', { class: 'labels' },
      ...labels.map(l => el('li', { 'data-label': l.name }, el('span', {}, l.name),
        el('span', { class: 'bar' }, el('span', { style: '' })), el('span', {}, pct(l.score)))));
    list.querySelectorAll('.bar > span').forEach((b, i) => { b.style.width = pct(labels[i].score); });
    return el('div', { class: 'tile', 'data-stream': t.stream },
      thumb,
      el('h3', {}, t.stream),
      el('div', {}, el('span', { class: 'label' }, best || '-'), el('span', { class: 'score' }, bestScore != null ? bestScore.toFixed(2) : '')),
      list,
      sparkline(t.spark || []),
      el('div', { class: 'meta' },
        el('span', { class: 'version' }, 'model ' + (t.model || '-') + '/' + (t.modelVersion || '-')),
        el('span', { class: 'fps' }, (t.fps || 0).toFixed(1) + ' frames/s'),
        t.segment != null ? el('span', { class: 'segment' }, 'segment ' + t.segment + ' (' + t.framesClassified + ' of ' + t.framesDecoded + ' frames)') : null));
  }

  function renderTiles() {
    if (state.tiles.size === 0) return;
    const existing = new Map([...tilesEl.querySelectorAll('.tile')].map(e => [e.dataset.stream, e]));
    tilesEl.querySelectorAll('.empty').forEach(e => e.remove());
    const names = [...state.tiles.keys()].sort();
    names.forEach((name, i) => {
      const fresh = renderTile(state.tiles.get(name));
      const old = existing.get(name);
      if (old) old.replaceWith(fresh); else tilesEl.append(fresh);
    });
    // keep stream order stable
    names.forEach(name => tilesEl.append(tilesEl.querySelector('.tile[data-stream="' + CSS.escape(name) + '"]')));
  }

  function updateTiles(list) {
    for (const t of list) state.tiles.set(t.stream, t);
    renderTiles();
  }

  // ---- review queue ----------------------------------------------------------------------------

  function renderReview(item) {
    const guess = item.labels && item.labels[0] ? item.labels[0].name : null;
    const what = el('div', { class: 'what' },
      el('b', {}, item.stream), ' segment ' + item.segment + ', frame ' + item.frame + ' (' + item.model + '/' + item.modelVersion + '): ',
      (item.labels || []).map(l => l.name + ' ' + l.score.toFixed(2)).join(', '));
    const buttons = el('div', { class: 'buttons' },
      ...state.model.labels.map(name => {
        const b = el('button', { type: 'button', class: name === guess ? 'guess' : '', 'data-label': name, textContent: name });
        b.addEventListener('click', () => sendLabel(item, name, node));
        return b;
      }));
    const node = el('div', { class: 'review', 'data-id': item.id, 'data-stream': item.stream },
      el('img', { src: 'data:image/png;base64,' + item.image, alt: 'frame to review' }), what, buttons);
    return node;
  }

  function renderReviews() {
    // Items being answered right now stay as they are until their result shows.
    const keep = new Map([...reviewsEl.querySelectorAll('.review.sent')].map(e => [e.dataset.id, e]));
    const pending = state.reviews.filter(r => !done.has(r.id) && !keep.has(r.id));
    document.getElementById('review-count').textContent = pending.length;
    reviewsEl.replaceChildren(...[...keep.values()], ...pending.map(renderReview));
    if (pending.length === 0 && keep.size === 0) reviewsEl.append(el('p', { class: 'empty' }, 'Nothing to review.'));
  }

  async function sendLabel(item, label, node) {
    node.classList.add('sent');
    node.querySelectorAll('button').forEach(b => { b.disabled = true; });
    const result = el('div', { class: 'result' }, 'sending ' + label + ' ...');
    node.append(result);
    try {
      const response = await fetch('api/feedback', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ label: label, image: item.image, stream: item.stream, source: 'dashboard' })
      });
      const body = await response.json().catch(() => ({}));
      if (response.status !== 202) throw new Error(body.error || ('HTTP ' + response.status));
      result.textContent = 'sent to ' + (body.topic || 'video.feedback') + ' as ' + label;
      node.dataset.sent = label;
      done.add(item.id);
      localStorage.setItem('vidlabel.reviewed', JSON.stringify([...done].slice(-500)));
      document.getElementById('review-count').textContent = state.reviews.filter(r => !done.has(r.id)).length;
      setTimeout(() => node.remove(), 4000);
    } catch (e) {
      result.textContent = 'not sent: ' + e.message;
      result.classList.add('error');
      node.classList.remove('sent');
      node.querySelectorAll('button').forEach(b => { b.disabled = false; });
    }
  }

  // ---- events ----------------------------------------------------------------------------------

  function connect() {
    const source = new EventSource('api/dashboard/events');
    source.addEventListener('snapshot', e => {
      const s = JSON.parse(e.data);
      state.model = Object.assign({ labels: [] }, s.model);
      state.tiles = new Map(s.tiles.map(t => [t.stream, t]));
      state.reviews = s.reviews;
      renderModel();
      tilesEl.replaceChildren();
      if (state.tiles.size === 0) {
        tilesEl.append(el('p', { class: 'empty' }, 'No stream has been classified yet. Publish some video to video.segments.'));
      }
      renderTiles();
      renderReviews();
      setState('live');
    });
    source.addEventListener('tiles', e => updateTiles(JSON.parse(e.data)));
    source.addEventListener('model', e => {
      state.model = Object.assign({ labels: [] }, JSON.parse(e.data));
      renderModel();
      renderTiles();
      renderReviews();
    });
    source.addEventListener('review', e => {
      const item = JSON.parse(e.data);
      if (state.reviews.some(r => r.id === item.id)) return; // a restarted feed reads its history again
      state.reviews.unshift(item);
      state.reviews.length = Math.min(state.reviews.length, 100);
      renderReviews();
    });
    source.addEventListener('status', e => setState('waiting', JSON.parse(e.data).message));
    source.onerror = () => { if (document.body.dataset.state !== 'waiting') setState('reconnecting'); };
  }

  connect();
})();
