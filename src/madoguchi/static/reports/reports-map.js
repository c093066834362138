/* Map of published reports (/reports/map/) from reports.geojson ([lon, lat], RFC 7946). */
(function () {
  "use strict";
  var el = document.getElementById("reports-map");
  if (!el || !window.L) { return; }
  el.innerHTML = "";
  var map = L.map(el, {scrollWheelZoom: false});
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) { L.tileLayer(tiles, {attribution: el.getAttribute("data-attribution") || "", maxZoom: 18}).addTo(map); }
  function text(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }
  fetch(el.getAttribute("data-geojson")).then(function (r) { return r.json(); }).then(function (fc) {
    var layer = L.geoJSON(fc, {onEachFeature: function (f, l) {
      var p = f.properties;
      l.bindPopup("<strong>" + text(p.service_name) + "</strong> " + text(p.status) + "<br>" + text(p.description || ""));
    }}).addTo(map);
    if (fc.features.length) { map.fitBounds(layer.getBounds(), {padding: [24, 24], maxZoom: 16}); }
    else { map.setView([35.53, 139.70], 11); }
  }).catch(function () { map.setView([35.53, 139.70], 11); });
})();
