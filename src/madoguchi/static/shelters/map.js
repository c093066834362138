/* Leaflet map of /shelters/map/: markers from the GeoJSON API ([lon, lat], RFC 7946); the tile URL
   and attribution come from the SHELTER_TILE_URL / SHELTER_TILE_ATTRIBUTION settings; the words it shows
   come from data-text-* attributes the template renders in the page's language. */
(function () {
  "use strict";
  var el = document.getElementById("shelter-map");
  if (!el || !window.L) { return; }
  function t(name) { return el.getAttribute("data-text-" + name) || ""; }
  var numbers = el.getAttribute("data-number-locale") || "ja-JP";
  el.innerHTML = "";
  var map = L.map(el, {scrollWheelZoom: false});
  var tiles = el.getAttribute("data-tile-url");
  if (tiles) {
    L.tileLayer(tiles, {attribution: el.getAttribute("data-attribution") || "", maxZoom: 18}).addTo(map);
  }
  var lat = parseFloat(el.getAttribute("data-origin-lat")), lon = parseFloat(el.getAttribute("data-origin-lon"));
  var bounds = [];
  if (!isNaN(lat) && !isNaN(lon)) {
    L.circleMarker([lat, lon], {radius: 8, color: "#b00020", weight: 3}).addTo(map).bindPopup(t("origin"));
    bounds.push([lat, lon]);
  }
  function text(s) { var d = document.createElement("div"); d.textContent = s; return d.innerHTML; }
  fetch(el.getAttribute("data-geojson")).then(function (r) { return r.json(); }).then(function (fc) {
    L.geoJSON(fc, {
      pointToLayer: function (feature, latlng) {
        var p = feature.properties;
        return L.marker(latlng, {alt: p.name + (p.open ? " (" + t("open") + ")" : ""), title: p.name});
      },
      onEachFeature: function (feature, layer) {
        var p = feature.properties;
        layer.bindPopup("<strong>" + text(p.name) + "</strong><br>" + text(p.address || "") +
          (p.distance_m !== null ? "<br>" + text(t("distance")) + " " + p.distance_m.toLocaleString(numbers) + " m" : "") +
          "<br>" + text(p.kind_labels.join("\u30fb")) + (p.open ? "<br><strong>" + text(t("open")) + "</strong>" : "") +
          (p.disaster_labels.length ? "<br>" + text(t("for")) + " " + text(p.disaster_labels.join("\u3001")) : ""));
        bounds.push(layer.getLatLng());
      }
    }).addTo(map);
    if (bounds.length) { map.fitBounds(bounds, {padding: [24, 24], maxZoom: 16}); }
    else { map.setView([35.53, 139.70], 11); }
  }).catch(function () { map.setView([35.53, 139.70], 11); });
})();
