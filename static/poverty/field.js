/* 扶贫走访, the offline visit app (households/field.py).

   The page works the same with or without a connection: the households come from the service
   worker's copy when offline; a visit is first written to this phone's IndexedDB queue (with
   its photo, shrunk here, the time and the position), then sent in the order recorded whenever
   the connection is there. Each carries the id given here, so a resend never makes a second
   visit, and the household's version read here, so the server flags a visit of a household
   changed meanwhile. Only the signed-in user's own queued visits are sent. */
(function () {
  'use strict';
  var body = document.body;
  if (!body.hasAttribute('data-field-app')) { return; }
  var URLS = {
    sw: body.dataset.sw, scope: body.dataset.scope, session: body.dataset.session,
    households: body.dataset.households, upload: body.dataset.upload, login: body.dataset.login
  };
  var MAX_SIDE = 1600;
  var state = { user: null, csrf: null, households: [], geo: null, syncing: false };

  function $(id) { return document.getElementById(id); }

  // --- the queue (IndexedDB) -----------------------------------------------------------------
  var dbPromise = new Promise(function (resolve, reject) {
    var open = indexedDB.open('field', 1);
    open.onupgradeneeded = function () { open.result.createObjectStore('queue', { keyPath: 'client_id' }); };
    open.onsuccess = function () { resolve(open.result); };
    open.onerror = function () { reject(open.error); };
  });

  function store(mode) {
    return dbPromise.then(function (db) { return db.transaction('queue', mode).objectStore('queue'); });
  }
  function done(request) {
    return new Promise(function (resolve, reject) {
      request.onsuccess = function () { resolve(request.result); };
      request.onerror = function () { reject(request.error); };
    });
  }
  function queued() {
    return store('readonly').then(function (s) { return done(s.getAll()); }).then(function (items) {
      return items.sort(function (a, b) { return a.queued_at - b.queued_at; });
    });
  }
  function put(item) { return store('readwrite').then(function (s) { return done(s.put(item)); }); }
  function remove(id) { return store('readwrite').then(function (s) { return done(s.delete(id)); }); }

  function newId() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40; b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join('');
    return h.slice(0, 8) + '-' + h.slice(8, 12) + '-' + h.slice(12, 16) + '-' + h.slice(16, 20) + '-' + h.slice(20);
  }

  // --- what the page shows -------------------------------------------------------------------
  function note(text, kind, link) {
    var div = document.createElement('div');
    div.className = 'alert alert-' + (kind || 'info') + ' py-2';
    div.textContent = text;
    if (link) {
      var a = document.createElement('a');
      a.href = link; a.textContent = ' 查看'; a.className = 'alert-link';
      div.appendChild(a);
    }
    $('notes').prepend(div);
  }

  function time(iso) {
    if (!iso) { return '—'; }
    var d = new Date(iso);
    return (d.getMonth() + 1) + '月' + d.getDate() + '日 ' + String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  function showQueue() {
    return queued().then(function (items) {
      var mine = items.filter(function (i) { return state.user === null || i.user === state.user; });
      $('queue-count').textContent = String(mine.length);
      $('last-sync').textContent = time(localStorage.getItem('field-last-sync'));
      $('network').textContent = navigator.onLine ? '在线' : '离线';
      var list = $('queue');
      list.textContent = '';
      items.forEach(function (item) {
        var li = document.createElement('li');
        li.className = 'list-group-item' + (item.error ? ' list-group-item-danger' : '');
        li.dataset.clientId = item.client_id;
        var other = state.user !== null && item.user !== state.user;
        li.textContent = item.household_code + ' · ' + item.visited_on + ' · 记录于' + time(item.recorded_at) +
          (other ? '（其他账号的记录，需该账号登录后发送）' : '') + (item.error ? '：' + item.error : '');
        if (item.error) {
          var drop = document.createElement('button');
          drop.type = 'button'; drop.className = 'btn btn-sm btn-link'; drop.textContent = '删除此条';
          drop.addEventListener('click', function () { remove(item.client_id).then(showQueue); });
          li.appendChild(drop);
        }
        list.appendChild(li);
      });
      if (!items.length) {
        var empty = document.createElement('li');
        empty.className = 'list-group-item text-muted'; empty.textContent = '没有待发送的走访。';
        list.appendChild(empty);
      }
    });
  }

  function showHouseholds() {
    var q = $('household-filter').value.trim();
    var list = $('household-list');
    list.textContent = '';
    var shown = state.households.filter(function (h) {
      return !q || h.code.indexOf(q) >= 0 || (h.head || '').indexOf(q) >= 0;
    }).slice(0, 50);
    shown.forEach(function (h) {
      var a = document.createElement('button');
      a.type = 'button';
      a.className = 'list-group-item list-group-item-action d-flex justify-content-between';
      a.dataset.household = h.id;
      var name = document.createElement('span');
      name.textContent = h.code + ' ' + (h.head || '') + ' · ' + h.village;
      a.appendChild(name);
      if (h.mine) {
        var badge = document.createElement('span');
        badge.className = 'badge text-bg-primary align-self-center'; badge.textContent = '本人结对';
        a.appendChild(badge);
      }
      a.addEventListener('click', function () { openForm(h); });
      list.appendChild(a);
    });
    $('households-info').textContent = '共' + state.households.length + '户';
  }

  // --- recording a visit ---------------------------------------------------------------------
  function today() {
    var d = new Date();
    return d.getFullYear() + '-' + String(d.getMonth() + 1).padStart(2, '0') + '-' + String(d.getDate()).padStart(2, '0');
  }

  function openForm(h) {
    var form = $('visit-form');
    form.reset();
    form.elements.household.value = h.id;
    form.elements.household_version.value = h.version;
    form.elements.visited_on.value = today();
    form.dataset.code = h.code;
    $('visit-household').textContent = h.code + ' ' + (h.head || '');
    $('picker').classList.add('d-none');
    form.classList.remove('d-none');
    state.geo = null;
    var status = $('geo-status');
    if (!navigator.geolocation) { status.textContent = '此手机不能定位，走访将不附位置。'; return; }
    status.textContent = '正在获取位置…';
    navigator.geolocation.getCurrentPosition(function (pos) {
      state.geo = pos.coords;
      status.textContent = '已获取位置（精度约' + Math.round(pos.coords.accuracy) + '米）。';
    }, function () {
      status.textContent = '未获取位置（未允许定位或信号弱），走访将不附位置。';
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }

  function closeForm() {
    $('visit-form').classList.add('d-none');
    $('picker').classList.remove('d-none');
  }

  function shrink(file) {
    // A photo of at most MAX_SIDE pixels on its longer side, as JPEG.
    if (!file) { return Promise.resolve(null); }
    if (!window.createImageBitmap) { return Promise.resolve(file); }
    return createImageBitmap(file).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement('canvas');
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext('2d').drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      return new Promise(function (resolve) { canvas.toBlob(resolve, 'image/jpeg', 0.85); });
    }).catch(function () { return file; });
  }

  function record(event) {
    event.preventDefault();
    var form = $('visit-form');
    var f = form.elements;
    if (!f.findings.value.trim()) {
      f.findings.classList.add('is-invalid');
      f.findings.focus();
      return;
    }
    f.findings.classList.remove('is-invalid');
    if (state.user === null) { note('尚未确认登录账号，请联网登录一次后再记录。', 'warning'); return; }
    var button = form.querySelector('[type=submit]');
    button.disabled = true;
    shrink(f.photo.files[0]).then(function (photo) {
      var item = {
        client_id: newId(), user: state.user, queued_at: Date.now(),
        household: f.household.value, household_code: form.dataset.code,
        household_version: f.household_version.value, visited_on: f.visited_on.value,
        findings: f.findings.value, problems: f.problems.value, follow_up: f.follow_up.value,
        follow_up_due: f.follow_up_due.value, recorded_at: new Date().toISOString(),
        latitude: state.geo ? state.geo.latitude.toFixed(6) : '',
        longitude: state.geo ? state.geo.longitude.toFixed(6) : '',
        accuracy: state.geo ? String(Math.round(state.geo.accuracy)) : '',
        photo: photo, error: null
      };
      return put(item);
    }).then(function () {
      note('已保存到手机，' + (navigator.onLine ? '正在发送。' : '有信号后自动发送。'), 'success');
      closeForm();
      return showQueue();
    }).then(sync).finally(function () { button.disabled = false; });
  }

  // --- sending ---------------------------------------------------------------------------------
  function session() {
    return fetch(URLS.session, { credentials: 'same-origin', cache: 'no-store' }).then(function (r) {
      if (r.status === 403) { return { user: null, signedOut: true }; }
      if (!r.ok) { throw new Error('offline'); }
      return r.json();
    });
  }

  function send(item) {
    var data = new FormData();
    ['client_id', 'household', 'household_version', 'visited_on', 'findings', 'problems', 'follow_up',
      'follow_up_due', 'recorded_at', 'latitude', 'longitude', 'accuracy'].forEach(function (k) {
      data.append(k, item[k] || '');
    });
    if (item.photo) { data.append('photo', item.photo, 'visit.jpg'); }
    return fetch(URLS.upload, {
      method: 'POST', body: data, credentials: 'same-origin',
      headers: { 'X-CSRFToken': state.csrf }, redirect: 'manual'
    });
  }

  function explain(answer) {
    var parts = [answer.message || '未保存'];
    Object.keys(answer.errors || {}).forEach(function (k) { parts = parts.concat(answer.errors[k]); });
    return parts.join(' ');
  }

  function sync() {
    if (state.syncing) { return Promise.resolve(); }
    state.syncing = true;
    return session().then(function (who) {
      $('network').textContent = '在线';
      if (!who.user) {
        var msg = $('session-message');
        msg.textContent = '登录已失效：走访仍保存在手机上，请重新登录后发送。';
        var a = document.createElement('a'); a.href = URLS.login; a.textContent = ' 去登录'; a.className = 'alert-link';
        msg.appendChild(a);
        msg.classList.remove('d-none');
        return;
      }
      $('session-message').classList.add('d-none');
      state.user = who.user; state.csrf = who.csrf;
      return queued().then(function (items) {
        var mine = items.filter(function (i) { return i.user === state.user && !i.error; });
        // In the order recorded, one at a time; a network failure stops the round.
        return mine.reduce(function (chain, item) {
          return chain.then(function () {
            return send(item).then(function (response) {
              return response.json().catch(function () { return {}; }).then(function (answer) {
                if (response.status === 201 || response.status === 200) {
                  if (answer.needs_review) {
                    note(item.household_code + '的走访已保存；该户信息在离线期间有变更，请核对。', 'warning', answer.url);
                  }
                  return remove(item.client_id);
                }
                if (response.status === 400 || response.status === 409) {
                  item.error = explain(answer);
                  return put(item);
                }
                throw new Error('stop');  // signed out meanwhile, or the server is unwell: later
              });
            });
          });
        }, Promise.resolve()).then(function () {
          localStorage.setItem('field-last-sync', new Date().toISOString());
        });
      });
    }).catch(function () {
      $('network').textContent = '离线';
    }).then(function () {
      state.syncing = false;
      return showQueue();
    });
  }

  // --- start -----------------------------------------------------------------------------------
  function loadHouseholds() {
    return fetch(URLS.households, { credentials: 'same-origin', redirect: 'follow' }).then(function (r) {
      if (!r.ok || r.redirected) { throw new Error('signed out'); }
      return r.json();
    }).then(function (answer) {
      state.households = answer.households;
      if (state.user === null) { state.user = answer.user; }  // offline: the list's own user
      showHouseholds();
    }).catch(function () {
      $('households-info').textContent = '（户列表不可用：请联网登录一次）';
    });
  }

  function start() {
    if ('serviceWorker' in navigator) {
      navigator.serviceWorker.register(URLS.sw, { scope: URLS.scope }).catch(function () {});
    }
    $('household-filter').addEventListener('input', showHouseholds);
    $('visit-form').addEventListener('submit', record);
    $('visit-cancel').addEventListener('click', closeForm);
    window.addEventListener('online', sync);
    window.addEventListener('offline', showQueue);
    setInterval(function () { if (navigator.onLine) { sync(); } }, 20000);
    session().then(function (who) { if (who.user) { state.user = who.user; state.csrf = who.csrf; } })
      .catch(function () {})
      .then(loadHouseholds)
      .then(showQueue)
      .then(sync);
  }
  start();
})();
