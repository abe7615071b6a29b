// Tables with class "sortable": a click on a column header sorts the rows by that column,
// a second click reverses. Cells sort by their data-sort attribute, else their text; headers
// with data-type="number" compare as numbers; text compares by localeCompare in zh-Hans-CN.
(function () {
  "use strict";
  function key(row, index, numeric) {
    var cell = row.cells[index];
    var value = cell ? (cell.dataset.sort || cell.textContent.trim()) : "";
    return numeric ? parseFloat(value) || 0 : value;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    if (!body) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.style.cursor = "pointer";
      th.setAttribute("role", "button");
      th.tabIndex = 0;
      function sort() {
        var numeric = th.dataset.type === "number";
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = key(a, index, numeric), y = key(b, index, numeric);
          var order = numeric ? x - y : String(x).localeCompare(String(y), "zh-Hans-CN");
          return ascending ? order : -order;
        });
        Array.prototype.forEach.call(th.parentNode.cells, function (other) {
          other.removeAttribute("aria-sort");
        });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        rows.forEach(function (row) { body.appendChild(row); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
  });
})();
