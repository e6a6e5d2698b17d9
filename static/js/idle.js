// Follicle: the idle-timeout warning (issue 14, WCAG 2.2.1 Timing Adjustable).
// The server ends a session SESSION_COOKIE_AGE after its last save; this script asks it how
// long is left (core.idle: asking is not activity, so another tab's work counts), shows
// templates/includes/session_timeout.html's dialog before the end, extends the session on
// "Stay signed in", and at the end sends the user to the login page, back here afterwards.
// It tells static/js/drafts.js by two events on document: "idle:warning" and "idle:expired".
(function () {
  const config = document.getElementById("session-config");
  const dialog = document.getElementById("idle-warning");
  if (!config || !dialog || typeof dialog.showModal !== "function") return;

  const LEAD = Number(config.dataset.idleWarning) * 1000;
  // While the warning shows, the server is asked again this often (another tab may extend).
  const POLL = Math.min(15000, Math.max(1000, LEAD / 4));
  const stay = dialog.querySelector("[data-idle-stay]");
  const countdown = dialog.querySelector("[data-idle-countdown]");
  const announcer = dialog.querySelector("[data-idle-announce]");
  // Announced once each as the time runs out; the visible countdown is not a live region.
  const MILESTONES = [60, 30, 10];

  let deadline = Date.now() + Number(config.dataset.idleSeconds) * 1000;
  let checkTimer = null;
  let tickTimer = null;
  let announced = new Set();
  let returnFocus = null;
  let done = false;
  let closing = false; // the script closes the dialog, not the user

  function spoken(seconds) {
    const minutes = Math.floor(seconds / 60);
    const rest = seconds % 60;
    const parts = [];
    if (minutes) parts.push(minutes + (minutes === 1 ? " minute" : " minutes"));
    if (rest || !minutes) parts.push(rest + (rest === 1 ? " second" : " seconds"));
    return parts.join(" ");
  }

  function secondsLeft() {
    return Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
  }

  function later(ms) {
    window.clearTimeout(checkTimer);
    checkTimer = window.setTimeout(check, Math.max(0, ms));
  }

  // The seconds the server says are left; 0 when signed out; null when it cannot say
  // (no network: the local estimate stands) or the page is not for this (a redirect, e.g.
  // to the two-factor step: then nothing more is done here).
  async function ask(url, extraHeaders, method) {
    try {
      const response = await fetch(url, {
        method: method || "GET",
        credentials: "same-origin",
        cache: "no-store",
        headers: Object.assign({ Accept: "application/json" }, extraHeaders),
      });
      if (response.status === 401) return 0;
      if (response.redirected) return response.url.indexOf(config.dataset.loginUrl) >= 0 ? 0 : undefined;
      if (!response.ok) return null;
      const body = await response.json();
      return typeof body.remaining === "number" ? body.remaining : null;
    } catch (error) {
      return null;
    }
  }

  async function check() {
    if (done) return;
    const remaining = await ask(config.dataset.statusUrl);
    if (remaining === undefined) return stop();
    settle(remaining === null ? secondsLeft() : remaining);
  }

  function settle(remaining) {
    deadline = Date.now() + remaining * 1000;
    if (remaining <= 0) return expire();
    if (remaining * 1000 > LEAD) {
      hide();
      later(remaining * 1000 - LEAD);
    } else {
      show();
      later(Math.min(remaining * 1000, POLL));
    }
  }

  function tick() {
    const left = secondsLeft();
    countdown.textContent = spoken(left);
    MILESTONES.forEach(function (mark) {
      if (left <= mark && !announced.has(mark)) {
        announced.add(mark);
        // Not at the moment it opens: the dialog's description says it then.
        if (left < mark) announcer.textContent = spoken(left) + " left before you are signed out.";
      }
    });
    if (left <= 0) {
      // The server has the last word: it may have been extended in another tab.
      window.clearInterval(tickTimer);
      later(0);
    }
  }

  function show() {
    if (dialog.open) return;
    announced = new Set(MILESTONES.filter(function (mark) { return secondsLeft() <= mark; }));
    announcer.textContent = "";
    tick();
    returnFocus = document.activeElement;
    dialog.showModal();
    stay.focus();
    tickTimer = window.setInterval(tick, 1000);
    document.dispatchEvent(new CustomEvent("idle:warning"));
  }

  function hide() {
    window.clearInterval(tickTimer);
    if (!dialog.open) return;
    closing = true;
    dialog.close();
    if (returnFocus && returnFocus.isConnected && typeof returnFocus.focus === "function") {
      returnFocus.focus();
    }
    returnFocus = null;
  }

  function stop() {
    done = true;
    window.clearTimeout(checkTimer);
    hide();
  }

  function expire() {
    stop();
    document.dispatchEvent(new CustomEvent("idle:expired"));
    const here = window.location.pathname + window.location.search;
    window.location.assign(
      config.dataset.loginUrl + "?next=" + encodeURIComponent(here) + "&signed_out=idle"
    );
  }

  async function keep() {
    const remaining = await ask(config.dataset.extendUrl, { "X-CSRFToken": config.dataset.csrf }, "POST");
    if (remaining === undefined) return stop();
    if (remaining === null) return check();
    settle(remaining);
  }

  stay.addEventListener("click", keep);
  // Escape is an answer too: the session is kept. (The browser may close the dialog itself
  // on a second Escape, hence the close event as well.)
  dialog.addEventListener("cancel", function (event) {
    event.preventDefault();
    keep();
  });
  dialog.addEventListener("close", function () {
    if (closing) closing = false;
    else if (!done) keep();
  });
  // Timers sleep in a background tab: look again as soon as it is back.
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") later(0);
  });

  later(0);
})();
