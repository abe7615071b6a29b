/* "Add a row" for Django inline formsets: copies the <template> of the empty form, numbers it
   and bumps TOTAL_FORMS. Markup: a container [data-formset=PREFIX] holding the rows, a
   <template data-empty-form=PREFIX> and a button [data-add-form=PREFIX]. */
document.querySelectorAll('[data-add-form]').forEach(function (button) {
  var prefix = button.dataset.addForm;
  var rows = document.querySelector('[data-formset="' + prefix + '"]');
  var template = document.querySelector('template[data-empty-form="' + prefix + '"]');
  var total = document.getElementById('id_' + prefix + '-TOTAL_FORMS');
  button.addEventListener('click', function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML.replace(/__prefix__/g, String(index)).replace(/__number__/g, String(index + 1));
    rows.insertAdjacentHTML('beforeend', html);
    total.value = String(index + 1);
    var first = rows.lastElementChild && rows.lastElementChild.querySelector('input, select');
    if (first) { first.focus(); }
  });
});
