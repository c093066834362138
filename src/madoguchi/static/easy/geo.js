// 「いまの 場所で 探す」: fill lat/lon from the browser's position and send the form (the page works without it).
(function () {
  var button = document.querySelector("[data-easy-geo]");
  if (!button || !navigator.geolocation) return;
  var status = document.querySelector("[data-easy-geo-status]");
  button.parentElement.hidden = false;
  button.addEventListener("click", function () {
    status.textContent = "場所を 調べています。";
    navigator.geolocation.getCurrentPosition(function (pos) {
      var form = button.form;
      form.elements.lat.value = pos.coords.latitude.toFixed(5);
      form.elements.lon.value = pos.coords.longitude.toFixed(5);
      form.elements.postal_code.value = "";
      form.submit();
    }, function () {
      status.textContent = "場所が わかりませんでした。郵便番号を 書いてください。";
    }, {timeout: 10000});
  });
})();
