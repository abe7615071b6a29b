/* The visit form on a phone: the position where the visit is recorded, if the cadre allows it
   (latitude, longitude and its accuracy in metres go into the form's hidden fields). A refused
   or unavailable position leaves them empty: the visit is saved all the same. */
(function () {
  function ready() {
    var form = document.querySelector('[data-visit-form]');
    var status = form && form.querySelector('[data-geo-status]');
    if (!form || !status) { return; }
    if (!navigator.geolocation) { status.textContent = '此浏览器不能定位，走访记录将不附位置。'; return; }
    navigator.geolocation.getCurrentPosition(function (pos) {
      form.querySelector('[name=latitude]').value = pos.coords.latitude.toFixed(6);
      form.querySelector('[name=longitude]').value = pos.coords.longitude.toFixed(6);
      form.querySelector('[name=accuracy]').value = Math.round(pos.coords.accuracy);
      status.textContent = '已获取位置（精度约' + Math.round(pos.coords.accuracy) + '米）。';
    }, function () {
      status.textContent = '未获取位置（未允许定位或信号弱），走访记录将不附位置。';
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', ready);
  } else {
    ready();
  }
})();
