// The printed brief carries the day it is printed, not the day the page was built.
(function () {
  "use strict";
  function stamp() {
    var now = new Date();
    var lang = document.documentElement.lang || "en";
    document.querySelectorAll("time.print-date").forEach(function (element) {
      element.textContent = now.toLocaleDateString(lang, { year: "numeric", month: "long", day: "numeric" });
      element.setAttribute("datetime", now.toISOString().slice(0, 10));
    });
  }
  window.addEventListener("beforeprint", stamp);
  stamp();
})();
