// Progressive enhancement for /practices/: on wide screens, show the filter panel open
// (on phones it stays folded above the results). The page works fully without this.
(function () {
  "use strict";
  var panel = document.getElementById("filters-panel");
  if (panel && window.matchMedia && window.matchMedia("(min-width: 50em)").matches) {
    panel.open = true;
  }
})();
