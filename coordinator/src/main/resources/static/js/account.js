// Starling volunteer's pages: what they need beyond dashboard.js (forms that confirm, live sections).
(function () {
  'use strict';

  // A rename asks for the new name and sends it in the form's "name" field (cancelling cancels the rename).
  document.addEventListener('submit', function (e) {
    var form = e.target;
    var question = form.dataset && form.dataset.askName;
    if (question) {
      var name = window.prompt(question, '');
      if (name === null) {
        e.preventDefault();
      } else {
        form.elements.name.value = name;
      }
    }
  });

  // The credit history: a bar per day, from the daily totals the API keeps (data-credit-src).
  function draw(canvas) {
    fetch(canvas.dataset.creditSrc, { headers: { Accept: 'application/json' }, credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (days) {
        new Chart(canvas, {
          type: 'bar',
          data: {
            labels: days.map(function (d) { return d.day.substring(5); }),
            datasets: [{ label: 'credit', data: days.map(function (d) { return d.credit; }), backgroundColor: '#4f46e5' }]
          },
          options: {
            responsive: true, maintainAspectRatio: false, animation: false,
            plugins: { legend: { display: false } },
            scales: { x: { grid: { display: false }, ticks: { maxTicksLimit: 10, maxRotation: 0 } },
              y: { beginAtZero: true, grid: { color: '#eef0f4' } } }
          }
        });
      });
  }

  function start() {
    var canvas = document.getElementById('credit-chart');
    if (canvas && window.Chart) {
      draw(canvas);
    }
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
