// Live updates of /counters/ pages by Server-Sent Events (/counters/stream). Without JS the page shows
// the state at load time. Each "reading" event carries one counter's new state as JSON.
(function () {
  var status = document.getElementById('live-status');
  if (!status || !window.EventSource) return;
  var source = new EventSource(status.getAttribute('data-stream'));
  function set(row, field, text) { var cell = row.querySelector('[data-field="' + field + '"]'); if (cell) cell.textContent = text; }
  source.addEventListener('reading', function (e) {
    var d = JSON.parse(e.data);
    var row = document.querySelector('tr[data-counter="' + d.counter_id + '"]');
    if (!row) return;
    var hm = d.recorded_at.substring(11, 16).replace(/^0/, '');  // Asia/Tokyo, as sent
    set(row, 'waiting', d.waiting + '人');
    set(row, 'calling', d.calling === null ? '—' : d.calling + '番');
    set(row, 'wait', d.estimated_wait_min === null ? '—' : '約' + d.estimated_wait_min + '分');
    set(row, 'time', hm);
    status.textContent = hm + ' に ' + d.office_name + ' ' + d.counter_name + ' の情報が更新されました。';
  });
  window.addEventListener('pagehide', function () { source.close(); });
})();
