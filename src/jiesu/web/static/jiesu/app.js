// jiesu front-end helpers: new-arrival cue and sound for the queues, sign-limit countdowns.
(function () {
  "use strict";
  var SOUND_KEY = "jiesu.sound";

  function soundOn() { return localStorage.getItem(SOUND_KEY) === "on"; }

  function beep() {
    var Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return;
    var ctx = new Ctx(), osc = ctx.createOscillator(), gain = ctx.createGain();
    osc.frequency.value = 880;
    gain.gain.value = 0.15;
    osc.connect(gain); gain.connect(ctx.destination);
    osc.start(); osc.stop(ctx.currentTime + 0.35);
  }

  function showSound() {
    var button = document.getElementById("sound-toggle");
    if (button) button.textContent = "提示音:" + (soundOn() ? "开" : "关");
  }

  // A queue whose count grew since the last poll flashes; 待签收 growth also beeps.
  function markArrivals(nav) {
    nav.querySelectorAll("[data-queue]").forEach(function (link) {
      var code = link.dataset.queue, key = "jiesu.count." + code;
      var now = parseInt(link.dataset.count || "0", 10);
      var before = sessionStorage.getItem(key);
      if (before !== null && now > parseInt(before, 10)) {
        link.classList.add("new-arrival");
        link.setAttribute("data-new", "1");
        if (code === "received" && soundOn()) beep();
      }
      sessionStorage.setItem(key, String(now));
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function tickCountdowns() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.round((Date.parse(el.dataset.countdown) - now) / 1000);
      var abs = Math.abs(left), h = Math.floor(abs / 3600), m = Math.floor((abs % 3600) / 60), s = abs % 60;
      var text = (h ? h + ":" + pad(m) : m) + ":" + pad(s);
      el.textContent = left >= 0 ? "剩余 " + text : "已超时 " + text;
      el.classList.toggle("late", left < 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    showSound();
    var button = document.getElementById("sound-toggle");
    if (button) button.addEventListener("click", function () {
      localStorage.setItem(SOUND_KEY, soundOn() ? "off" : "on");
      showSound();
      if (soundOn()) beep();
    });
    tickCountdowns();
    setInterval(tickCountdowns, 1000);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "queue-nav") markArrivals(event.target);
  });
})();

// Unit picker: filter by name or pinyin initials; a suggestion picks the lead unit.
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches("[data-unit-search]")) return;
  var q = box.value.trim().toLowerCase();
  box.closest("[data-unit-picker]").querySelectorAll("[data-unit-row]").forEach(function (row) {
    var hit = !q || row.dataset.name.toLowerCase().indexOf(q) >= 0 || row.dataset.pinyin.indexOf(q) >= 0;
    row.hidden = !hit;
  });
});
document.addEventListener("click", function (event) {
  var chip = event.target.closest("[data-suggest]");
  if (!chip) return;
  var picker = chip.closest("[data-unit-picker]");
  var radio = picker.querySelector('[data-unit-row="' + chip.dataset.suggest + '"] input[type=radio]');
  if (radio) { radio.checked = true; radio.closest("tr").scrollIntoView({block: "nearest"}); }
});

// Bulk selection: select-all on the page and a running count.
(function () {
  function refresh() {
    var n = document.querySelectorAll("[data-select]:checked").length;
    var label = document.querySelector("[data-selected-count]");
    if (label) label.textContent = "已选 " + n + " 件";
  }
  document.addEventListener("change", function (event) {
    if (event.target.matches("[data-select-all]")) {
      document.querySelectorAll("[data-select]").forEach(function (box) { box.checked = event.target.checked; });
    }
    if (event.target.matches("[data-select], [data-select-all]")) refresh();
  });
})();

// Sortable tables: click a header to sort by that column (numbers as numbers).
document.addEventListener("click", function (event) {
  var th = event.target.closest("table.sortable thead th");
  if (!th) return;
  var table = th.closest("table"), index = Array.prototype.indexOf.call(th.parentNode.children, th);
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
  var asc = th.dataset.sort !== "asc";
  function key(row) {
    var text = row.cells[index].textContent.trim(), n = parseFloat(text);
    return isNaN(n) ? text : n;
  }
  rows.sort(function (a, b) {
    var x = key(a), y = key(b);
    if (typeof x === "number" && typeof y === "number") return asc ? x - y : y - x;
    return asc ? String(x).localeCompare(String(y), "zh") : String(y).localeCompare(String(x), "zh");
  });
  rows.forEach(function (row) { body.appendChild(row); });
  table.querySelectorAll("thead th").forEach(function (h) { delete h.dataset.sort; });
  th.dataset.sort = asc ? "asc" : "desc";
});

// No inline handlers (the Content-Security-Policy forbids them): behaviour by data attributes.
document.addEventListener("change", function (event) {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.submit();
});
document.addEventListener("click", function (event) {
  var back = event.target.closest("a[data-back]");
  if (back && window.history.length > 1) { event.preventDefault(); window.history.back(); }
});
