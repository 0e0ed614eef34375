// Starling dashboard: the little the pages need beyond htmx (which swaps their live sections in place).
(function () {
  'use strict';
  var refresh = Number(document.body.dataset.refresh || 3000);

  // Forms that change something ask first: for confirmation (data-confirm), or for a reason that goes into the
  // form's "reason" field (data-reason; cancelling the question cancels the action).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var message = form.dataset && form.dataset.confirm;
    if (message && !window.confirm(message)) {
      e.preventDefault();
      return;
    }
    var question = form.dataset && form.dataset.reason;
    if (question) {
      var reason = window.prompt(question, '');
      if (reason === null) {
        e.preventDefault();
      } else {
        form.elements.reason.value = reason;
      }
    }
  });

  // The "live" pill shows whether the last refresh worked; a refresh that lands on the login page (the session
  // ended) reloads the page, which then shows the login form.
  function liveState(ok) {
    var dot = document.getElementById('live-dot');
    if (dot) {
      dot.classList.toggle('stale', !ok);
      dot.textContent = ok ? 'Live' : 'Reconnecting…';
    }
  }
  document.addEventListener('htmx:beforeSwap', function (e) {
    var url = e.detail.xhr && e.detail.xhr.responseURL;
    if (url && new URL(url).pathname === '/login') {
      e.detail.shouldSwap = false;
      window.location.reload();
    }
  });
  // Live sections poll only while the page is visible: a refresh triggered in a hidden tab is dropped.
  document.addEventListener('htmx:confirm', function (e) {
    if (document.hidden && e.detail.elt.hasAttribute('hx-trigger')) {
      e.preventDefault();
    }
  });
  document.addEventListener('htmx:afterRequest', function (e) { liveState(e.detail.successful); });
  document.addEventListener('htmx:sendError', function () { liveState(false); });

  // Charts: a canvas with data-chart (rate | outcomes | problems) and data-src (the JSON series) is drawn with
  // Chart.js and fetched again at every refresh while the page is visible.
  var palette = {
    validated: '#4f46e5', results: '#14b8a6', valid: '#22c55e', invalid: '#ef4444', errors: '#f59e0b',
    timedOut: '#94a3b8', failed: '#b91c1c'
  };

  function label(ms) {
    var d = new Date(ms);
    return String(d.getHours()).padStart(2, '0') + ':' + String(d.getMinutes()).padStart(2, '0');
  }

  function sum(a, b) {
    return a.map(function (x, i) { return x + b[i]; });
  }

  // The last minute of a series is the current one, still filling up: drawn dashed (lines) or pale (bars).
  function datasets(kind, s) {
    if (kind === 'rate') {
      return [
        line('Work units validated', s.validated, palette.validated, true),
        line('Results judged', sum(sum(s.valid, s.invalid), sum(s.errors, s.timedOut)), palette.results, false)
      ];
    }
    var bars = [];
    if (kind === 'outcomes') {
      bars.push(bar('Valid', s.valid, palette.valid));
    }
    bars.push(bar('Invalid', s.invalid, palette.invalid), bar('Errors', s.errors, palette.errors),
      bar('Timed out', s.timedOut, palette.timedOut));
    return bars;
  }

  function line(name, data, color, fill) {
    return {
      type: 'line', label: name, data: data, borderColor: color, backgroundColor: color + '22', fill: fill,
      tension: 0.3, pointRadius: 0, borderWidth: 2,
      segment: { borderDash: function (ctx) { return ctx.p1DataIndex === data.length - 1 ? [4, 4] : undefined; } }
    };
  }

  function bar(name, data, color) {
    return {
      type: 'bar', label: name, data: data, borderRadius: 2, stack: 'outcomes',
      backgroundColor: data.map(function (x, i) { return i === data.length - 1 ? color + '66' : color; })
    };
  }

  function draw(canvas) {
    var kind = canvas.dataset.chart;
    var chart = null;
    function load() {
      if (document.hidden) {
        return;
      }
      fetch(canvas.dataset.src, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          var labels = s.minutes.map(label);
          if (chart) {
            var fresh = datasets(kind, s);
            chart.data.labels = labels;
            chart.data.datasets.forEach(function (d, i) {
              d.data = fresh[i].data;
              d.segment = fresh[i].segment;
              if (d.type === 'bar') {
                d.backgroundColor = fresh[i].backgroundColor;
              }
            });
            chart.update('none');
            return;
          }
          chart = new Chart(canvas, {
            data: { labels: labels, datasets: datasets(kind, s) },
            options: {
              responsive: true, maintainAspectRatio: false, animation: false,
              interaction: { mode: 'index', intersect: false },
              plugins: { legend: { position: 'bottom', labels: { boxWidth: 10, boxHeight: 10, usePointStyle: true } } },
              scales: {
                x: { stacked: kind !== 'rate', grid: { display: false }, ticks: { maxTicksLimit: 8, maxRotation: 0 } },
                y: { stacked: kind !== 'rate', beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#eef0f4' },
                  title: { display: true, text: 'per minute', color: '#6b7385' } }
              }
            }
          });
        })
        .catch(function () { liveState(false); });
    }
    load();
    setInterval(load, Math.max(refresh, 2000));
  }

  function start() {
    if (window.Chart) {
      Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
      Chart.defaults.color = '#3b4252';
    }
    document.querySelectorAll('canvas[data-chart]').forEach(draw);
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
