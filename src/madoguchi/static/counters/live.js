// Live updates of /counters/ pages by Server-Sent Events (/counters/stream). Without JS the page shows
// the state at load time. Each "reading" event carries one counter's new state as JSON. The texts come
// from the status element's data-text-* attributes, in the page's language (counters/_live_texts.html).
(function () {
  var status = document.getElementById('live-status');
  if (!status || !window.EventSource) return;
  var source = new EventSource(status.getAttribute('data-stream'));
  function text(name, values) {
    return status.getAttribute('data-text-' + name).replace(/\{(\w+)\}/g, function (m, key) { return values[key]; });
  }
  function set(row, field, value) { var cell = row.querySelector('[data-field="' + field + '"]'); if (cell) cell.textContent = value; }
  source.addEventListener('reading', function (e) {
    var d = JSON.parse(e.data);
    var row = document.querySelector('tr[data-counter="' + d.counter_id + '"]');
    if (!row) return;
    var hm = d.recorded_at.substring(11, 16).replace(/^0/, '');  // Asia/Tokyo, as sent
    set(row, 'waiting', text('waiting', {n: d.waiting}));
    set(row, 'calling', d.calling === null ? '—' : text('calling', {n: d.calling}));
    set(row, 'wait', d.estimated_wait_min === null ? '—' : text('wait', {n: d.estimated_wait_min}));
    set(row, 'time', hm);
    status.textContent = text('updated', {time: hm, office: d.office_name, counter: d.counter_name});
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
