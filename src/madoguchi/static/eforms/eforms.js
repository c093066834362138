/* eforms: show a conditional field only when its condition holds (data-show-if), and fill the address
   after a postal code (data-postal-fill). The form works without this script: every field shows and the
   server ignores the answers of hidden ones. */
(function () {
  "use strict";
  function valuesOf(form, name) {
    var out = [];
    form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
      if (el.type === "checkbox" || el.type === "radio") { if (el.checked) out.push(el.value === "on" ? "true" : el.value); }
      else if (el.value !== "") out.push(el.value);
    });
    return out;
  }
  function truthy(v) { return ["true", "on", "1", "yes", "はい"].indexOf(String(v).toLowerCase()) >= 0; }
  function wrapOf(el) { return el.closest(".eforms-field") || el.closest(".field") || el; }
  function update(form) {
    form.querySelectorAll("[data-show-if]").forEach(function (el) {
      var cond; try { cond = JSON.parse(el.getAttribute("data-show-if")); } catch (e) { return; }
      var ctrl = form.querySelector('[name="' + cond.field + '"]');
      var values = valuesOf(form, cond.field);
      var shown;
      if (ctrl && ctrl.type === "checkbox" && ctrl.value === "on") shown = truthy(values.length ? "true" : "false") === truthy(cond.equals);
      else shown = values.indexOf(String(cond.equals)) >= 0;
      var controlHidden = ctrl && wrapOf(ctrl).hidden;
      wrapOf(el).hidden = !shown || controlHidden;
    });
  }
  function fillAddress(input) {
    var target = input.form && input.form.querySelector('[name="' + input.getAttribute("data-postal-fill") + '"]');
    var code = (input.value || "").normalize("NFKC").replace(/[^0-9]/g, "");
    if (!target || code.length !== 7 || target.value.trim() !== "") return;
    fetch("/api/v1/postal/" + code, {headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (a) { if (a && target.value.trim() === "") target.value = a.prefecture + a.city + a.town; })
      .catch(function () {});
  }
  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-if], [data-postal-fill]")) return;
    update(form);
    form.addEventListener("change", function () { update(form); });
    form.querySelectorAll("[data-postal-fill]").forEach(function (input) {
      input.addEventListener("change", function () { fillAddress(input); });
    });
  });
})();
