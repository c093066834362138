/* madoguchi notices: subscribe this browser to Web Push for the topics ticked in the form. The messages
   come from data-text-* attributes of the button, rendered by the template in the page's language. */
(function () {
  const button = document.getElementById("push-subscribe");
  const status = document.getElementById("push-status");
  if (!button) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    status.textContent = button.dataset.textUnsupported;
    button.disabled = true;
    return;
  }
  function key(b64) {
    const pad = "=".repeat((4 - (b64.length % 4)) % 4);
    const raw = atob((b64 + pad).replace(/-/g, "+").replace(/_/g, "/"));
    return Uint8Array.from(raw, (c) => c.charCodeAt(0));
  }
  function cookie(name) {
    const m = document.cookie.match(new RegExp("(?:^|; )" + name + "=([^;]*)"));
    return m ? decodeURIComponent(m[1]) : "";
  }
  button.addEventListener("click", async () => {
    const form = button.form;
    const topics = [...form.querySelectorAll("input[name=topics]:checked")].map((i) => i.value);
    const areas = [...form.querySelectorAll("input[name=areas]:checked")].map((i) => i.value);
    if (!topics.length) { status.textContent = button.dataset.textNoTopic; return; }
    try {
      const reg = await navigator.serviceWorker.register(button.dataset.sw, { scope: "/" });
      const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(button.dataset.key) });
      const res = await fetch(button.dataset.url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRFToken": cookie("csrftoken") },
        body: JSON.stringify({ subscription: sub.toJSON(), topics, areas }) });
      status.textContent = res.ok ? button.dataset.textDone : button.dataset.textFailed;
    } catch (e) {
      status.textContent = button.dataset.textDenied;
    }
  });
})();
