/* What every page does, kept out of the HTML so the Content-Security-Policy can refuse inline
   script (script-src 'self'): print buttons, selects that submit their form, the list filter's
   Bootstrap classes, and the household list's search by ID number, which is posted. */
(function () {
  document.addEventListener('click', function (event) {
    if (event.target.closest('[data-print]')) { window.print(); }
  });
  // Logging out empties the offline app's copy of the user's households (static/poverty/field.js);
  // visits still waiting to be sent stay on the phone, for the same user's next session.
  document.addEventListener('submit', function (event) {
    var form = event.target.closest('[data-logout]');
    if (!form || form.dataset.cleared || !('caches' in window)) { return; }
    event.preventDefault();
    caches.delete('field-data').catch(function () {}).then(function () {
      form.dataset.cleared = '1';
      form.submit();
    });
  });
  document.addEventListener('change', function (event) {
    var select = event.target.closest('[data-autosubmit]');
    if (select && select.form) { select.form.submit(); }
  });

  function ready() {
    document.querySelectorAll('.filter-form select, .filter-form input:not([type=checkbox])').forEach(function (el) {
      var select = el.tagName === 'SELECT';
      el.classList.add(select ? 'form-select' : 'form-control', select ? 'form-select-sm' : 'form-control-sm');
    });
    // A search by ID number is posted, never put in the address (logs, proxies, history).
    var post = document.getElementById('id-number-search');
    var filter = document.querySelector('.filter-form');
    if (!post || !filter) { return; }
    filter.addEventListener('submit', function (event) {
      var q = this.querySelector('[name=q]');
      var value = q ? q.value.replace(/\s/g, '') : '';
      if (/^(\d{17}[\dXx]|\d{15})$/.test(value)) {
        event.preventDefault();
        post.querySelector('[name=q]').value = value;
        post.submit();
      }
    });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', ready);
  } else {
    ready();
  }
})();
