/* Progressive enhancement of /shelters/: "use my location" (browser geolocation) and a live
   refresh of the open state from /api/v1/shelters/status. The page works without it. The texts it
   shows come from data-text-* attributes the template renders in the page's language. */
(function () {
  "use strict";
  var form = document.getElementById("shelter-form");
  var geo = form && form.querySelector("[data-geo]");
  if (geo && "geolocation" in navigator) {
    var button = geo.querySelector("[data-geo-button]");
    var status = geo.querySelector("[data-geo-status]");
    geo.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = geo.getAttribute("data-text-locating");
      button.disabled = true;
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.elements.lat.value = pos.coords.latitude.toFixed(6);
        form.elements.lon.value = pos.coords.longitude.toFixed(6);
        form.elements.postal_code.value = "";
        status.textContent = geo.getAttribute("data-text-located");
        form.submit();
      }, function (err) {
        button.disabled = false;
        status.textContent = err.code === 1
          ? geo.getAttribute("data-text-denied") : geo.getAttribute("data-text-failed");
      }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
    });
  }

  var items = document.querySelectorAll("[data-site-ids]");
  if (!items.length || !window.fetch) { return; }
  function refresh() {
    fetch("/api/v1/shelters/status", {cache: "no-store"}).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (body) {
        if (!body) { return; }
        var open = {};
        body.open.forEach(function (s) { s.ids.forEach(function (id) { open[id] = true; }); });
        items.forEach(function (li) {
          var isOpen = li.getAttribute("data-site-ids").split(" ").some(function (id) { return open[id]; });
          var badge = li.querySelector("[data-open-badge]");
          if (!badge) { return; }
          badge.classList.toggle("is-open", isOpen);
          badge.textContent = badge.getAttribute(isOpen ? "data-text-open" : "data-text-closed");
        });
      }).catch(function () {});
  }
  window.setInterval(refresh, 30000);
})();
