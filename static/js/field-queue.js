// The field view without signal (README, "Offline field view").
// - Registers the service worker (/sw.js), which keeps the field pages for offline use.
// - The visit form is saved in this phone's IndexedDB first (one idempotency token per visit, photos as
//   Blobs), then sent in the order recorded through the same form the page posts without JavaScript; the
//   same token every retry, so the server records each visit once (visits/services.py visit_record).
// - Sending starts whenever a field page is open and online: on load, on "online", every 30 seconds.
// - A visit the server refuses stays, marked with the reason, until the worker discards or redoes it.
// - The phone's data goes when the worker's credentials were ended (a password reset, a deactivation, the
//   last assignment over): at each contact the phone keeps the device key and the server's time the
//   offline manifest hands out; when its session is gone it asks /field/device-check/ with them, and a
//   "wipe" (or the manifest's own, after logging in again) empties it. An idle time-out keeps everything.
// Without JavaScript or IndexedDB nothing here runs and the form posts as before.
(function () {
  "use strict";
  var bar = document.getElementById("field-sync");
  if (!bar || !window.indexedDB || !window.idb) return;
  var W = bar.dataset;
  var USER = W.user;
  var DB_NAME = "field-queue";
  var STORE = "visits";
  var sending = false;
  var sentHere = [];  // visits sent while this page is open: its figures (from before) count them still
  var needLogin = false;
  var wiped = false;
  var warming = Promise.resolve();  // the pages being kept for a day without signal (warm)
  var stopWarming = false;
  var unreachable = false;  // the last try to reach the server failed for want of a connection

  function words(key, values) {
    var text = W["w" + key.charAt(0).toUpperCase() + key.slice(1)] || "";
    Object.keys(values || {}).forEach(function (k) { text = text.replace("{" + k + "}", values[k]); });
    return text;
  }

  function newToken() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function today() {  // the phone's own date: a visit recorded offline keeps the day it was made
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  var dbPromise = idb.openDB(DB_NAME, 1, {
    upgrade: function (db) {
      db.createObjectStore(STORE, { keyPath: "id" });
      db.createObjectStore("meta");
    }
  });

  function all() {
    return dbPromise.then(function (db) { return db.getAll(STORE); }).then(function (items) {
      return items.sort(function (a, b) { return a.created - b.created; });
    });
  }
  function put(item) { return dbPromise.then(function (db) { return db.put(STORE, item); }); }
  function remove(id) { return dbPromise.then(function (db) { return db.delete(STORE, id); }); }
  function meta(key, value) {
    return dbPromise.then(function (db) {
      return value === undefined ? db.get("meta", key) : db.put("meta", value, key);
    });
  }

  // --- The header: what waits, when it was last sent -------------------------------------------------

  function render() {
    if (wiped) return Promise.resolve();
    return Promise.all([all(), meta("lastSync")]).then(function (r) {
      var mine = r[0].filter(function (v) { return v.user === USER; });
      var waiting = mine.filter(function (v) { return v.state !== "refused"; }).length;
      var refused = mine.length - waiting;
      var count = bar.querySelector("[data-sync-count]");
      var parts = [];
      if (waiting) parts.push(words("waiting", { n: waiting }));
      if (refused) parts.push(words("refused", { n: refused }));
      count.textContent = parts.join(" · ");
      count.dataset.waiting = String(waiting);
      bar.querySelector("[data-sync-time]").textContent = r[1]
        ? words("synced", { t: new Date(r[1]).toLocaleTimeString("zh-CN", { hour: "2-digit", minute: "2-digit" }) })
        : words("never");
      var offline = bar.querySelector("[data-sync-offline]");
      offline.textContent = words("offline");
      offline.hidden = navigator.onLine;
      bar.querySelector("[data-sync-login]").hidden = !needLogin;
      bar.hidden = !(mine.length || !navigator.onLine || needLogin);
      markRows(mine);
      countQueued(mine);
      renderQueuePage(r[0]);
    });
  }

  function markRows(items) {
    var byPath = {};
    items.forEach(function (v) { byPath[v.action] = v; });
    document.querySelectorAll(".tap-list a[href]").forEach(function (a) {
      var item = byPath[new URL(a.href, location.href).pathname];
      var mark = a.querySelector(".queue-mark");
      if (!item) { if (mark) mark.remove(); return; }
      if (!mark) {
        mark = document.createElement("span");
        mark.className = "queue-mark";
        (a.querySelector("strong") || a).appendChild(mark);
      }
      mark.classList.toggle("refused", item.state === "refused");
      mark.textContent = item.state === "refused" ? words("refusedMark") : words("pending");
    });
  }

  // The progress figures of the work list count what waits on the phone as the server will once it is sent:
  // a queued visit (not one that was not possible, not a refused one) to a household or a key place the
  // server does not yet count as visited, and to a key person still short this month, who counts once the
  // queued visits reach the visits still due (a visit beyond them adds nothing). The page lists them all
  // (every page of the list): households in data-open, key persons as "id:visits still due" in
  // data-open-key-persons, key places in data-open-places; the rows carry data-household/data-done.
  function ids(el, name) {
    var out = {};
    ((el && el.dataset[name]) || "").split(/\s+/).forEach(function (pair) {
      var p = pair.split(":");
      if (p[0]) out[p[0]] = Number(p[1] || 1);
    });
    return out;
  }

  function countQueued(items) {
    var line = document.querySelector("[data-households-progress]");
    if (!line) return;
    var card = document.querySelector("[data-open-places]");
    var open = { household: ids(line, "open"), key_person: ids(card, "openKeyPersons"), key_place: ids(card, "openPlaces") };
    var queued = { household: {}, key_person: {}, key_place: {} };
    items.concat(sentHere).forEach(function (v) {
      var m = /^\/field\/visit\/(household|key_person|key_place)\/(\d+)\/$/.exec(v.action);
      var notPossible = v.fields.some(function (f) { return f[0] === "not_possible"; });
      if (!m || v.state === "refused" || notPossible || !open[m[1]][m[2]]) return;
      // By the visit's token: a visit sent here is in sentHere before it leaves the queue, counted once.
      (queued[m[1]][m[2]] = queued[m[1]][m[2]] || {})[v.id] = true;
    });
    function reached(kind) {
      return Object.keys(queued[kind]).filter(function (pk) {
        return Object.keys(queued[kind][pk]).length >= open[kind][pk];
      }).length;
    }
    var n = { h: reached("household"), k: reached("key_person"), p: reached("key_place") };
    // Each figure of the page that counts visits: data-adds-queued="done=hkp kd=k" adds to {done} the
    // households, key persons and key places waiting, to {kd} the key persons; the other {name}s as data-name.
    document.querySelectorAll("[data-adds-queued]").forEach(function (el) {
      var value = {};
      Object.keys(el.dataset).forEach(function (k) { value[k] = el.dataset[k]; });
      el.dataset.addsQueued.split(/\s+/).forEach(function (rule) {
        var r = rule.split("=");
        if (!r[1]) return;
        value[r[0]] = Number(el.dataset[r[0]]) + r[1].split("").reduce(function (sum, kind) { return sum + (n[kind] || 0); }, 0);
      });
      if (el.tagName === "PROGRESS") { el.value = value.done; return; }
      var text = el.dataset.wLine || "";
      Object.keys(value).forEach(function (k) { text = text.replace("{" + k + "}", value[k]); });
      el.textContent = text;
    });
    document.querySelectorAll("a[data-household][data-done='0']").forEach(function (a) {
      a.classList.toggle("state-queued", !!queued.household[a.dataset.household]);
    });
  }

  function renderQueuePage(items) {
    var list = document.querySelector("[data-queue-list]");
    if (!list) return;
    list.textContent = "";
    if (!items.length) {
      var empty = document.createElement("li");
      empty.className = "muted";
      empty.textContent = words("empty");
      list.appendChild(empty);
    }
    items.forEach(function (v) {
      var li = document.createElement("li");
      li.className = "tap-row stacked queue-item";
      li.dataset.state = v.state;
      var title = document.createElement("strong");
      title.textContent = v.user === USER ? v.label : words("other");  // not whom another account visited
      var mark = document.createElement("span");
      mark.className = "queue-mark" + (v.state === "refused" ? " refused" : "");
      mark.textContent = v.state === "refused" ? words("refusedMark") : words("pending");
      title.appendChild(mark);
      var when = document.createElement("small");
      when.className = "muted";
      when.textContent = new Date(v.created).toLocaleString("zh-CN");
      li.append(title, when);
      if (v.reason && v.user === USER) {
        var reason = document.createElement("small");
        reason.className = "field-error";
        reason.dataset.reason = "";
        reason.textContent = v.reason;
        li.appendChild(reason);
      }
      if (v.state === "refused" && v.user === USER) {
        var actions = document.createElement("div");
        actions.className = "queue-actions";
        var reopen = document.createElement("a");
        reopen.setAttribute("role", "button");
        reopen.className = "secondary outline";
        reopen.href = v.action + "#redo=" + encodeURIComponent(v.id);  // a fragment: the kept page opens offline too
        reopen.textContent = words("reopen");
        var discard = document.createElement("button");
        discard.type = "button";
        discard.className = "secondary";
        discard.dataset.discard = v.id;
        discard.textContent = words("discard");
        discard.addEventListener("click", function () {
          if (window.confirm(words("confirmDiscard"))) remove(v.id).then(render);
        });
        actions.append(reopen, discard);
        li.appendChild(actions);
      }
      list.appendChild(li);
    });
  }

  // --- Saving a visit on the phone ---------------------------------------------------------------------

  function label() {
    var h = document.querySelector(".field-main .card h2");
    return (h ? h.textContent : document.title).trim().replace(/\s+/g, " ");
  }

  // A photo is made small on the phone before it waits or travels: the longest side at most 2048 px (as
  // core/uploads.py keeps it), JPEG at quality 0.8. A photo the browser cannot read goes as it is.
  var MAX_SIDE = 2048;
  function shrink(file) {
    if (!/^image\//.test(file.type) || !window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file, { imageOrientation: "from-image" }).then(function (bitmap) {
      var scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
      var canvas = document.createElement("canvas");
      canvas.width = Math.round(bitmap.width * scale);
      canvas.height = Math.round(bitmap.height * scale);
      canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
      if (bitmap.close) bitmap.close();
      return new Promise(function (resolve) {
        canvas.toBlob(function (blob) {
          if (!blob) { resolve(file); return; }
          var name = (file.name || "photo").replace(/\.[^.]*$/, "") + ".jpg";
          resolve(new File([blob], name, { type: "image/jpeg", lastModified: file.lastModified }));
        }, "image/jpeg", 0.8);
      });
    }).catch(function () { return file; });
  }

  // A refused visit opened again ("重新填写"): the form as the worker filled it, photos included, and the
  // reason it was refused, to correct and save; saving replaces the refused one.
  function refill(form, item) {
    var values = {};
    item.fields.forEach(function (f) {
      if (f[0] === "token" || f[0] === "next") return;
      (values[f[0]] = values[f[0]] || []).push(f[1]);
    });
    Array.prototype.forEach.call(form.elements, function (c) {
      if (!c.name || !(c.name in values) || c.type === "submit" || c.type === "button") return;
      var these = values[c.name];
      if (c.type === "file") {
        if (!window.DataTransfer) return;
        var files = new DataTransfer();
        these.forEach(function (b) {
          if (b instanceof Blob) files.items.add(b instanceof File ? b : new File([b], "photo.jpg", { type: b.type }));
        });
        c.files = files.files;
      } else if (c.type === "checkbox" || c.type === "radio") {
        c.checked = these.indexOf(c.value) !== -1;
      } else if (c.tagName === "SELECT" && c.multiple) {
        Array.prototype.forEach.call(c.options, function (o) { o.selected = these.indexOf(o.value) !== -1; });
      } else {
        c.value = these[0];
      }
      c.dispatchEvent(new Event("change", { bubbles: true }));  // the category list follows the finding
    });
    var fold = form.querySelector("details");
    var reason = form.querySelector("[name=reason]");
    if (fold && !(reason && reason.value)) fold.open = true;
    if (item.reason) {
      var note = document.createElement("p");
      note.className = "msg msg-error";
      note.dataset.redoReason = "";
      note.textContent = words("redoing", { reason: item.reason });
      form.parentNode.insertBefore(note, form);
    }
  }

  function setUpForm(form) {
    var token = form.querySelector("[name=token]");
    var unbound = form.querySelector("[data-quick]");
    // A page kept on the phone repeats the token and the date it was first loaded with: each opening of
    // the form is a new visit, made today.
    token.value = newToken();
    if (unbound) {
      var date = form.querySelector("[name=visited_on]");
      if (date) date.value = today();
    }
    var redo = new URLSearchParams(location.hash.slice(1)).get("redo");
    if (redo) {
      dbPromise.then(function (db) { return db.get(STORE, redo); }).then(function (item) {
        if (item && item.user === USER) refill(form, item);
      });
    }
    // Back to the row the worker came from: the address says it (a kept page may carry another day's).
    var back = new URLSearchParams(location.search).get("next") || (form.querySelector("input[name=next]") || {}).value || "";
    if (!/^\/(?![\/\\])/.test(back)) back = "";  // a path on this site only
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      event.preventDefault();
      if (form.dataset.queued) return;  // a double tap keeps one visit
      form.dataset.queued = "1";
      var data = new FormData(form);
      var button = event.submitter;
      // The button pressed says what kind of visit it is (the server reads its name), as without JavaScript.
      if (button && button.name && !data.has(button.name)) data.append(button.name, button.value);
      var fields = [];
      var quick = data.has("quick");
      data.forEach(function (value, name) {
        if (name === "csrfmiddlewaretoken" || name === "quick") return;
        if (value instanceof File && !value.size && !value.name) return;  // no photo chosen
        fields.push([name, value]);
      });
      if (quick) {  // the big button: done, nothing found, on the day it was tapped (not the day it is sent)
        var fixed = { outcome: "done", finding: "nothing", reason: "", visited_on: today() };
        fields = fields.filter(function (f) { return !(f[0] in fixed); });
        Object.keys(fixed).forEach(function (k) { fields.push([k, fixed[k]]); });
      }
      var item = {
        id: token.value,
        user: USER,
        action: new URL(form.getAttribute("action") || location.pathname, location.href).pathname,
        label: label(),
        fields: fields,
        created: Date.now(),
        state: "waiting",
        reason: ""
      };
      var saved = Promise.all(fields.map(function (f) {
        return f[1] instanceof File ? shrink(f[1]).then(function (small) { return [f[0], small]; }) : f;
      })).then(function (small) { item.fields = small; return put(item); });
      if (redo && redo !== item.id) saved = saved.then(function () { return remove(redo); });
      saved.then(function () {
        token.value = newToken();
        render();
        var note = { text: words("queued", { label: item.label }), level: "info" };
        var pageToken = (form.querySelector("[name=csrfmiddlewaretoken]") || {}).value;
        return (navigator.onLine ? send(true, pageToken) : Promise.resolve()).then(function () {
          // Sent at once: what the server said ("已记录：…", a case opened); else it waits on the phone.
          var sent = sentHere.filter(function (v) { return v.id === item.id; })[0];
          if (sent && sent.message) note = { text: sent.message, level: "success" };
          sessionStorage.setItem("field-queued", JSON.stringify(note));
        });
      }).then(function () {
        if (needLogin) {
          // The session has ended (idle time-out): the visit waits on the phone; the login says so and
          // returns to this row, where the queue is sent.
          location.href = W.loginPage + "?" + new URLSearchParams({ next: back || W.workList, kept: "1" }).toString();
          return;
        }
        location.href = back || W.workList;
      }, function () {
        form.submit();  // the phone could not keep it: post it as without JavaScript
      });
    });
  }

  // --- Sending ---------------------------------------------------------------------------------------

  function session(pages) {
    // A fresh CSRF token and who is signed in; a redirect means the session has ended, and then the phone
    // asks whether the credentials were ended too (its data must go) or only timed out (it stays).
    if (wiped) return Promise.resolve(null);
    return meta("device").then(function (device) {
      var ask = new URLSearchParams();
      if (!pages) ask.set("urls", "0");
      if (device && device.user === USER && device.since) ask.set("since", device.since);
      var url = W.manifest + (ask.toString() ? "?" + ask.toString() : "");
      return fetch(url, { credentials: "same-origin", redirect: "manual", cache: "no-store" }).then(function (r) {
        unreachable = false;
        if (r.type === "opaqueredirect" || r.status === 401) {
          needLogin = true;
          return deviceCheck(device).then(function () { return null; });
        }
        if (r.status === 403) {
          return r.json().catch(function () { return {}; }).then(function (answer) {
            if (answer.code === "assignment_ended") return gone();
            needLogin = true;
            return null;
          });
        }
        if (!r.ok) return null;
        return r.json().then(function (who) {
          if (who.wipe) return gone();
          needLogin = false;
          if (String(who.user) !== USER) return who;
          return meta("device", { user: USER, key: who.device, since: who.now }).then(function () { return who; });
        });
      }, function (error) {
        unreachable = true;
        throw error;
      });
    });
  }

  function deviceCheck(device) {
    // No session: only this phone's key opens the answer, which says nothing but wipe or not.
    if (!device || !device.key || !device.since || !W.deviceCheck) return Promise.resolve();
    var url = W.deviceCheck + "?" + new URLSearchParams({ user: device.user, since: device.since }).toString();
    return fetch(url, { credentials: "omit", cache: "no-store", headers: { "X-Field-Device": device.key } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (answer) { return answer && answer.wipe ? gone() : null; })
      .catch(function () {});
  }

  function gone() {
    // The credentials were ended: the queue, the kept pages and the service worker go, and so does what
    // this page shows; then the message says why.
    if (wiped) return Promise.resolve(null);
    wiped = true;
    return wipe().then(function () {
      bar.hidden = true;
      var main = document.querySelector(".field-main") || document.body;
      main.textContent = "";
      var box = document.createElement("article");
      box.className = "card";
      box.setAttribute("role", "alert");
      box.dataset.fieldWiped = "";
      var p = document.createElement("p");
      p.textContent = words("wiped");
      var login = document.createElement("a");
      login.href = W.login;
      login.textContent = words("loginAgain");
      box.append(p, login);
      main.appendChild(box);
      document.documentElement.dataset.fieldWiped = "1";
      return null;
    });
  }

  function contact() {
    // Each time the page opens or the signal returns: the session is still there, or the phone learns
    // whether its data must go.
    return navigator.onLine ? session(false).catch(function () {}) : Promise.resolve();
  }

  function post(item, csrf) {
    return new Promise(function (resolve) {
      var body = new FormData();
      item.fields.forEach(function (f) {
        if (f[1] instanceof Blob) body.append(f[0], f[1], f[1].name || "photo.jpg");
        else body.append(f[0], f[1]);
      });
      body.append("csrfmiddlewaretoken", csrf);
      var xhr = new XMLHttpRequest();
      var progress = bar.querySelector("[data-sync-progress]");
      xhr.open("POST", item.action);
      xhr.setRequestHeader("X-Field-Queue", "1");
      xhr.setRequestHeader("X-CSRFToken", csrf);
      xhr.timeout = 120000;
      xhr.upload.onprogress = function (e) {
        if (!e.lengthComputable) return;
        progress.hidden = false;
        progress.max = e.total;
        progress.value = e.loaded;
        progress.title = words("progress", { p: Math.round((100 * e.loaded) / e.total) });
      };
      xhr.onload = function () {
        progress.hidden = true;
        var json = null;
        if ((xhr.getResponseHeader("Content-Type") || "").indexOf("application/json") === 0) {
          try { json = JSON.parse(xhr.responseText); } catch (e) { json = null; }
        }
        resolve({ status: xhr.status, json: json, url: xhr.responseURL });
      };
      xhr.onerror = xhr.ontimeout = xhr.onabort = function () {
        progress.hidden = true;
        unreachable = true;
        resolve({ status: 0, json: null });
      };
      xhr.send(body);
    });
  }

  // ``pageToken``: the CSRF token of the form just saved, fresh when the page came from the server: the
  // visit goes at once, without first asking who is signed in (a round trip less on a slow line). A login
  // since then rotated the token, so another person's session refuses it (403): then the phone asks, as
  // it always does without a token, and tries this visit once more.
  function send(quiet, pageToken) {
    if (wiped || sending || !navigator.onLine) return Promise.resolve();
    sending = true;
    var sentNow = 0;
    var done = function () {
      sending = false;
      // Sent in the background (the signal back, the page opened, the timer): one line on this page.
      if (sentNow && quiet !== true) flash(words("uploaded", { n: sentNow }), "success");
      return render();
    };
    return all().then(function (items) {
      var mine = items.filter(function (v) { return v.user === USER && v.state !== "refused"; });
      if (!mine.length) return null;
      var asked = pageToken ? Promise.resolve({ user: USER, csrf: pageToken, fromPage: true }) : session();
      return asked.then(function (who) {
        if (!who) return null;
        if (String(who.user) !== USER) { needLogin = true; return null; }
        var csrf = who.csrf;
        var chain = Promise.resolve(true);
        mine.forEach(function (item) {
          chain = chain.then(function (goOn) {
            if (!goOn) return false;
            return post(item, csrf).then(function (answer) {
              if (!(answer.status === 403 && !answer.json && who.fromPage)) return answer;
              who.fromPage = false;
              return session().then(function (fresh) {
                if (!fresh) return null;
                if (String(fresh.user) !== USER) { needLogin = true; return null; }
                csrf = fresh.csrf;
                return post(item, csrf);
              });
            }).then(function (answer) {
              if (!answer) return false;
              if (answer.json && (answer.status === 200 || answer.status === 201)) {
                item.message = answer.json.message;
                sentHere.push(item);
                sentNow += 1;
                return remove(item.id).then(function () { return meta("lastSync", Date.now()); }).then(function () { return true; });
              }
              if (answer.json && answer.status >= 400 && answer.status < 500) {
                item.state = "refused";
                item.reason = answer.json.message || words("failed");
                return put(item).then(function () { return true; });
              }
              if (answer.status === 404) {
                item.state = "refused";
                item.reason = words("gone");
                return put(item).then(function () { return true; });
              }
              if (answer.status === 200 && !answer.json) needLogin = true;  // sent to the login page
              return false;  // no signal, a server error, a stale CSRF token: try again later, in order
            });
          });
        });
        return chain;
      });
    }).then(done, done);
  }

  // --- Warming the pages for a day without signal ----------------------------------------------------

  var WARM_EVERY = 6 * 3600 * 1000;

  function warm(force) {
    if (wiped || !navigator.onLine || !navigator.serviceWorker || !navigator.serviceWorker.controller) return Promise.resolve();
    return meta("lastWarm").then(function (last) {
      if (!force && last && Date.now() - last < WARM_EVERY) return null;
      return session(true).then(function (who) {
        if (!who) return null;
        var urls = who.urls.slice();
        var worker = function () {
          var url = stopWarming ? null : urls.shift();
          if (!url) return Promise.resolve();
          // The page is read to its end: the service worker has kept it by then, so a logout that waits
          // for the warming (wipe) leaves no page kept after it.
          return fetch(url, { credentials: "same-origin" })
            .then(function (answer) { return answer.blob(); })
            .catch(function () {}).then(worker);
        };
        warming = Promise.all([worker(), worker()]);
        return warming.then(function () {
          document.documentElement.dataset.fieldWarmed = String(who.urls.length);
          return meta("lastWarm", Date.now());
        });
      });
    });
  }

  // --- Logging out empties the phone (the server also answers with Clear-Site-Data) ---------------------

  function wipe() {
    // Pages still being kept for a day without signal would be written back after the caches are emptied:
    // the warming stops taking pages, and the caches are emptied now and again once the pages on their way
    // are in (all within the 3 s below).
    stopWarming = true;
    var emptyCaches = function () {
      if (!window.caches) return null;
      return caches.keys().then(function (keys) { return Promise.all(keys.map(function (k) { return caches.delete(k); })); });
    };
    var steps = [
      dbPromise.then(function (db) { db.close(); }).then(function () { return idb.deleteDB(DB_NAME); }),
      emptyCaches(),
      warming.then(emptyCaches),
    ];
    if (navigator.serviceWorker) {
      steps.push(navigator.serviceWorker.getRegistrations().then(function (regs) {
        return Promise.all(regs.map(function (r) { return r.unregister(); }));
      }));
    }
    // Another open tab can hold the database open: the logout never waits more than 3 s for it (the
    // server's Clear-Site-Data empties it anyway).
    var late = new Promise(function (resolve) { setTimeout(resolve, 3000); });
    return Promise.race([Promise.all(steps), late]).catch(function () {});
  }

  var logout = document.querySelector("form[data-logout]");
  if (logout) {
    logout.addEventListener("submit", function (event) {
      if (logout.dataset.wiped) return;
      event.preventDefault();
      all().then(function (items) {
        var n = items.length;
        if (n && !window.confirm(words("confirmLogout", { n: n }))) return;
        return wipe().then(function () {
          logout.dataset.wiped = "1";
          logout.submit();
        });
      });
    });
  }

  // --- Start ------------------------------------------------------------------------------------------

  // A message at the top of the page, as the server's messages look (layouts/field.html).
  function flash(text, level) {
    var main = document.querySelector(".field-main");
    if (!main) return;
    var box = main.querySelector(".messages[data-field-flash]");
    if (!box) {
      box = document.createElement("div");
      box.className = "messages";
      box.dataset.fieldFlash = "";
      box.setAttribute("role", "status");
      main.insertBefore(box, main.firstChild);
    }
    var p = document.createElement("p");
    p.className = "msg msg-" + (level || "info");
    p.textContent = text;
    box.replaceChildren(p);
  }

  var form = document.querySelector("form.visit-form");
  if (form) {
    setUpForm(form);
    form.dataset.queue = "ready";  // a tap from now on is kept on the phone first
  }
  var stale = document.querySelector(".messages");
  if (stale && !navigator.onLine) stale.remove();  // a kept page may carry the messages of the day it was kept
  var kept = sessionStorage.getItem("field-queued");
  sessionStorage.removeItem("field-queued");
  if (kept && !document.querySelector(".messages")) {
    try { kept = JSON.parse(kept); } catch (e) { kept = null; }
    if (kept && kept.text) flash(kept.text, kept.level);
  }

  if (navigator.serviceWorker) {
    navigator.serviceWorker.register(W.sw, { scope: "/" }).then(function () {
      return navigator.serviceWorker.ready;
    }).then(function () {
      if (!navigator.serviceWorker.controller) {
        return new Promise(function (resolve) {
          navigator.serviceWorker.addEventListener("controllerchange", resolve, { once: true });
          setTimeout(resolve, 5000);
        });
      }
    }).then(function () {
      return location.pathname === W.workList ? warm(false) : null;
    }).catch(function () {});
  }
  // The "online" event often comes before the connection carries anything (a phone still finding its
  // cell): a contact that could not reach the server is tried again after 2, 4, 8 and 16 s, not only at
  // the next half-minute.
  var retryDelay = 0;
  var retryTimer = null;
  function reachOut() {
    retryTimer = null;
    return contact().then(send).then(function () {
      if (!unreachable || !navigator.onLine) { retryDelay = 0; return; }
      retryDelay = retryDelay ? retryDelay * 2 : 2000;
      if (retryDelay > 16000) { retryDelay = 0; return; }
      if (!retryTimer) retryTimer = setTimeout(reachOut, retryDelay);
    });
  }
  window.addEventListener("online", function () { render(); reachOut(); });
  window.addEventListener("offline", render);
  setInterval(send, 30000);
  render().then(reachOut);
})();
