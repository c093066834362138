/* Map pin for /reports/new/: a click or "use my location" fills the hidden lat/lon fields. Without
   JavaScript the map stays hidden and the address fields are enough. The texts come from data-text-*
   attributes of #report-map, rendered by the template in the page's language. */
(function () {
  "use strict";
  var el = document.getElementById("report-map");
  if (!el || !window.L) { return; }
  var lat = document.getElementById("id_lat"), lon = document.getElementById("id_lon");
  var out = document.getElementById("report-pos");
  var b = el.getAttribute("data-bbox").split(",").map(parseFloat);
  el.hidden = false; document.getElementById("report-map-controls").hidden = false;
  var map = L.map(el, {scrollWheelZoom: false});
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) { L.tileLayer(tiles, {attribution: el.getAttribute("data-attribution") || "", maxZoom: 18}).addTo(map); }
  map.fitBounds([[b[0], b[1]], [b[2], b[3]]]);
  var marker = null;
  function set(la, lo) {
    lat.value = la.toFixed(6); lon.value = lo.toFixed(6);
    if (marker) { marker.setLatLng([la, lo]); } else { marker = L.marker([la, lo], {alt: el.getAttribute("data-text-marker")}).addTo(map); }
    out.textContent = el.getAttribute("data-text-chosen").replace("{lat}", lat.value).replace("{lon}", lon.value);
  }
  if (lat.value && lon.value) { set(parseFloat(lat.value), parseFloat(lon.value)); map.setView([parseFloat(lat.value), parseFloat(lon.value)], 16); }
  map.on("click", function (e) { set(e.latlng.lat, e.latlng.lng); });
  document.getElementById("report-here").addEventListener("click", function () {
    if (!navigator.geolocation) { out.textContent = el.getAttribute("data-text-unsupported"); return; }
    navigator.geolocation.getCurrentPosition(function (p) {
      set(p.coords.latitude, p.coords.longitude); map.setView([p.coords.latitude, p.coords.longitude], 17);
    }, function () { out.textContent = el.getAttribute("data-text-failed"); });
  });
})();
