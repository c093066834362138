/* madoguchi notices: Web Push service worker (served at /notices/sw.js with Service-Worker-Allowed: /). */
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { title: "お知らせ", body: event.data ? event.data.text() : "" }; }
  event.waitUntil(self.registration.showNotification(data.title || "川崎市からのお知らせ", {
    body: data.body || "", data: { url: data.url || "/notices/" }, lang: "ja",
  }));
});
self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || "/notices/";
  event.waitUntil(clients.openWindow(url));
});
