// jiesu front-end helpers: new-arrival cue and sound for the queues, running clocks.
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

  // The words of cases/templatetags/clocks.py (span_words, clock_words), kept current.
  function spanWords(seconds) {
    var days = Math.floor(seconds / 86400), hours = Math.floor((seconds % 86400) / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    if (days) return days + "天" + (hours ? hours + "小时" : "");
    if (hours) return hours + "小时" + (minutes ? minutes + "分" : "");
    return minutes ? minutes + "分" : "不到1分";
  }

  function tickCountdowns() {
    var now = Date.now();
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.dataset.countdown), late = now > due;
      var seconds = Math.floor(Math.abs(due - now) / 1000);
      el.textContent = (late ? "已超期 " : "还剩 ") + spanWords(seconds);
      el.classList.toggle("late", late);
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
    setInterval(tickCountdowns, 5000);
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    if (event.target.id === "queue-nav") markArrivals(event.target);
  });
})();

// Unit picker: filter by name or pinyin initials; a suggestion picks the lead unit.
// While searching, the first unit found is highlighted (arrow keys move the highlight);
// Enter makes it the lead unit and never submits the dispatch form.
function unitRows(box) {
  return Array.prototype.slice.call(
    box.closest("[data-unit-picker]").querySelectorAll("[data-unit-row]"));
}
function highlightUnit(box, row) {
  unitRows(box).forEach(function (r) {
    r.classList.toggle("highlighted", r === row);
    if (r === row) r.setAttribute("aria-selected", "true"); else r.removeAttribute("aria-selected");
  });
  if (row) row.scrollIntoView({block: "nearest"});
}
document.addEventListener("input", function (event) {
  var box = event.target;
  if (!box.matches("[data-unit-search]")) return;
  var q = box.value.trim().toLowerCase(), first = null;
  unitRows(box).forEach(function (row) {
    var hit = !q || row.dataset.name.toLowerCase().indexOf(q) >= 0 || row.dataset.pinyin.indexOf(q) >= 0;
    row.hidden = !hit;
    if (hit && !first) first = row;
  });
  highlightUnit(box, q ? first : null);
});
document.addEventListener("keydown", function (event) {
  var box = event.target;
  if (!box.matches || !box.matches("[data-unit-search]")) return;
  if (event.key !== "Enter" && event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  if (event.isComposing) return;  // the Enter that ends a pinyin input-method composition
  event.preventDefault();
  var shown = unitRows(box).filter(function (r) { return !r.hidden; });
  var at = shown.findIndex(function (r) { return r.classList.contains("highlighted"); });
  if (event.key === "Enter") {
    var radio = at >= 0 && shown[at].querySelector("input[type=radio]");
    if (radio) radio.checked = true;
    return;
  }
  var step = event.key === "ArrowDown" ? 1 : -1;
  var next = shown[Math.min(Math.max(at + step, 0), shown.length - 1)];
  if (next) highlightUnit(box, next);
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
