// Progressive enhancement of the server-rendered page: results refresh as you
// type (debounced), the language filter, the order and the dates apply on
// change, "/" focuses the
// search box. Without this script the form works exactly the same on submit.
(function () {
  "use strict";
  var form = document.querySelector("form.search-form");
  var input = document.getElementById("q");
  if (!form || !input || !window.fetch) return;
  var timer = null;
  var latest = 0;

  function area() { return document.getElementById("results-area"); }

  function refresh() {
    var q = input.value.trim();
    if (q.length < 2) return;
    var params = new URLSearchParams(new FormData(form));
    params.set("q", q);
    var pageUrl = form.action + "?" + params.toString();
    params.set("partial", "1");
    var ticket = ++latest;
    fetch(form.action + "?" + params.toString(), { headers: { "Accept": "text/html" } })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        if (ticket !== latest || !area()) return;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#results-area");
        if (fresh) area().replaceWith(fresh);
        history.replaceState(null, "", pageUrl);
      })
      .catch(function () { /* the form still works on submit */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 300);
  });
  ["lang", "sort", "date_from", "date_to"].forEach(function (id) {
    var field = document.getElementById(id);
    if (field) field.addEventListener("change", function () { form.submit(); });
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "/" && document.activeElement !== input &&
        !/^(INPUT|TEXTAREA|SELECT)$/.test(document.activeElement.tagName)) {
      event.preventDefault();
      input.focus();
    }
  });
})();
