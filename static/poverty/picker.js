/* Search boxes for a choice among many (poverty.common.widgets.SearchSelect): htmx lists the
   matches under the box; a click on one puts its id in the hidden input and its label in the
   box. Typing again clears the choice until another match is clicked, so what is saved is
   always what the box shows. Enter in the box picks the only match rather than submitting. */
(function () {
  function pick(button) {
    var select = button.closest('[data-search-select]');
    select.querySelector('[data-search-value]').value = button.dataset.searchPick;
    var box = select.querySelector('input[type=search]');
    box.value = button.dataset.label;
    select.querySelector('[data-search-results]').innerHTML = '';
    box.focus();
  }
  document.addEventListener('click', function (event) {
    var button = event.target.closest('[data-search-pick]');
    if (button) { pick(button); }
  });
  document.addEventListener('input', function (event) {
    var select = event.target.closest('[data-search-select]');
    if (select && event.target.type === 'search') {
      select.querySelector('[data-search-value]').value = '';
    }
  });
  document.addEventListener('keydown', function (event) {
    var select = event.target.closest('[data-search-select]');
    if (!select || event.key !== 'Enter' || event.target.type !== 'search') { return; }
    event.preventDefault();
    var matches = select.querySelectorAll('[data-search-pick]');
    if (matches.length === 1) { pick(matches[0]); }
  });
})();
