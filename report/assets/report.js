// padlock report: sortable league table and a group filter. Without
// JavaScript the table stays in band and grade order with every row shown,
// and the filter stays hidden.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  function value(row, i) {
    var cell = row.cells[i];
    if (!cell) { return ""; }
    var v = cell.getAttribute("data-v");
    return v === null ? cell.textContent.trim() : v;
  }

  function sortable(table) {
    if (!table.tHead || !table.tHead.rows.length) { return; }
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, i) {
      var kind = th.getAttribute("data-sort");
      if (!kind) { return; }
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener("click", function () {
        var dir = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        each(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", dir);
        var sign = dir === "ascending" ? 1 : -1;
        // Rows move within their band: the league table stays by band.
        each(table.tBodies, function (body) {
          var rows = Array.prototype.filter.call(body.rows, function (r) { return r.hasAttribute("data-key"); });
          rows.sort(function (a, b) {
            var x = value(a, i), y = value(b, i);
            var c = kind === "num" ? (parseFloat(x) || 0) - (parseFloat(y) || 0)
              : x.localeCompare(y, undefined, { sensitivity: "base", numeric: true });
            return c * sign;
          });
          rows.forEach(function (r) { body.appendChild(r); });
        });
      });
    });
  }

  function filter(select) {
    var controls = select.closest("[data-controls]");
    if (controls) { controls.hidden = false; }
    var status = document.getElementById("filter-status");
    select.addEventListener("change", function () {
      var group = select.value, shown = 0, total = 0;
      each(document.querySelectorAll("tr.site-row"), function (row) {
        var show = group === "" || row.getAttribute("data-group") === group;
        row.hidden = !show;
        total++;
        if (show) { shown++; }
      });
      each(document.querySelectorAll("tbody[data-band]"), function (body) {
        var any = body.querySelector("tr.site-row:not([hidden]), tr.empty");
        body.classList.toggle("filtered-out", !any);
      });
      if (status) {
        status.textContent = group === "" ? "" : "Showing " + shown + " of " + total + " sites";
      }
    });
  }

  function init() {
    each(document.querySelectorAll("table[data-sortable]"), sortable);
    var select = document.getElementById("group-filter");
    if (select) { filter(select); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
}());
